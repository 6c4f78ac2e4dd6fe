import { CapstanError } from "../errors.js";
import type { GoMap, GoValue } from "../template/values.js";
import { isGoMap } from "../template/values.js";

/**
 * `--set` syntax as Helm's strvals reads it: `a.b=c`, `a=b,c=d`, `list[0]=x`, `a\.b=c`,
 * `a={x,y}`, `a[0].b=c`. With `--set`, `true`/`false`/`null` and base-10 integers not starting
 * with 0 are typed (integers as Go int64, i.e. bigint); everything else is a string.
 * `--set-string` keeps every value a string; `--set-json` reads each value as JSON;
 * `--set-file` reads each value from a file.
 */
export type SetKind = "set" | "set-string" | "set-json" | "set-file";

export interface SetFlag {
  kind: SetKind;
  /** The flag's argument as given, e.g. `image.tag=v2,replicas=3`. */
  text: string;
}

const MAX_INDEX = 65536;
const MAX_NESTED_NAME_LEVEL = 30;

class EOF {}
const eof = new EOF();

class SetSyntaxError extends Error {}

class Scanner {
  private readonly runes: string[];
  private pos = 0;
  constructor(text: string) {
    this.runes = Array.from(text);
  }
  read(): string | EOF {
    if (this.pos >= this.runes.length) {
      this.pos++;
      return eof;
    }
    return this.runes[this.pos++] as string;
  }
  unread(): void {
    this.pos--;
  }
  rest(): string {
    return this.runes.slice(this.pos).join("");
  }
  skip(chars: number): void {
    this.pos += Array.from(this.rest().slice(0, chars)).length;
  }
}

/** Reads until a stop rune (consumed, returned as `last`) or the end (`last` = eof); `\x` is a literal x. */
function runesUntil(sc: Scanner, stop: string): { text: string; last: string | EOF } {
  let text = "";
  for (;;) {
    const r = sc.read();
    if (r instanceof EOF) return { text, last: eof };
    if (stop.includes(r)) return { text, last: r };
    if (r === "\\") {
      const next = sc.read();
      if (next instanceof EOF) return { text, last: eof };
      text += next;
      continue;
    }
    text += r;
  }
}

function typedValue(s: string, asString: boolean): GoValue {
  if (asString) return s;
  const lower = s.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  if (lower === "null") return null;
  if (s === "0") return 0n;
  if (s.length > 0 && s[0] !== "0" && /^[+-]?\d+$/.test(s)) {
    const n = BigInt(s);
    if (n <= 9223372036854775807n && n >= -9223372036854775808n) return n;
  }
  return s;
}

function setIndex(list: GoValue[], index: number, value: GoValue): GoValue[] {
  if (index < 0) throw new SetSyntaxError(`negative ${index} index not allowed`);
  if (index > MAX_INDEX) {
    throw new SetSyntaxError(`index of ${index} is greater than maximum supported index of ${MAX_INDEX}`);
  }
  while (list.length <= index) list.push(null);
  list[index] = value;
  return list;
}

