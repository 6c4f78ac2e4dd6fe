/**
 * Go literal syntax used by templates: strconv.Unquote / UnquoteChar for strings and chars,
 * and the number forms strconv.ParseInt / ParseUint / ParseFloat accept with base 0.
 */

const utf8Decoder = new TextDecoder("utf-8", { fatal: false });

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * One character (or escape) of a quoted Go literal. Returns the rune or raw byte and the next
 * index, or null when the syntax is invalid. `isByte` marks \x and octal escapes (raw bytes).
 */
function unquoteChar(s: string, i: number, quote: number): { value: number; isByte: boolean; next: number } | null {
  const c = s.codePointAt(i);
  if (c === undefined) return null;
  if (c === quote && (quote === 39 || quote === 34)) return null;
  if (c !== 92) return { value: c, isByte: false, next: i + (c > 0xffff ? 2 : 1) };
  const e = s.charCodeAt(i + 1);
  if (Number.isNaN(e)) return null;
  let j = i + 2;
  switch (e) {
    case 97:
      return { value: 7, isByte: false, next: j };
    case 98:
      return { value: 8, isByte: false, next: j };
    case 102:
      return { value: 12, isByte: false, next: j };
    case 110:
      return { value: 10, isByte: false, next: j };
    case 114:
      return { value: 13, isByte: false, next: j };
    case 116:
      return { value: 9, isByte: false, next: j };
    case 118:
      return { value: 11, isByte: false, next: j };
    case 120: // \x
    case 117: // \u
    case 85: {
      // \U
      const n = e === 120 ? 2 : e === 117 ? 4 : 8;
      let v = 0;
      for (let k = 0; k < n; k++) {
        const h = hexVal(s.charCodeAt(j + k));
        if (h < 0) return null;
        v = v * 16 + h;
      }
      j += n;
      if (e === 120) return { value: v, isByte: true, next: j };
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return null;
      return { value: v, isByte: false, next: j };
    }
    case 48:
    case 49:
    case 50:
    case 51:
    case 52:
    case 53:
    case 54:
    case 55: {
      let v = e - 48;
      for (let k = 0; k < 2; k++) {
        const d = s.charCodeAt(j + k) - 48;
        if (!(d >= 0 && d <= 7)) return null;
        v = v * 8 + d;
      }
      if (v > 255) return null;
      return { value: v, isByte: true, next: j + 2 };
    }
    case 92:
      return { value: 92, isByte: false, next: j };
    case 39:
    case 34:
      if (e !== quote) return null;
      return { value: e, isByte: false, next: j };
    default:
      return null;
  }
}

/** Go's strconv.Unquote for "…" and `…` literals; null for invalid syntax. */
export function unquote(q: string): string | null {
  if (q.length < 2) return null;
  const quote = q.charCodeAt(0);
  if (quote !== q.charCodeAt(q.length - 1)) return null;
  const body = q.slice(1, -1);
  if (quote === 96) {
    if (body.includes("`")) return null;
    return body.includes("\r") ? body.replace(/\r/g, "") : body;
  }
  if (quote !== 34 && quote !== 39) return null;
  if (!body.includes("\\") && !body.includes("\n") && !body.includes('"')) {
    if (quote === 34) return body;
  }
  let out = "";
  let bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length > 0) {
      out += utf8Decoder.decode(new Uint8Array(bytes));
      bytes = [];
    }
  };
  let i = 0;
  let count = 0;
  while (i < body.length) {
    if (body.charCodeAt(i) === 10) return null;
    const r = unquoteChar(body, i, quote);
    if (r === null) return null;
    if (r.isByte && r.value >= 0x80) {
      bytes.push(r.value);
    } else {
      flush();
      out += String.fromCodePoint(r.value);
    }
    i = r.next;
    count++;
  }
  flush();
  if (quote === 39 && count !== 1) return null;
  return out;
}

/** A character constant like 'a' or '\n' as its rune value; null when malformed. */
export function unquoteCharConstant(text: string): number | null {
  const r = unquoteChar(text, 1, 39);
  if (r === null) return null;
  if (text.slice(r.next) !== "'") return null;
  return r.value;
}

