/**
 * A YAML emitter that writes what go-yaml (libyaml's emitter) writes, for Helm's toYaml: block
 * style, keys in go-yaml's "natural" order (digit runs compared as numbers), scalar styles chosen by
 * libyaml's analysis (plain, 'single', "double", |literal), long scalars folded at the first space
 * past column 80, empty collections as {} and []. The `yaml` library is a fine YAML writer but makes
 * different choices on each of these points, and rendered manifests are compared as text.
 */
import { formatFloat } from "../../fmt.js";

export type YamlTree = null | boolean | bigint | number | string | YamlTree[] | { [key: string]: YamlTree };

export interface EmitOptions {
  /** go-yaml v3 with SetIndent(2) indents sequences under a mapping key; v2 does not. */
  indentSequences: boolean;
}

const BEST_WIDTH = 80;
const BEST_INDENT = 2;

// ---------------------------------------------------------------------------------------------
// Key order (go-yaml's keyList.Less)

const isLetter = (c: string): boolean => /^\p{L}$/u.test(c);
const isDigit = (c: string): boolean => /^\p{Nd}$/u.test(c);

const NON_ASCII = /[\u0080-\uffff]/;

export function naturalLess(a: string, b: string): boolean {
  if (!NON_ASCII.test(a) && !NON_ASCII.test(b)) return asciiNaturalLess(a, b);
  const ar = Array.from(a);
  const br = Array.from(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const x = ar[i] as string;
    const y = br[i] as string;
    if (x === y) continue;
    const al = isLetter(x);
    const bl = isLetter(y);
    if (al && bl) return (x.codePointAt(0) as number) < (y.codePointAt(0) as number);
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (x === "0" || y === "0") {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] as string); j--) {
        if (ar[j] !== "0") {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai] as string); ai++) an = an * 10n + BigInt((ar[ai] as string).charCodeAt(0) - 48);
    for (; bi < br.length && isDigit(br[bi] as string); bi++) bn = bn * 10n + BigInt((br[bi] as string).charCodeAt(0) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (x.codePointAt(0) as number) < (y.codePointAt(0) as number);
  }
  return ar.length < br.length;
}

