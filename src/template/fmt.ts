/**
 * Go's fmt (Sprintf, Sprint, Sprintln, %v) over template values.
 *
 * Behaves as Go's fmt package does for the value kinds templates carry (see values.ts),
 * including its inline error strings (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA …)`).
 * One deliberate difference, shared with the rest of the engine: a float64 holding a whole
 * number prints as an integer under %v and works with %d, because values-file numbers are
 * float64 and charts expect `8080`, `1000000`.
 */
import { GoStruct, isGoMap, isWholeFloat } from "./values.js";
import type { GoValue } from "./values.js";

/** Go's type name as `%T` prints it. */
export function goTypeName(v: GoValue): string {
  if (v === null || v === undefined) return "<nil>";
  switch (typeof v) {
    case "bigint":
      return "int";
    case "number":
      return "float64";
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "function":
      return "func(...interface {}) (interface {}, error)";
    default:
      if (Array.isArray(v)) return "[]interface {}";
      if (v instanceof GoStruct) return v.goTypeName;
      return "map[string]interface {}";
  }
}

// ---------------------------------------------------------------------------------------------
// Strings and runes

/** Number of Unicode code points (Go counts runes for width and precision). */
export function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const p = s.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) continue;
    }
    n++;
  }
  return n;
}

const printRe = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space. */
export function isPrintRune(r: number): boolean {
  if (r <= 0xff) {
    if (r >= 0x20 && r <= 0x7e) return true;
    if (r >= 0xa1 && r <= 0xff) return r !== 0xad;
    return false;
  }
  if (r >= 0xd800 && r <= 0xdfff) return false;
  if (r > 0x10ffff) return false;
  return printRe.test(String.fromCodePoint(r));
}

function hex4(r: number, n: number): string {
  return r.toString(16).padStart(n, "0");
}

function escapeRune(r: number, quote: number, asciiOnly: boolean): string {
  if (r === quote || r === 0x5c) return "\\" + String.fromCharCode(r);
  if (asciiOnly) {
    if (r < 0x80 && isPrintRune(r)) return String.fromCharCode(r);
  } else if (isPrintRune(r)) {
    return String.fromCodePoint(r);
  }
  switch (r) {
    case 7:
      return "\\a";
    case 8:
      return "\\b";
    case 12:
      return "\\f";
    case 10:
      return "\\n";
    case 13:
      return "\\r";
    case 9:
      return "\\t";
    case 11:
      return "\\v";
  }
  if (r < 0x20 || r === 0x7f) return "\\x" + hex4(r, 2);
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = 0xfffd;
  if (r < 0x10000) return "\\u" + hex4(r, 4);
  return "\\U" + hex4(r, 8);
}

/** Go's strconv.Quote (or QuoteToASCII). */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  let plainStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) continue;
    if (!asciiOnly && c >= 0xa1 && c < 0xd800 && c !== 0xad && isPrintRune(c)) continue;
    out += s.slice(plainStart, i);
    let r = c;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        r = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        i++;
      }
    }
    out += escapeRune(r, 0x22, asciiOnly);
    plainStart = i + 1;
  }
  return out + s.slice(plainStart) + '"';
}

/** Go's strconv.QuoteRune (or QuoteRuneToASCII). */
export function goQuoteRune(r: number, asciiOnly = false): string {
  if (r < 0 || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = 0xfffd;
  return "'" + escapeRune(r, 0x27, asciiOnly) + "'";
}

function canBackquote(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0xfeff) return false;
    if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate stands for invalid UTF-8.
      const pair =
        c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
      if (!pair) return false;
      i++;
      continue;
    }
    if ((c < 0x20 && c !== 9) || c === 0x60 || c === 0x7f) return false;
  }
  return true;
}

const utf8Encoder = new TextEncoder();