function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.length >= 1 && (s[0] === "-" || s[0] === "+")) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && "bBoOxX".includes(s[1] as string)) {
    i = 2;
    saw = "0";
    hex = s[1] === "x" || s[1] === "X";
  }
  for (; i < s.length; i++) {
    const c = s[i] as string;
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;

/** strconv.ParseUint(s, 0, 64) without the range check; null on syntax error. */
function parseUnsignedBase0(s: string): bigint | null {
  if (s.length === 0) return null;
  const s0 = s;
  let base = 10;
  if (s[0] === "0") {
    if (s.length >= 3 && "bB".includes(s[1] as string)) {
      base = 2;
      s = s.slice(2);
    } else if (s.length >= 3 && "oO".includes(s[1] as string)) {
      base = 8;
      s = s.slice(2);
    } else if (s.length >= 3 && "xX".includes(s[1] as string)) {
      base = 16;
      s = s.slice(2);
    } else {
      base = 8;
      s = s.slice(1);
    }
  }
  let n = 0n;
  let underscores = false;
  const b = BigInt(base);
  for (const c of s) {
    if (c === "_") {
      underscores = true;
      continue;
    }
    const d = hexVal(c.charCodeAt(0));
    if (d < 0 || d >= base) return null;
    n = n * b + BigInt(d);
  }
  if (underscores && !underscoreOK(s0)) return null;
  return n;
}

/** strconv.ParseFloat(s, 64) syntax (decimal and hex forms, underscores); null when invalid. */
function parseGoFloat(text: string): number | null {
  let s = text;
  let neg = false;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s.includes("_")) {
    if (!underscoreOK(s)) return null;
    s = s.replace(/_/g, "");
  }
  let v: number;
  const hex = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(s);
  if (hex) {
    const intPart = hex[1] ?? "";
    const frac = hex[2] ?? "";
    if (intPart.length + frac.length === 0) return null;
    const mant = BigInt("0x" + (intPart + frac || "0"));
    const exp = Number(hex[3]) - 4 * frac.length;
    v = Number(mant) * Math.pow(2, exp);
  } else if (/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s)) {
    v = Number(s);
  } else {
    return null;
  }
  return neg ? -v : v;
}

export interface NumberLiteral {
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  int: bigint;
  float: number;
}

/** Go's parse.newNumber for a number token: which kinds the literal can be, or an error message. */
export function parseNumberLiteral(text: string): NumberLiteral | { error: string } {
  const n: NumberLiteral = { isInt: false, isUint: false, isFloat: false, int: 0n, float: 0 };
  if (text.endsWith("i")) return { error: `complex constants are not supported: ${JSON.stringify(text)}` };
  const u = text[0] === "+" || text[0] === "-" ? null : parseUnsignedBase0(text);
  if (u !== null && u <= UINT64_MAX) n.isUint = true;
  let signed: bigint | null = null;
  if (text[0] === "+" || text[0] === "-") {
    const m = parseUnsignedBase0(text.slice(1));
    if (m !== null) signed = text[0] === "-" ? -m : m;
  } else {
    signed = u;
  }
  if (signed !== null && signed >= INT64_MIN && signed <= INT64_MAX) {
    n.isInt = true;
    n.int = signed;
    if (signed === 0n) n.isUint = true;
  }
  if (n.isInt) {
    n.isFloat = true;
    n.float = Number(n.int);
  } else if (n.isUint) {
    n.isFloat = true;
    n.float = Number(u);
  } else {
    const f = parseGoFloat(text);
    if (f !== null && Number.isFinite(f)) {
      if (!/[.eEpP]/.test(text)) return { error: `integer overflow: ${JSON.stringify(text)}` };
      n.isFloat = true;
      n.float = f;
      if (Number.isInteger(f) && f >= -9223372036854775808 && f < 9223372036854775808) {
        n.isInt = true;
        n.int = BigInt(f);
      }
      if (Number.isInteger(f) && f >= 0 && f < 18446744073709551616) n.isUint = true;
    } else if (f !== null) {
      return { error: `strconv.ParseFloat: parsing ${JSON.stringify(text)}: value out of range` };
    }
  }
  if (!n.isInt && !n.isUint && !n.isFloat) return { error: `illegal number syntax: ${JSON.stringify(text)}` };
  return n;
}