/** naturalLess for ASCII keys (the common case), without splitting into code points. */
function isL(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isD(c: number): boolean {
  return c >= 48 && c <= 57;
}

function asciiNaturalLess(a: string, b: string): boolean {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const al = isL(x);
    const bl = isL(y);
    if (al && bl) return x < y;
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (x === 48 || y === 48) {
      for (let j = i - 1; j >= 0 && isD(a.charCodeAt(j)); j--) {
        if (a.charCodeAt(j) !== 48) {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < a.length && isD(a.charCodeAt(ai)); ai++) an = an * 10n + BigInt(a.charCodeAt(ai) - 48);
    for (; bi < b.length && isD(b.charCodeAt(bi)); bi++) bn = bn * 10n + BigInt(b.charCodeAt(bi) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return x < y;
  }
  return a.length < b.length;
}

function naturalCompare(a: string, b: string): number {
  return naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0;
}

function sortKeys(keys: string[]): string[] {
  return keys.length < 2 ? keys : keys.sort(naturalCompare);
}

// ---------------------------------------------------------------------------------------------
// Which strings go-yaml must quote (resolve() gives a non-string tag for the plain form)

const RESOLVE_MAP = new Set([
  "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF",
  "true", "True", "TRUE", "false", "False", "FALSE", "", "~", "null", "Null", "NULL",
  ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<",
]);
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const GO_INT = /^[-+]?(0[bB][01_]+|0[oO][0-7_]+|0[xX][0-9a-fA-F_]+|0[0-7_]*|[1-9][0-9_]*)$/;
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?)?)?$/;

export function needsQuotes(s: string): boolean {
  if (RESOLVE_MAP.has(s)) return true;
  const c = s[0];
  if (c === undefined) return true;
  if (/[-+.0-9]/.test(c)) {
    const plain = s.replace(/_/g, "");
    if (GO_INT.test(plain) && plain !== "" && !/^[-+]$/.test(plain)) return true;
    if (YAML_FLOAT.test(plain)) return true;
    if (TIMESTAMP.test(s)) return true;
  }
  return BASE60_FLOAT.test(s);
}

// ---------------------------------------------------------------------------------------------
// libyaml's scalar analysis

interface Analysis {
  multiline: boolean;
  flowPlain: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

const isBreak = (c: string): boolean => c === "\r" || c === "\n" || c === "\u0085" || c === "\u2028" || c === "\u2029";
const isBlankZ = (c: string | undefined): boolean => c === undefined || c === " " || c === "\t" || isBreak(c);

function isPrintable(c: string): boolean {
  const v = c.codePointAt(0) as number;
  return (
    v === 0x0a ||
    (v >= 0x20 && v <= 0x7e) ||
    v === 0x85 ||
    (v >= 0xa0 && v <= 0xd7ff) ||
    (v >= 0xe000 && v <= 0xfffd && v !== 0xfeff) ||
    v >= 0x10000
  );
}

/** Strings made only of these, not starting with an indicator, are plain in every context. */
const SAFE_PLAIN = /^[A-Za-z0-9_/][A-Za-z0-9_./=+()-]*$/;

function analyze(s: string): Analysis {
  if (SAFE_PLAIN.test(s)) return { multiline: false, flowPlain: true, blockPlain: true, singleQuoted: true, block: true };
  if (s === "") return { multiline: false, flowPlain: false, blockPlain: true, singleQuoted: true, block: false };
  const chars = Array.from(s);
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let prevSpace = false;
  let prevBreak = false;
  if (s.startsWith("---") || s.startsWith("...")) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWs = true;
  let followedByWs = isBlankZ(chars[1]);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(c)) {
        flowIndicators = true;
        blockIndicators = true;
      }
      if (c === "?" || c === ":") {
        flowIndicators = true;
        if (followedByWs) blockIndicators = true;
      }
      if (c === "-" && followedByWs) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else {
      if (",?[]{}".includes(c)) flowIndicators = true;
      if (c === ":") {
        flowIndicators = true;
        if (followedByWs) blockIndicators = true;
      }
      if (c === "#" && precededByWs) {
        flowIndicators = true;
        blockIndicators = true;
      }
    }
    if (!isPrintable(c)) special = true;
    if (isBreak(c)) lineBreaks = true;
    if (c === " ") {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = isBlankZ(c);
    followedByWs = isBlankZ(chars[i + 2]);
  }
  const a: Analysis = { multiline: lineBreaks, flowPlain: true, blockPlain: true, singleQuoted: true, block: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.flowPlain = a.blockPlain = false;
  if (trailingSpace) a.block = false;
  if (breakSpace) a.flowPlain = a.blockPlain = a.singleQuoted = false;
  if (spaceBreak || special) a.flowPlain = a.blockPlain = a.singleQuoted = a.block = false;
  if (lineBreaks) a.flowPlain = a.blockPlain = false;
  if (flowIndicators) a.flowPlain = false;
  if (blockIndicators) a.blockPlain = false;
  return a;
}

type Style = "plain" | "single" | "double" | "literal";

// ---------------------------------------------------------------------------------------------
// The emitter

const NO_SURROGATES = /^[^\ud800-\udfff]*$/;

function codePoints(s: string): number {
  if (s.length === 1 || NO_SURROGATES.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is one code point; lone halves count alone.
    if (!(c >= 0xdc00 && c <= 0xdfff && i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff)) n++;
  }
  return n;
}

class Emitter {
  out = "";
  column = 0;
  whitespace = true;
  indention = true;

  put(s: string): void {
    this.out += s;
    this.column += codePoints(s);
  }

  putBreak(): void {
    this.out += "\n";
    this.column = 0;
  }

  writeIndent(indent: number): void {
    const ind = Math.max(indent, 0);
    if (!this.indention || this.column > ind || (this.column === ind && !this.whitespace)) this.putBreak();
    while (this.column < ind) this.put(" ");
    this.whitespace = true;
    this.indention = true;
  }

  indicator(ind: string, needWs: boolean, isWs: boolean, isIndention: boolean): void {
    if (needWs && !this.whitespace) this.put(" ");
    this.put(ind);
    this.whitespace = isWs;
    this.indention = this.indention && isIndention;
  }

  plain(s: string, indent: number, allowBreaks: boolean): void {
    if (!this.whitespace) this.put(" ");
    // Folding happens only at a space past the best width: short or space-free text goes in whole.
    if (!allowBreaks || !s.includes(" ") || this.column + s.length <= BEST_WIDTH) {
      if (s !== "") this.put(s);
      this.whitespace = false;
      this.indention = false;
      return;
    }
    const chars = Array.from(s);
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as string;
      if (c === " ") {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && chars[i + 1] !== " ") {
          this.writeIndent(indent);
        } else {
          this.put(c);
        }
        spaces = true;
      } else {
        this.put(c);
        this.indention = false;
        spaces = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  single(s: string, indent: number, allowBreaks: boolean): void {
    this.indicator("'", true, false, false);
    const chars = Array.from(s);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as string;
      if (c === " ") {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== chars.length - 1 && chars[i + 1] !== " ") {
          this.writeIndent(indent);
        } else {
          this.put(c);
        }
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === "\n") this.putBreak();
        this.putBreak();
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent(indent);
        this.put(c);
        if (c === "'") this.put("'");
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    if (breaks) this.writeIndent(indent);
    this.indicator("'", false, false, false);
  }

  double(s: string, indent: number, allowBreaks: boolean): void {
    this.indicator('"', true, false, false);
    const chars = Array.from(s);
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as string;
      const v = c.codePointAt(0) as number;
      if (!isPrintable(c) || v === 0xfeff || isBreak(c) || c === '"' || c === "\\") {
        this.put("\\" + escapeChar(v));
        spaces = false;
      } else if (c === " ") {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== chars.length - 1) {
          this.writeIndent(indent);
          if (chars[i + 1] === " ") this.put("\\");
        } else {
          this.put(c);
        }
        spaces = true;
      } else {
        this.put(c);
        spaces = false;
      }
    }
    this.indicator('"', false, false, false);
  }

  literal(s: string, indent: number): void {
    this.indicator("|", true, false, false);
    const chars = Array.from(s);
    let hints = "";
    if (chars[0] === " " || isBreak(chars[0] as string)) hints += String(BEST_INDENT);
    const last = chars[chars.length - 1];
    if (last === undefined || !isBreak(last)) hints += "-";
    else if (chars.length === 1 || isBreak(chars[chars.length - 2] as string)) hints += "+";
    this.put(hints);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of chars) {
      if (isBreak(c)) {
        this.putBreak();
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent(indent);
        this.put(c);
        this.indention = false;
        breaks = false;
      }
    }
  }

  /** Writes a value at `indent` (-1 for the document root). */
  node(v: YamlTree, indent: number, inMappingValue: boolean, indentSequences: boolean): void {
    if (Array.isArray(v)) {
      if (v.length === 0) {
        this.indicator("[", true, true, false);
        this.indicator("]", false, false, false);
        return;
      }
      // In a mapping value the sequence is "indentless" unless v3-style indentation is asked for.
      const seqIndent = indent < 0 ? 0 : inMappingValue && !this.indention && !indentSequences ? indent : indent + BEST_INDENT;
      for (const item of v) {
        this.writeIndent(seqIndent);
        this.indicator("-", true, false, true);
        this.node(item, seqIndent, false, indentSequences);
      }
      return;
    }
    if (isMap(v)) {
      const keys = sortKeys(Object.keys(v));
      if (keys.length === 0) {
        this.indicator("{", true, true, false);
        this.indicator("}", false, false, false);
        return;
      }
      const mapIndent = indent < 0 ? 0 : indent + BEST_INDENT;
      for (const k of keys) {
        this.writeIndent(mapIndent);
        const key = scalarOf(k);
        // libyaml measures a simple key in UTF-8 bytes.
        const simple = !k.includes("\n") && Buffer.byteLength(k, "utf8") <= 128;
        if (simple) {
          this.scalar(key.text, key.style, mapIndent + BEST_INDENT, true);
          this.indicator(":", false, false, false);
        } else {
          this.indicator("?", true, false, true);
          this.scalar(key.text, key.style, mapIndent + BEST_INDENT, false);
          this.writeIndent(mapIndent);
          this.indicator(":", true, false, true);
        }
        this.node(v[k] ?? null, mapIndent, true, indentSequences);
      }
      return;
    }
    const s = scalarOf(v);
    this.scalar(s.text, s.style, indent < 0 ? BEST_INDENT : indent + BEST_INDENT, false);
  }

  /** Writes a scalar in the style go-yaml would pick; `indent` is the scalar's own indent. */
  scalar(text: string, requested: Style, indent: number, simpleKey: boolean): void {
    const a = analyze(text);
    let style = requested;
    if (style === "plain") {
      if (!a.blockPlain) style = "single";
      if (text === "" && simpleKey) style = "single";
    }
    if (style === "single" && !a.singleQuoted) style = "double";
    if (style === "literal" && (!a.block || simpleKey)) style = "double";
    const allowBreaks = !simpleKey;
    switch (style) {
      case "plain":
        this.plain(text, indent, allowBreaks);
        break;
      case "single":
        this.single(text, indent, allowBreaks);
        break;
      case "double":
        this.double(text, indent, allowBreaks);
        break;
      case "literal":
        this.literal(text, indent);
        break;
    }
  }
}

