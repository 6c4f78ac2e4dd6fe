import { parseYamlBounded } from "./yaml.js";

/**
 * A fast reader for the plain block YAML that charts render (block maps and lists, plain and
 * quoted scalars, literal blocks, `[]`/`{}`), giving exactly what the `yaml` library gives for
 * it with Helm's YAML 1.1 scalars (HELM_YAML_OPTIONS). Anything else — flow collections, anchors, tags,
 * folded or multi-line scalars, duplicate keys, syntax errors — is handed to the `yaml`
 * library, so results and error messages stay the library's (through parseYamlBounded, which
 * bounds aliases and checks duplicate keys in linear time). It exists because parsing
 * rendered documents with the full library took most of a render's time.
 */

class Fallback extends Error {}
const bail = (): never => {
  throw new Fallback();
};

interface Line {
  indent: number;
  /** Text after the indentation. */
  text: string;
}

// The yaml library's YAML 1.1 tags, in the order it tries them.
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const TRUE = /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const FALSE = /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
const BIN = /^[-+]?0b[0-1_]+$/;
const OCT = /^[-+]?0[0-7_]+$/;
const INT = /^[-+]?[0-9][0-9_]*$/;
const HEX = /^[-+]?0x[0-9a-fA-F_]+$/;
const NAN_INF = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/;
// Plain scalars may not start with an indicator this reader leaves to the library.
const PLAIN_START = /^[^\s\-?:,[\]{}#&*!|>'"%@`]|^[-?:][^\s]/;

function intValue(s: string, offset: number, radix: number): number {
  const sign = s[0];
  if (sign === "-" || sign === "+") offset += 1;
  const n = parseInt(s.substring(offset).replace(/_/g, ""), radix);
  return sign === "-" ? -1 * n : n;
}

function resolvePlain(s: string): unknown {
  if (NULL.test(s)) return null;
  if (TRUE.test(s)) return true;
  if (FALSE.test(s)) return false;
  if (BIN.test(s)) return intValue(s, 2, 2);
  if (OCT.test(s)) return intValue(s, 1, 8);
  if (INT.test(s)) return intValue(s, 0, 10);
  if (HEX.test(s)) return intValue(s, 2, 16);
  if (NAN_INF.test(s)) return s.slice(-3).toLowerCase() === "nan" ? NaN : s[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return parseFloat(s.replace(/_/g, ""));
  return s;
}

const ESCAPES: Record<string, string> = {
  "0": "\0", a: "\x07", b: "\b", t: "\t", "\t": "\t", n: "\n", v: "\v", f: "\f", r: "\r", e: "\x1b",
  " ": " ", '"': '"', "/": "/", "\\": "\\", N: "\u0085", _: "\u00a0", L: "\u2028", P: "\u2029",
};

/** Reads a quoted scalar at the start of `s`; returns its value and the rest of the line. */
function readQuoted(s: string): { value: string; rest: string } {
  const q = s[0];
  let out = "";
  let i = 1;
  for (;;) {
    if (i >= s.length) bail(); // multi-line quoted scalar
    const c = s[i] as string;
    if (q === "'") {
      if (c === "'") {
        if (s[i + 1] === "'") {
          out += "'";
          i += 2;
          continue;
        }
        return { value: out, rest: s.slice(i + 1) };
      }
      out += c;
      i++;
      continue;
    }
    if (c === '"') return { value: out, rest: s.slice(i + 1) };
    if (c === "\\") {
      const e = s[i + 1];
      if (e === undefined) bail();
      if (e === "x" || e === "u" || e === "U") {
        const len = e === "x" ? 2 : e === "u" ? 4 : 8;
        const hex = s.slice(i + 2, i + 2 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) bail();
        const code = parseInt(hex, 16);
        if (code >= 0xd800 && code <= 0xdfff) bail();
        out += String.fromCodePoint(code);
        i += 2 + len;
        continue;
      }
      const r = ESCAPES[e as string];
      if (r === undefined) bail();
      out += r;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
}

/** After a scalar on a line only blanks and a comment may follow. */
function expectEnd(rest: string): void {
  if (rest === "" ) return;
  if (!/^[ ]+(#.*)?$/.test(rest)) bail();
}

/** Drops trailing blanks (`/[ ]+$/` would retry from every blank of a long run: quadratic). */
function trimSpacesEnd(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 32) end--;
  return s.slice(0, end);
}

function inlineScalar(s: string): unknown {
  if (s === "[]") return [];
  if (s === "{}") return {};
  const c = s[0];
  if (c === '"' || c === "'") {
    const { value, rest } = readQuoted(s);
    expectEnd(rest);
    return value;
  }
  if (!PLAIN_START.test(s)) bail();
  const hash = s.indexOf(" #");
  const text = trimSpacesEnd(hash === -1 ? s : s.slice(0, hash));
  if (/:( |$)/.test(text) || text.includes("\t")) bail();
  return resolvePlain(text);
}

class Reader {
  private i = 0;
  /** Per line: indentation, and the text after it without trailing blanks ("" for blank or comment lines). */
  private readonly indents: number[];
  private readonly texts: string[];
  constructor(private readonly raw: string[]) {
    this.indents = new Array<number>(raw.length);
    this.texts = new Array<string>(raw.length);
    for (let k = 0; k < raw.length; k++) {
      const l = raw[k] as string;
      let ind = 0;
      while (l.charCodeAt(ind) === 32) ind++;
      let end = l.length;
      while (end > ind && l.charCodeAt(end - 1) === 32) end--;
      const text = l.slice(ind, end);
      this.indents[k] = ind;
      this.texts[k] = text[0] === "#" ? "" : text;
    }
  }

  /** Next line that carries structure (skips blanks and comments); undefined at the end. */
  peek(): (Line & { index: number }) | undefined {
    while (this.i < this.raw.length && this.texts[this.i] === "") this.i++;
    if (this.i >= this.raw.length) return undefined;
    return { indent: this.indents[this.i] as number, text: this.texts[this.i] as string, index: this.i };
  }

  /** Replaces the current line's view (used for `- key: value`, whose map starts mid-line). */
  private override?: { index: number; line: Line };

  current(): (Line & { index: number }) | undefined {
    const p = this.peek();
    if (p && this.override && this.override.index === p.index) return { ...this.override.line, index: p.index };
    return p;
  }

  advance(): void {
    this.i++;
  }

  node(indent: number): unknown {
    const l = this.current();
    if (!l || l.indent < indent) return null;
    if (l.text === "-" || l.text.startsWith("- ")) return this.seq(l.indent);
    if (l.text.startsWith("---") || l.text.startsWith("...")) bail();
    return this.map(l.indent);
  }

  /** The value of `key:` with nothing after it: a nested node, a list at the same indent, or null. */
  private blockValue(indent: number, seqAtSameIndent: boolean): unknown {
    const next = this.current();
    if (!next) return null;
    if (next.indent > indent) return this.node(indent + 1);
    if (seqAtSameIndent && next.indent === indent && (next.text === "-" || next.text.startsWith("- "))) return this.seq(indent);
    return null;
  }

  private map(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (;;) {
      const l = this.current();
      if (!l || l.indent < indent) return out;
      if (l.indent > indent) bail();
      if (l.text === "-" || l.text.startsWith("- ")) return out;
      const { key, rest } = splitKey(l.text);
      if (Object.hasOwn(out, key) || key === "__proto__" || key === "<<") bail();
      this.override = undefined;
      this.advance();
      const value = rest.replace(/^[ ]+/, "");
      if (value === "" || value[0] === "#") out[key] = this.blockValue(indent, true);
      else if (value[0] === "|" || value[0] === ">") out[key] = this.blockScalar(value, indent);
      else out[key] = inlineScalar(value);
    }
  }

  private seq(indent: number): unknown[] {
    const out: unknown[] = [];
    for (;;) {
      const l = this.current();
      if (!l || l.indent < indent) return out;
      if (l.indent > indent) bail();
      if (!(l.text === "-" || l.text.startsWith("- "))) return out;
      const after = l.text.slice(1);
      const spaces = /^[ ]*/.exec(after)?.[0].length ?? 0;
      const rest = after.slice(spaces);
      if (rest === "" || rest[0] === "#") {
        this.override = undefined;
        this.advance();
        out.push(this.blockValue(indent, false));
      } else if (rest[0] === "|" || rest[0] === ">") {
        this.override = undefined;
        this.advance();
        out.push(this.blockScalar(rest, indent));
      } else if (rest === "-" || rest.startsWith("- ")) {
        bail();
      } else if (isMapEntry(rest)) {
        // `- key: value`: a map whose first entry sits after the dash.
        this.override = { index: l.index, line: { indent: indent + 1 + spaces, text: rest } };
        out.push(this.map(indent + 1 + spaces));
      } else {
        this.override = undefined;
        this.advance();
        out.push(inlineScalar(rest));
      }
    }
  }

  /** `|`, `|-`, `|+` literal blocks; folded (`>`) and explicit indentation go to the library. */
  private blockScalar(header: string, parentIndent: number): string {
    const m = /^\|([-+]?)(?:[ ]+#.*)?$/.exec(header);
    if (!m) bail();
    const chomp = (m as RegExpExecArray)[1];
    const lines: string[] = [];
    let contentIndent = -1;
    while (this.i < this.raw.length) {
      const l = this.raw[this.i] as string;
      const ind = /^ */.exec(l)?.[0].length ?? 0;
      if (l.trim() === "") {
        if (l.includes("\t")) bail();
        if (contentIndent !== -1 && l.length > contentIndent) bail();
        if (contentIndent === -1 && l.length > parentIndent + 1) bail();
        lines.push("");
        this.i++;
        continue;
      }
      if (contentIndent === -1) {
        if (ind <= parentIndent) break;
        contentIndent = ind;
      }
      if (ind < contentIndent) break;
      lines.push(l.slice(contentIndent));
      this.i++;
    }
    // Trailing blank lines belong to the block only with `+`.
    let end = lines.length;
    while (end > 0 && lines[end - 1] === "") end--;
    const body = lines.slice(0, end);
    const trailing = lines.length - end;
    if (contentIndent === -1) {
      if (chomp === "+") bail();
      return "";
    }
    let text = body.join("\n");
    if (chomp === "-") return text;
    text += "\n";
    if (chomp === "+") {
      // Keeping trailing lines that the next structure may own is subtle: leave it to the library.
      if (trailing > 0) bail();
    }
    return text;
  }
}

function isMapEntry(text: string): boolean {
  if (text[0] === '"' || text[0] === "'") {
    try {
      const { rest } = readQuoted(text);
      return /^[ ]*:( |$)/.test(rest);
    } catch {
      return false;
    }
  }
  return /:( |$)/.test(text.replace(/ #.*$/, ""));
}

function splitKey(text: string): { key: string; rest: string } {
  if (text[0] === '"' || text[0] === "'") {
    const { value, rest } = readQuoted(text);
    const m = /^[ ]*:( |$)/.exec(rest);
    if (!m) bail();
    return { key: value, rest: rest.slice((m as RegExpExecArray)[0].length) };
  }
  const m = /:( |$)/.exec(text);
  if (!m) bail();
  const key = trimSpacesEnd(text.slice(0, (m as RegExpExecArray).index));
  if (key === "" || !PLAIN_START.test(key) || key.includes(" #") || key.includes("\t")) bail();
  const resolved = resolvePlain(key);
  // Keys the library would turn into non-strings (null, numbers written another way) go to it.
  if (typeof resolved !== "string" && String(resolved) !== key) bail();
  return { key, rest: text.slice((m as RegExpExecArray).index + 1) };
}

/** The fast reader alone: the value, or undefined when the text is outside its subset. */
export function readBlockYaml(text: string): { value: unknown } | undefined {
  if (text.includes("\r") || text.includes("\t") || text.startsWith("%") || text.charCodeAt(0) === 0xfeff) return undefined;
  try {
    const reader = new Reader(text.split("\n"));
    const first = reader.peek();
    if (!first || first.indent !== 0) return undefined;
    const value = reader.node(0);
    if (reader.peek() !== undefined) return undefined;
    return { value };
  } catch (e) {
    if (e instanceof Fallback) return undefined;
    throw e;
  }
}

/** Parses one YAML document; the same result as the `yaml` library's `parse(text)`, which it defers to outside the fast subset. */
export function parseYamlFast(text: string): unknown {
  const fast = readBlockYaml(text);
  return fast ? fast.value : parseYamlBounded(text);
}