/** The UTF-8 bytes of a string (Go strings are bytes). */
export function utf8Bytes(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

// ---------------------------------------------------------------------------------------------
// Floats: exact decimal digits, Go's rounding (half to even on exact ties), Go's layouts.

interface Digits {
  /** Significant digits, no leading or trailing zeros ("" for zero). */
  d: string;
  /** Decimal point position: value = 0.d × 10^dp. */
  dp: number;
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** Mantissa and binary exponent of a finite double, value = mant × 2^exp. */
function decompose(x: number): { mant: bigint; exp: number; neg: boolean } {
  f64[0] = x;
  const bits = u64[0] as bigint;
  const neg = bits >> 63n !== 0n;
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & 0xfffffffffffffn;
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  return { mant, exp: exp - 1023 - 52, neg };
}

function trimDigits(d: string, dp: number): Digits {
  let end = d.length;
  while (end > 0 && d.charCodeAt(end - 1) === 48) end--;
  let start = 0;
  while (start < end && d.charCodeAt(start) === 48) {
    start++;
    dp--;
  }
  if (start === end) return { d: "", dp: 0 };
  return { d: d.slice(start, end), dp };
}

/** The exact decimal expansion of |x| (every double has a finite one). */
function exactDigits(x: number): Digits {
  const { mant, exp } = decompose(x);
  if (mant === 0n) return { d: "", dp: 0 };
  if (exp >= 0) {
    const s = (mant << BigInt(exp)).toString();
    return trimDigits(s, s.length);
  }
  const k = -exp;
  const s = (mant * 5n ** BigInt(k)).toString();
  return trimDigits(s, s.length - k);
}

/** The shortest digits that read back as |x| (Go's and JavaScript's shortest agree). */
function shortestDigits(x: number): Digits {
  if (x === 0) return { d: "", dp: 0 };
  const e = Math.abs(x).toExponential();
  const at = e.indexOf("e");
  const mant = e.slice(0, at).replace(".", "");
  const exp = Number(e.slice(at + 1));
  return trimDigits(mant, exp + 1);
}

/** Round to nd significant digits, half to even on exact ties (as Go's strconv). */
function roundDigits(a: Digits, nd: number): Digits {
  if (nd < 0) return { d: "", dp: 0 };
  if (nd >= a.d.length) return a;
  const c = a.d.charCodeAt(nd);
  let up: boolean;
  if (c > 53) up = true;
  else if (c < 53) up = false;
  else if (nd + 1 < a.d.length) up = true;
  else up = nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  if (!up) return trimDigits(a.d.slice(0, nd), a.dp);
  let i = nd - 1;
  while (i >= 0 && a.d.charCodeAt(i) === 57) i--;
  if (i < 0) return { d: "1", dp: a.dp + 1 };
  return trimDigits(a.d.slice(0, i) + String.fromCharCode(a.d.charCodeAt(i) + 1), a.dp);
}

function fmtE(neg: boolean, d: Digits, prec: number, fmt: string): string {
  let out = neg ? "-" : "";
  out += d.d.length > 0 ? d.d[0] : "0";
  if (prec > 0) {
    out += ".";
    const frac = d.d.slice(1, Math.min(d.d.length, prec + 1));
    out += frac + "0".repeat(prec - frac.length);
  }
  let exp = d.d.length === 0 ? 0 : d.dp - 1;
  let sign = "+";
  if (exp < 0) {
    sign = "-";
    exp = -exp;
  }
  return out + fmt + sign + (exp < 10 ? "0" + exp : String(exp));
}

function fmtF(neg: boolean, d: Digits, prec: number): string {
  let out = neg ? "-" : "";
  if (d.dp > 0) {
    const m = Math.min(d.d.length, d.dp);
    out += d.d.slice(0, m) + "0".repeat(d.dp - m);
  } else {
    out += "0";
  }
  if (prec > 0) {
    out += ".";
    for (let i = 0; i < prec; i++) {
      const j = d.dp + i;
      out += j >= 0 && j < d.d.length ? d.d[j] : "0";
    }
  }
  return out;
}

function fmtB(neg: boolean, mant: bigint, exp: number): string {
  return (neg ? "-" : "") + mant.toString() + "p" + (exp >= 0 ? "+" : "") + String(exp);
}

function fmtX(x: number, prec: number, fmt: "x" | "X"): string {
  const parts = decompose(x);
  let mant = parts.mant;
  let exp = parts.exp + 52;
  if (mant === 0n) exp = 0;
  const mask60 = (1n << 60n) - 1n;
  mant <<= 8n; // 60 - 52
  while (mant !== 0n && (mant & (1n << 60n)) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & mask60;
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = fmt === "X" ? "0123456789ABCDEF" : "0123456789abcdef";
  let out = (parts.neg ? "-" : "") + "0" + fmt + ((mant >> 60n) & 1n).toString();
  mant = (mant << 4n) & ((1n << 64n) - 1n);
  if (prec < 0 && mant !== 0n) {
    out += ".";
    while (mant !== 0n) {
      out += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  } else if (prec > 0) {
    out += ".";
    for (let i = 0; i < prec; i++) {
      out += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  }
  out += fmt === "X" ? "P" : "p";
  let sign = "+";
  if (exp < 0) {
    sign = "-";
    exp = -exp;
  }
  return out + sign + (exp < 10 ? "0" + exp : String(exp));
}

/** Go's strconv.FormatFloat(x, fmt, prec, 64). */
export function formatFloat(x: number, fmt: string, prec: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  const neg = x < 0 || Object.is(x, -0);
  if (fmt === "b") {
    const p = decompose(x);
    return fmtB(neg, p.mant, p.exp);
  }
  if (fmt === "x" || fmt === "X") return fmtX(x, prec, fmt);
  const shortest = prec < 0;
  let digs: Digits;
  if (shortest) {
    digs = shortestDigits(x);
    if (fmt === "e" || fmt === "E") prec = Math.max(digs.d.length - 1, 0);
    else if (fmt === "f") prec = Math.max(digs.d.length - digs.dp, 0);
    else prec = digs.d.length;
  } else {
    const exact = exactDigits(x);
    if (fmt === "e" || fmt === "E") digs = roundDigits(exact, prec + 1);
    else if (fmt === "f") digs = roundDigits(exact, exact.dp + prec);
    else {
      if (prec === 0) prec = 1;
      digs = roundDigits(exact, prec);
    }
  }
  if (fmt === "e" || fmt === "E") return fmtE(neg, digs, prec, fmt);
  if (fmt === "f") return fmtF(neg, digs, prec);
  // g / G
  let eprec = prec;
  if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
  if (shortest) eprec = 6;
  const exp = digs.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > digs.d.length) prec = digs.d.length;
    return fmtE(neg, digs, prec - 1, fmt === "G" ? "E" : "e");
  }
  if (prec > digs.dp) prec = digs.d.length;
  return fmtF(neg, digs, Math.max(prec - digs.dp, 0));
}

/** Go's %v of a float64, except that whole numbers print as integers (8080, 1000000). */
export function formatFloatV(x: number): string {
  if (isWholeFloat(x) && !Object.is(x, -0)) return String(x);
  return formatFloat(x, "g", -1);
}

// ---------------------------------------------------------------------------------------------
// The printer

const LDIGITS = "0123456789abcdefx";
const UDIGITS = "0123456789ABCDEFX";
const TWO64 = 1n << 64n;

function isStringKind(v: GoValue): boolean {
  return typeof v === "string";
}

class Printer {
  buf = "";
  wid = 0;
  prec = 0;
  widPresent = false;
  precPresent = false;
  minus = false;
  plus = false;
  sharp = false;
  space = false;
  zero = false;
  plusV = false;
  sharpV = false;
  /** Set while printing a bad-verb report: methods are not called then, as in Go. */
  erroring = false;

  clearFlags(): void {
    this.widPresent = false;
    this.precPresent = false;
    this.minus = false;
    this.plus = false;
    this.sharp = false;
    this.space = false;
    this.zero = false;
    this.plusV = false;
    this.sharpV = false;
  }

  padding(n: number): string {
    if (n <= 0) return "";
    return (this.zero ? "0" : " ").repeat(n);
  }

  pad(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.wid - runeCount(s);
    if (!this.minus) this.buf += this.padding(width) + s;
    else this.buf += s + this.padding(width);
  }

  // -- scalars ---------------------------------------------------------------------------------

  fmtBoolean(v: boolean): void {
    this.pad(v ? "true" : "false");
  }

  fmtUnicode(u: bigint): void {
    if (u < 0n) u += TWO64;
    let prec = 4;
    if (this.precPresent && this.prec > 4) prec = this.prec;
    let s = u.toString(16).toUpperCase();
    if (s.length < prec) s = "0".repeat(prec - s.length) + s;
    s = "U+" + s;
    if (this.sharp && u <= 0x10ffffn && isPrintRune(Number(u))) {
      s += " '" + String.fromCodePoint(Number(u)) + "'";
    }
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  fmtInteger(v: bigint, base: number, verb: string, digits: string): void {
    const negative = v < 0n;
    const u = negative ? -v : v;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && u === 0n) {
        const oldZero = this.zero;
        this.zero = false;
        this.buf += this.padding(this.wid);
        this.zero = oldZero;
        return;
      }
    } else if (this.zero && this.widPresent) {
      prec = this.wid;
      if (negative || this.plus || this.space) prec--;
    }
    let s = u.toString(base);
    if (digits === UDIGITS && base === 16) s = s.toUpperCase();
    if (s.length < prec) s = "0".repeat(prec - s.length) + s;
    if (this.sharp) {
      if (base === 2) s = "0b" + s;
      else if (base === 8) {
        if (s[0] !== "0") s = "0" + s;
      } else if (base === 16) s = "0" + digits[16] + s;
    }
    if (verb === "O") s = "0o" + s;
    if (negative) s = "-" + s;
    else if (this.plus) s = "+" + s;
    else if (this.space) s = " " + s;
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  truncate(s: string): string {
    if (this.precPresent) {
      let n = this.prec;
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
          const p = s.charCodeAt(i - 1);
          if (p >= 0xd800 && p <= 0xdbff) continue;
        }
        n--;
        if (n < 0) return s.slice(0, i);
      }
    }
    return s;
  }

  fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  fmtSx(s: string, digits: string): void {
    let bytes = utf8Bytes(s);
    let length = bytes.length;
    if (this.precPresent && this.prec < length) {
      length = this.prec;
      bytes = bytes.subarray(0, length);
    }
    let width = 2 * length;
    if (width > 0) {
      if (this.space) {
        if (this.sharp) width *= 2;
        width += length - 1;
      } else if (this.sharp) {
        width += 2;
      }
    } else {
      if (this.widPresent) this.buf += this.padding(this.wid);
      return;
    }
    if (this.widPresent && this.wid > width && !this.minus) this.buf += this.padding(this.wid - width);
    let out = "";
    if (this.sharp) out += "0" + digits[16];
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) {
        out += " ";
        if (this.sharp) out += "0" + digits[16];
      }
      const c = bytes[i] as number;
      out += (digits[c >> 4] as string) + (digits[c & 15] as string);
    }
    this.buf += out;
    if (this.widPresent && this.wid > width && this.minus) this.buf += this.padding(this.wid - width);
  }

  fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.sharp && canBackquote(s)) {
      this.pad("`" + s + "`");
      return;
    }
    this.pad(goQuote(s, this.plus));
  }

  fmtC(c: bigint): void {
    let r = c < 0n || c > 0x10ffffn ? 0xfffd : Number(c);
    if (r >= 0xd800 && r <= 0xdfff) r = 0xfffd;
    this.pad(String.fromCodePoint(r));
  }

  fmtQc(c: bigint): void {
    const r = c < 0n || c > 0x10ffffn ? 0xfffd : Number(c);
    this.pad(goQuoteRune(r, this.plus));
  }

  fmtFloatNum(v: number, verb: string, prec: number, wholeAsInt: boolean): void {
    if (this.precPresent) prec = this.prec;
    let num: string;
    if (wholeAsInt && !this.precPresent && isWholeFloat(v) && !Object.is(v, -0)) num = String(v);
    else num = formatFloat(v, verb, prec);
    if (num[0] === "-" || num[0] === "+") {
      // keep
    } else {
      num = "+" + num;
    }
    if (this.space && num[0] === "+" && !this.plus) num = " " + num.slice(1);
    if (num[1] === "I" || num[1] === "N") {
      const oldZero = this.zero;
      this.zero = false;
      if (num[1] === "N" && !this.space && !this.plus) num = num.slice(1);
      this.pad(num);
      this.zero = oldZero;
      return;
    }
    if (this.sharp && verb !== "b") {
      let digits = 0;
      if (verb === "v" || verb === "g" || verb === "G" || verb === "x") {
        digits = prec;
        if (digits === -1) digits = 6;
      }
      let tail = "";
      let body = num;
      let hasDecimalPoint = false;
      let sawNonzeroDigit = false;
      for (let i = 1; i < body.length; i++) {
        const ch = body[i] as string;
        if (ch === ".") {
          hasDecimalPoint = true;
          continue;
        }
        if (ch === "p" || ch === "P") {
          tail = body.slice(i);
          body = body.slice(0, i);
          break;
        }
        if ((ch === "e" || ch === "E") && verb !== "x" && verb !== "X") {
          tail = body.slice(i);
          body = body.slice(0, i);
          break;
        }
        if (ch !== "0") sawNonzeroDigit = true;
        if (sawNonzeroDigit) digits--;
      }
      if (!hasDecimalPoint) {
        if (body.length === 2 && body[1] === "0") digits--;
        body += ".";
      }
      if (digits > 0) body += "0".repeat(digits);
      num = body + tail;
    }
    if (this.plus || num[0] !== "+") {
      if (this.zero && this.widPresent && this.wid > num.length) {
        this.buf += num[0] + this.padding(this.wid - num.length) + num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  // -- by kind ---------------------------------------------------------------------------------

  badVerb(verb: string, arg: GoValue): void {
    this.erroring = true;
    this.buf += "%!" + verb + "(";
    if (arg === null || arg === undefined) {
      this.buf += "<nil>";
    } else {
      this.buf += goTypeName(arg) + "=";
      this.printArg(arg, "v");
    }
    this.buf += ")";
    this.erroring = false;
  }

  /**
   * Go's handleMethods for structs: an Error or String method (GoString under %#v) prints the value.
   * Returns whether it printed.
   */
  handleMethods(v: GoStruct, verb: string): boolean {
    if (this.erroring) return false;
    const methods = v as unknown as Record<string, unknown>;
    let method: string | undefined;
    if (this.sharpV) {
      if (typeof methods["GoString"] === "function") method = "GoString";
    } else if (verb === "v" || verb === "s" || verb === "x" || verb === "X" || verb === "q") {
      if (typeof methods["Error"] === "function") method = "Error";
      else if (typeof methods["String"] === "function") method = "String";
    }
    if (method === undefined) return false;
    let text: GoValue;
    try {
      text = (methods[method] as () => GoValue).call(v);
    } catch (e) {
      const flags = this.saveFlags();
      this.clearFlags();
      this.buf += "%!" + verb + "(PANIC=" + method + " method: " + (e instanceof Error ? e.message : String(e)) + ")";
      this.restoreFlags(flags);
      return true;
    }
    const str = typeof text === "string" ? text : formatValue(text);
    if (method === "GoString") this.fmtS(str);
    else this.fmtString(str, verb);
    return true;
  }

  saveFlags(): unknown[] {
    return [this.wid, this.prec, this.widPresent, this.precPresent, this.minus, this.plus, this.sharp, this.space, this.zero, this.plusV, this.sharpV];
  }

  restoreFlags(f: unknown[]): void {
    [this.wid, this.prec, this.widPresent, this.precPresent, this.minus, this.plus, this.sharp, this.space, this.zero, this.plusV, this.sharpV] =
      f as [number, number, boolean, boolean, boolean, boolean, boolean, boolean, boolean, boolean, boolean];
  }

  fmtBool(v: boolean, verb: string): void {
    if (verb === "t" || verb === "v") this.fmtBoolean(v);
    else this.badVerb(verb, v);
  }

  fmtInt(v: bigint, verb: string, orig: GoValue): void {
    switch (verb) {
      case "v":
      case "d":
        this.fmtInteger(v, 10, verb, LDIGITS);
        return;
      case "b":
        this.fmtInteger(v, 2, verb, LDIGITS);
        return;
      case "o":
      case "O":
        this.fmtInteger(v, 8, verb, LDIGITS);
        return;
      case "x":
        this.fmtInteger(v, 16, verb, LDIGITS);
        return;
      case "X":
        this.fmtInteger(v, 16, verb, UDIGITS);
        return;
      case "c":
        this.fmtC(v);
        return;
      case "q":
        this.fmtQc(v);
        return;
      case "U":
        this.fmtUnicode(v);
        return;
      default:
        this.badVerb(verb, orig);
    }
  }

  fmtFloat(v: number, verb: string): void {
    switch (verb) {
      case "v":
        this.fmtFloatNum(v, "g", -1, true);
        return;
      case "d":
        // Values-file numbers are float64; a whole one works where Go wants an int.
        if (isWholeFloat(v)) {
          this.fmtInteger(BigInt(v), 10, verb, LDIGITS);
          return;
        }
        this.badVerb(verb, v);
        return;
      case "b":
      case "g":
      case "G":
      case "x":
      case "X":
        this.fmtFloatNum(v, verb, -1, false);
        return;
      case "f":
      case "e":
      case "E":
        this.fmtFloatNum(v, verb, 6, false);
        return;
      case "F":
        this.fmtFloatNum(v, "f", 6, false);
        return;
      default:
        this.badVerb(verb, v);
    }
  }

  fmtString(v: string, verb: string): void {
    switch (verb) {
      case "v":
        if (this.sharpV) this.fmtQ(v);
        else this.fmtS(v);
        return;
      case "s":
        this.fmtS(v);
        return;
      case "x":
        this.fmtSx(v, LDIGITS);
        return;
      case "X":
        this.fmtSx(v, UDIGITS);
        return;
      case "q":
        this.fmtQ(v);
        return;
      default:
        this.badVerb(verb, v);
    }
  }

  fmtPointerLike(v: GoValue, verb: string): void {
    // Go prints an address; there is none to print here, so print a stable stand-in.
    if (verb === "v" || verb === "p") {
      if (this.sharpV) this.buf += "(" + goTypeName(v) + ")(0x1)";
      else this.pad("0x1");
      return;
    }
    this.badVerb(verb, v);
  }

  printArg(arg: GoValue, verb: string): void {
    if (arg === null || arg === undefined) {
      if (verb === "T" || verb === "v") this.pad("<nil>");
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === "T") {
      this.fmtS(goTypeName(arg));
      return;
    }
    if (verb === "p") {
      if (typeof arg === "function" || Array.isArray(arg) || typeof arg === "object") {
        this.fmtPointerLike(arg, "p");
      } else {
        this.badVerb(verb, arg);
      }
      return;
    }
    this.printValue(arg, verb, 0);
  }

  printValue(v: GoValue, verb: string, depth: number): void {
    switch (typeof v) {
      case "boolean":
        this.fmtBool(v, verb);
        return;
      case "bigint":
        this.fmtInt(v, verb, v);
        return;
      case "number":
        this.fmtFloat(v, verb);
        return;
      case "string":
        this.fmtString(v, verb);
        return;
      case "function":
        this.fmtPointerLike(v, verb);
        return;
      case "undefined":
        this.printNilElem(depth);
        return;
    }
    if (v === null) {
      this.printNilElem(depth);
      return;
    }
    if (Array.isArray(v)) {
      if (this.sharpV) {
        this.buf += "[]interface {}{";
        for (let i = 0; i < v.length; i++) {
          if (i > 0) this.buf += ", ";
          this.printValue(v[i], verb, depth + 1);
        }
        this.buf += "}";
        return;
      }
      this.buf += "[";
      for (let i = 0; i < v.length; i++) {
        if (i > 0) this.buf += " ";
        this.printValue(v[i], verb, depth + 1);
      }
      this.buf += "]";
      return;
    }
    if (v instanceof GoStruct) {
      if (this.handleMethods(v, verb)) return;
      if (this.sharpV) this.buf += v.goTypeName;
      this.buf += "{";
      let first = true;
      for (const key of Object.keys(v)) {
        if (key === "goTypeName") continue;
        const fv = (v as unknown as Record<string, GoValue>)[key];
        if (typeof fv === "function") continue;
        if (!first) this.buf += this.sharpV ? ", " : " ";
        first = false;
        if (this.plusV || this.sharpV) this.buf += key + ":";
        this.printValue(fv, verb, depth + 1);
      }
      this.buf += "}";
      return;
    }
    if (isGoMap(v)) {
      const keys = sortedKeys(v);
      this.buf += this.sharpV ? "map[string]interface {}{" : "map[";
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        if (i > 0) this.buf += this.sharpV ? ", " : " ";
        this.printValue(k, verb, depth + 1);
        this.buf += ":";
        this.printValue(v[k], verb, depth + 1);
      }
      this.buf += this.sharpV ? "}" : "]";
      return;
    }
    this.buf += "?" + String(v) + "?";
  }

  printNilElem(depth: number): void {
    if (depth === 0) {
      this.buf += "<invalid reflect.Value>";
      return;
    }
    this.buf += this.sharpV ? "interface {}(nil)" : "<nil>";
  }

  // -- Sprintf ---------------------------------------------------------------------------------

  intFromArg(args: GoValue[], argNum: number): { num: number; ok: boolean; next: number } {
    let num = 0;
    let ok = false;
    let next = argNum;
    if (argNum < args.length) {
      const a = args[argNum];
      if (typeof a === "bigint") {
        if (a >= -(1n << 62n) && a <= 1n << 62n) {
          num = Number(a);
          ok = true;
        }
      } else if (isWholeFloat(a)) {
        num = a;
        ok = true;
      }
      next = argNum + 1;
      if (num > 1e6 || num < -1e6) {
        num = 0;
        ok = false;
      }
    }
    return { num, ok, next };
  }

  doPrintf(format: string, args: GoValue[]): void {
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    let reordered = false;
    let i = 0;
    formatLoop: while (i < end) {
      let goodArgNum = true;
      const lasti = i;
      while (i < end && format.charCodeAt(i) !== 37) i++;
      if (i > lasti) this.buf += format.slice(lasti, i);
      if (i >= end) break;
      i++; // skip %
      this.clearFlags();
      simple: for (; i < end; i++) {
        const c = format[i] as string;
        switch (c) {
          case "#":
            this.sharp = true;
            break;
          case "0":
            this.zero = !this.minus;
            break;
          case "+":
            this.plus = true;
            break;
          case "-":
            this.minus = true;
            this.zero = false;
            break;
          case " ":
            this.space = true;
            break;
          default:
            if (c >= "a" && c <= "z" && argNum < args.length) {
              if (c === "v") {
                this.sharpV = this.sharp;
                this.sharp = false;
                this.plusV = this.plus;
                this.plus = false;
              }
              this.printArg(args[argNum], c);
              argNum++;
              i++;
              continue formatLoop;
            }
            break simple;
        }
      }

      // argument index
      let r = this.argNumber(argNum, format, i, args.length);
      argNum = r.argNum;
      i = r.i;
      afterIndex = r.found;
      if (r.reordered) reordered = true;
      if (!r.good) goodArgNum = false;

      if (i < end && format[i] === "*") {
        i++;
        const w = this.intFromArg(args, argNum);
        this.wid = w.num;
        this.widPresent = w.ok;
        argNum = w.next;
        if (!this.widPresent) this.buf += "%!(BADWIDTH)";
        if (this.wid < 0) {
          this.wid = -this.wid;
          this.minus = true;
          this.zero = false;
        }
        afterIndex = false;
      } else {
        const n = parseNum(format, i, end);
        this.wid = n.num;
        this.widPresent = n.isNum;
        i = n.next;
        if (afterIndex && this.widPresent) goodArgNum = false;
      }

      if (i + 1 < end && format[i] === ".") {
        i++;
        if (afterIndex) goodArgNum = false;
        r = this.argNumber(argNum, format, i, args.length);
        argNum = r.argNum;
        i = r.i;
        afterIndex = r.found;
        if (r.reordered) reordered = true;
        if (!r.good) goodArgNum = false;
        if (i < end && format[i] === "*") {
          i++;
          const p = this.intFromArg(args, argNum);
          this.prec = p.num;
          this.precPresent = p.ok;
          argNum = p.next;
          if (this.prec < 0) {
            this.prec = 0;
            this.precPresent = false;
          }
          if (!this.precPresent) this.buf += "%!(BADPREC)";
          afterIndex = false;
        } else {
          const n = parseNum(format, i, end);
          this.prec = n.num;
          this.precPresent = n.isNum;
          i = n.next;
          if (!this.precPresent) {
            this.prec = 0;
            this.precPresent = true;
          }
        }
      }

      if (!afterIndex) {
        r = this.argNumber(argNum, format, i, args.length);
        argNum = r.argNum;
        i = r.i;
        afterIndex = r.found;
        if (r.reordered) reordered = true;
        if (!r.good) goodArgNum = false;
      }

      if (i >= end) {
        this.buf += "%!(NOVERB)";
        break;
      }

      const cp = format.codePointAt(i) as number;
      const verb = String.fromCodePoint(cp);
      i += verb.length;

      if (verb === "%") {
        this.buf += "%";
      } else if (!goodArgNum) {
        this.buf += "%!" + verb + "(BADINDEX)";
      } else if (argNum >= args.length) {
        this.buf += "%!" + verb + "(MISSING)";
      } else {
        if (verb === "v") {
          this.sharpV = this.sharp;
          this.sharp = false;
          this.plusV = this.plus;
          this.plus = false;
        }
        this.printArg(args[argNum], verb);
        argNum++;
      }
    }

    if (!reordered && argNum < args.length) {
      this.clearFlags();
      this.buf += "%!(EXTRA ";
      for (let k = argNum; k < args.length; k++) {
        if (k > argNum) this.buf += ", ";
        const a = args[k];
        if (a === null || a === undefined) {
          this.buf += "<nil>";
        } else {
          this.buf += goTypeName(a) + "=";
          this.printArg(a, "v");
        }
      }
      this.buf += ")";
    }
  }

  argNumber(
    argNum: number,
    format: string,
    i: number,
    numArgs: number,
  ): { argNum: number; i: number; found: boolean; reordered: boolean; good: boolean } {
    if (format.length <= i || format[i] !== "[") return { argNum, i, found: false, reordered: false, good: true };
    // parseArgNumber
    let index = 0;
    let wid = 1;
    let ok = false;
    const rest = format.slice(i);
    if (rest.length >= 3) {
      for (let k = 1; k < rest.length; k++) {
        if (rest[k] === "]") {
          const n = parseNum(rest, 1, k);
          if (!n.isNum || n.next !== k) {
            index = 0;
            wid = k + 1;
            ok = false;
          } else {
            index = n.num - 1;
            wid = k + 1;
            ok = true;
          }
          break;
        }
      }
    }
    if (ok && index >= 0 && index < numArgs) return { argNum: index, i: i + wid, found: true, reordered: true, good: true };
    return { argNum, i: i + wid, found: ok, reordered: true, good: false };
  }
}

function parseNum(s: string, start: number, end: number): { num: number; isNum: boolean; next: number } {
  if (start >= end) return { num: 0, isNum: false, next: end };
  let num = 0;
  let isNum = false;
  let i = start;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    if (num > 1e6 || num < -1e6) return { num: 0, isNum: false, next: end };
    num = num * 10 + (c - 48);
    isNum = true;
  }
  return { num, isNum, next: i };
}