/** Finds where the first JSON value in `s` ends (leading blanks allowed). */
function jsonExtent(s: string): number {
  let i = 0;
  while (i < s.length && /\s/.test(s[i] as string)) i++;
  const first = s[i];
  if (first === "{" || first === "[") {
    let depth = 0;
    let inString = false;
    for (; i < s.length; i++) {
      const c = s[i];
      if (inString) {
        if (c === "\\") i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return s.length;
  }
  if (first === '"') {
    for (i++; i < s.length; i++) {
      if (s[i] === "\\") i++;
      else if (s[i] === '"') return i + 1;
    }
    return s.length;
  }
  while (i < s.length && !/[,\s]/.test(s[i] as string)) i++;
  return i;
}

class SetParser {
  constructor(
    private readonly sc: Scanner,
    private readonly kind: SetKind,
    private readonly readFile: (path: string) => string,
  ) {}

  parseInto(data: GoMap): void {
    for (;;) {
      if (this.key(data, 0) === eof) return;
    }
  }

  private reader(text: string): GoValue {
    if (this.kind === "set-file") return this.readFile(text);
    return typedValue(text, this.kind === "set-string");
  }

  /** Skips blanks and one comma; true at the end of a value. */
  private emptyValue(): boolean {
    for (;;) {
      const r = this.sc.read();
      if (r instanceof EOF) return true;
      if (r === ",") return true;
      if (!/\s/.test(r)) {
        this.sc.unread();
        return false;
      }
    }
  }

  private jsonValue(): GoValue {
    const rest = this.sc.rest();
    const end = jsonExtent(rest);
    let value: GoValue;
    try {
      value = JSON.parse(rest.slice(0, end)) as GoValue;
    } catch (e) {
      throw new SetSyntaxError(`invalid JSON value ${JSON.stringify(rest.slice(0, end))}: ${(e as Error).message}`);
    }
    this.sc.skip(end);
    this.emptyValue();
    return value;
  }

  /** Returns eof when the input ended, undefined when more keys may follow. */
  private key(data: GoMap, level: number): EOF | undefined {
    const { text: k, last } = runesUntil(this.sc, "=[,.");
    if (last instanceof EOF) {
      if (k.length === 0) return eof;
      throw new SetSyntaxError(`key "${k}" has no value`);
    }
    switch (last) {
      case "[": {
        const i = this.keyIndex();
        const existing = data[k];
        const list = Array.isArray(existing) ? existing : [];
        const r = this.listItem(list, i, level);
        data[k] = r.list;
        return r.end;
      }
      case "=": {
        if (this.kind === "set-json") {
          if (this.emptyValue()) {
            data[k] = null;
            return undefined;
          }
          data[k] = this.jsonValue();
          return undefined;
        }
        const vl = this.valueList();
        if (vl instanceof EOF) {
          data[k] = "";
          return eof;
        }
        if (vl !== undefined) {
          data[k] = vl;
          return undefined;
        }
        const { text, last: end } = runesUntil(this.sc, ",");
        data[k] = this.reader(text);
        return end instanceof EOF ? eof : undefined;
      }
      case ",":
        throw new SetSyntaxError(`key "${k}" has no value (cannot end with ,)`);
      default: {
        // "."
        if (level + 1 > MAX_NESTED_NAME_LEVEL) {
          throw new SetSyntaxError(
            `value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`,
          );
        }
        const existing = data[k];
        const inner: GoMap = isGoMap(existing) ? existing : {};
        const r = this.key(inner, level + 1);
        if (Object.keys(inner).length === 0) {
          if (r === undefined) throw new SetSyntaxError(`key map "${k}" has no value`);
        } else data[k] = inner;
        return r;
      }
    }
  }

  private keyIndex(): number {
    const { text, last } = runesUntil(this.sc, "]");
    if (last instanceof EOF) throw new SetSyntaxError(`error parsing index: missing ']' after "[${text}"`);
    if (!/^[+-]?\d+$/.test(text)) throw new SetSyntaxError(`error parsing index: "${text}" is not a number`);
    return Number(text);
  }

  /** `{a,b}` → list; undefined when the value is not a list; eof when the input ended. */
  private valueList(): GoValue[] | EOF | undefined {
    const r = this.sc.read();
    if (r instanceof EOF) return eof;
    if (r !== "{") {
      this.sc.unread();
      return undefined;
    }
    const list: GoValue[] = [];
    for (;;) {
      const { text, last } = runesUntil(this.sc, ",}");
      if (last instanceof EOF) throw new SetSyntaxError("list must terminate with '}'");
      list.push(this.reader(text));
      if (last === "}") {
        const next = this.sc.read();
        if (!(next instanceof EOF) && next !== ",") this.sc.unread();
        return list;
      }
    }
  }

  private listItem(list: GoValue[], i: number, level: number): { list: GoValue[]; end: EOF | undefined } {
    if (i < 0) throw new SetSyntaxError(`negative ${i} index not allowed`);
    const { text: k, last } = runesUntil(this.sc, "[.=");
    if (k.length > 0) throw new SetSyntaxError(`unexpected data at end of array index: "${k}"`);
    if (last instanceof EOF) throw new SetSyntaxError("unexpected end after array index");
    switch (last) {
      case "=": {
        if (this.kind === "set-json") {
          const v = this.emptyValue() ? null : this.jsonValue();
          return { list: setIndex(list, i, v), end: undefined };
        }
        const vl = this.valueList();
        if (vl instanceof EOF) return { list: setIndex(list, i, ""), end: eof };
        if (vl !== undefined) return { list: setIndex(list, i, vl), end: undefined };
        const { text, last: end } = runesUntil(this.sc, ",");
        return { list: setIndex(list, i, this.reader(text)), end: end instanceof EOF ? eof : undefined };
      }
      case "[": {
        const nextI = this.keyIndex();
        const existing = list[i];
        const inner = Array.isArray(existing) ? existing : [];
        const r = this.listItem(inner, nextI, level);
        return { list: setIndex(list, i, r.list), end: r.end };
      }
      default: {
        const existing = list[i];
        const inner: GoMap = isGoMap(existing) ? existing : {};
        const r = this.key(inner, level);
        return { list: setIndex(list, i, inner), end: r };
      }
    }
  }
}

/**
 * Applies `--set`-style flags in order onto one map (later flags win) and returns it.
 * `readFile` serves `--set-file` (the caller keeps it inside the repository).
 */
export function parseSetFlags(
  flags: readonly SetFlag[],
  options: { readFile?: (path: string) => string; into?: GoMap } = {},
): GoMap {
  const data = options.into ?? {};
  const readFile =
    options.readFile ??
    (() => {
      throw new SetSyntaxError("--set-file is not available here");
    });
  for (const flag of flags) {
    try {
      new SetParser(new Scanner(flag.text), flag.kind, readFile).parseInto(data);
    } catch (e) {
      if (e instanceof SetSyntaxError) {
        throw new CapstanError("VALUES_INVALID", `--${flag.kind} ${flag.text}: ${e.message}`, {
          problems: [{ field: `--${flag.kind}`, message: `${JSON.stringify(flag.text)}: ${e.message}` }],
        });
      }
      throw e;
    }
  }
  return data;
}