function escapeChar(v: number): string {
  switch (v) {
    case 0x00:
      return "0";
    case 0x07:
      return "a";
    case 0x08:
      return "b";
    case 0x09:
      return "t";
    case 0x0a:
      return "n";
    case 0x0b:
      return "v";
    case 0x0c:
      return "f";
    case 0x0d:
      return "r";
    case 0x1b:
      return "e";
    case 0x22:
      return '"';
    case 0x5c:
      return "\\";
    case 0x85:
      return "N";
    case 0xa0:
      return "_";
    case 0x2028:
      return "L";
    case 0x2029:
      return "P";
    default:
      if (v <= 0xff) return "x" + v.toString(16).toUpperCase().padStart(2, "0");
      if (v <= 0xffff) return "u" + v.toString(16).toUpperCase().padStart(4, "0");
      return "U" + v.toString(16).toUpperCase().padStart(8, "0");
  }
}

/** The text and requested style of a non-collection value, as go-yaml's encoder chooses them. */
function scalarOf(v: YamlTree): { text: string; style: Style } {
  if (v === null) return { text: "null", style: "plain" };
  if (typeof v === "boolean") return { text: v ? "true" : "false", style: "plain" };
  if (typeof v === "bigint") return { text: v.toString(), style: "plain" };
  if (typeof v === "number") {
    if (Number.isNaN(v)) return { text: ".nan", style: "plain" };
    if (v === Infinity) return { text: ".inf", style: "plain" };
    if (v === -Infinity) return { text: "-.inf", style: "plain" };
    // Whole numbers print as integers (JSON round trip in Helm's toYaml; the project's rule elsewhere).
    if (Number.isInteger(v) && Math.abs(v) < 2 ** 63) return { text: BigInt(v).toString(), style: "plain" };
    return { text: formatFloat(v, "g", -1), style: "plain" };
  }
  const s = v as string;
  if (s.includes("\n")) return { text: s, style: "literal" };
  return { text: s, style: needsQuotes(s) ? "double" : "plain" };
}

const isMap = (v: YamlTree): v is { [key: string]: YamlTree } => v !== null && typeof v === "object" && !Array.isArray(v);

/** Serializes a tree as go-yaml's Marshal does (with its trailing newline). */
export function emitYaml(tree: YamlTree, opts: EmitOptions = { indentSequences: false }): string {
  const e = new Emitter();
  e.node(tree, -1, false, opts.indentSequences);
  // Document end: go-yaml finishes the last line.
  e.writeIndent(0);
  return e.out;
}