/** Map keys in Go's order (byte-wise, which for valid strings is code point order). */
export function sortedKeys(m: object): string[] {
  const keys = Object.keys(m).sort();
  // The default sort compares UTF-16 units, which agrees with UTF-8 byte order below U+D800.
  for (const k of keys) if (highChar.test(k)) return keys.sort(compareGoStrings);
  return keys;
}

const highChar = /[\ud800-\uffff]/;

export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (astral code points) sort after every BMP code point in UTF-8.
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys && (x >= 0xe000 || y >= 0xe000)) return xs ? 1 : -1;
      return x - y;
    }
  }
  return a.length - b.length;
}

// ---------------------------------------------------------------------------------------------
// Public entry points

/** Go's fmt.Sprintf. */
export function sprintf(format: string, args: GoValue[]): string {
  const p = new Printer();
  p.doPrintf(format, args);
  return p.buf;
}

/** Go's fmt.Sprint: operands are separated by a space when neither side is a string. */
export function sprint(args: GoValue[]): string {
  if (args.length === 1) return formatValue(args[0]);
  const p = new Printer();
  let prevString = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const isString = isStringKind(a);
    if (i > 0 && !isString && !prevString) p.buf += " ";
    p.clearFlags();
    p.printArg(a, "v");
    prevString = isString;
  }
  return p.buf;
}

/** Go's fmt.Sprintln: operands always separated by a space, newline appended. */
export function sprintln(args: GoValue[]): string {
  const p = new Printer();
  for (let i = 0; i < args.length; i++) {
    if (i > 0) p.buf += " ";
    p.printArg(args[i], "v");
  }
  return p.buf + "\n";
}

/** Go's %v of one value (whole-number floats as integers). */
export function formatValue(v: GoValue): string {
  switch (typeof v) {
    case "string":
      return v;
    case "bigint":
      return v.toString();
    case "boolean":
      return v ? "true" : "false";
    case "number":
      return formatFloatV(v);
    case "undefined":
      return "<nil>";
  }
  if (v === null) return "<nil>";
  const p = new Printer();
  p.printArg(v, "v");
  return p.buf;
}
