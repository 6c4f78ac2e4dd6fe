/**
 * Go's encoding/json over template values: map keys sorted, ints exact, whole floats without a
 * fraction, `<`, `>`, `&`, U+2028 and U+2029 escaped unless asked not to (json.Marshal escapes them).
 */
import { compareGoStrings, goQuote } from "../../fmt.js";
import { GoStruct, isGoMap, isNil } from "../../values.js";
import type { GoMap, GoValue } from "../../values.js";
import { goTypeName, structFields } from "../args.js";

export interface JsonOptions {
  escapeHTML: boolean;
  indent: string;
}

/** A value that knows its own JSON form (time.Time marshals as an RFC 3339 string). */
export interface JsonMarshaler {
  marshalJSON(): GoValue;
}

function isMarshaler(v: unknown): v is JsonMarshaler {
  return v instanceof GoStruct && typeof (v as unknown as Record<string, unknown>)["marshalJSON"] === "function";
}

function quoteJson(s: string, escapeHTML: boolean): string {
  let out = JSON.stringify(s);
  if (escapeHTML) out = out.replace(/[<>&]/g, (c) => "\\u00" + c.charCodeAt(0).toString(16));
  return out.replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function floatJson(f: number): string {
  if (!Number.isFinite(f)) throw new Error(`json: unsupported value: ${f !== f ? "NaN" : f > 0 ? "+Inf" : "-Inf"}`);
  return JSON.stringify(f);
}

/** json.Marshal / MarshalIndent. Throws Go's error text for unsupported values. */
export function goJsonMarshal(v: GoValue, opts: JsonOptions = { escapeHTML: true, indent: "" }): string {
  const nl = (depth: number): string => (opts.indent ? "\n" + opts.indent.repeat(depth) : "");
  const colon = opts.indent ? ": " : ":";
  const enc = (x: GoValue, depth: number): string => {
    if (isNil(x)) return "null";
    switch (typeof x) {
      case "string":
        return quoteJson(x, opts.escapeHTML);
      case "bigint":
        return x.toString();
      case "number":
        return floatJson(x);
      case "boolean":
        return x ? "true" : "false";
      case "function":
        throw new Error(`json: unsupported type: ${goTypeName(x)}`);
      default:
        break;
    }
    if (Array.isArray(x)) {
      if (x.length === 0) return "[]";
      return "[" + x.map((e) => nl(depth + 1) + enc(e, depth + 1)).join(",") + nl(depth) + "]";
    }
    if (isMarshaler(x)) return enc(x.marshalJSON(), depth);
    const entries: [string, GoValue][] =
      x instanceof GoStruct
        ? structFields(x)
        : Object.keys(x)
            .sort(compareGoStrings)
            .map((k) => [k, (x as GoMap)[k] ?? null]);
    if (entries.length === 0) return "{}";
    return (
      "{" +
      entries.map(([k, e]) => nl(depth + 1) + quoteJson(k, opts.escapeHTML) + colon + enc(e, depth + 1)).join(",") +
      nl(depth) +
      "}"
    );
  };
  return enc(v, 0);
}

/** Go's quoteChar for scanner errors: the byte in single quotes. */
function quoteChar(b: number): string {
  if (b === 0x27) return "'\\''";
  if (b === 0x22) return "'\"'";
  const q = goQuote(String.fromCharCode(b));
  return "'" + q.slice(1, -1) + "'";
}

/** The syntax error encoding/json reports for the text, or null when it is valid JSON. */
export function goJsonSyntaxError(text: string): string | null {
  const b = Buffer.from(text, "utf8");
  let i = 0;
  const EOF = "unexpected end of JSON input";
  const bad = (context: string): string => `invalid character ${quoteChar(b[i] as number)} ${context}`;
  const ws = (): void => {
    while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d)) i++;
  };
  const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
  const str = (): string | null => {
    i++; // opening quote
    for (;;) {
      if (i >= b.length) return EOF;
      const c = b[i] as number;
      if (c === 0x22) {
        i++;
        return null;
      }
      if (c < 0x20) return bad("in string literal");
      if (c === 0x5c) {
        i++;
        if (i >= b.length) return EOF;
        const e = b[i] as number;
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            i++;
            if (i >= b.length) return EOF;
            if (!/[0-9a-fA-F]/.test(String.fromCharCode(b[i] as number))) return bad("in \\u hexadecimal character escape");
          }
        } else if (!'"\\/bfnrt'.includes(String.fromCharCode(e))) {
          return bad("in string escape code");
        }
      }
      i++;
    }
  };
  const num = (): string | null => {
    if (b[i] === 0x2d) {
      i++;
      if (i >= b.length) return EOF;
      if (!isDigit(b[i])) return bad("in numeric literal");
    }
    if (b[i] === 0x30) i++;
    else while (isDigit(b[i])) i++;
    if (b[i] === 0x2e) {
      i++;
      if (i >= b.length) return EOF;
      if (!isDigit(b[i])) return bad("after decimal point in numeric literal");
      while (isDigit(b[i])) i++;
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      if (i >= b.length) return EOF;
      if (!isDigit(b[i])) return bad("in exponent of numeric literal");
      while (isDigit(b[i])) i++;
    }
    return null;
  };
  const literal = (word: string): string | null => {
    for (let k = 1; k < word.length; k++) {
      i++;
      if (i >= b.length) return EOF;
      if (b[i] !== word.charCodeAt(k)) return bad(`in literal ${word} (expecting '${word[k]}')`);
    }
    i++;
    return null;
  };
  const value = (): string | null => {
    ws();
    if (i >= b.length) return EOF;
    const c = b[i] as number;
    if (c === 0x7b) {
      i++;
      ws();
      if (i >= b.length) return EOF;
      if (b[i] === 0x7d) {
        i++;
        return null;
      }
      for (;;) {
        ws();
        if (i >= b.length) return EOF;
        if (b[i] !== 0x22) return bad("looking for beginning of object key string");
        const e1 = str();
        if (e1) return e1;
        ws();
        if (i >= b.length) return EOF;
        if (b[i] !== 0x3a) return bad("after object key");
        i++;
        const e2 = value();
        if (e2) return e2;
        ws();
        if (i >= b.length) return EOF;
        if (b[i] === 0x2c) {
          i++;
          continue;
        }
        if (b[i] === 0x7d) {
          i++;
          return null;
        }
        return bad("after object key:value pair");
      }
    }
    if (c === 0x5b) {
      i++;
      ws();
      if (i >= b.length) return EOF;
      if (b[i] === 0x5d) {
        i++;
        return null;
      }
      for (;;) {
        const e = value();
        if (e) return e;
        ws();
        if (i >= b.length) return EOF;
        if (b[i] === 0x2c) {
          i++;
          continue;
        }
        if (b[i] === 0x5d) {
          i++;
          return null;
        }
        return bad("after array element");
      }
    }
    if (c === 0x22) return str();
    if (c === 0x2d || isDigit(c)) return num();
    if (c === 0x74) return literal("true");
    if (c === 0x66) return literal("false");
    if (c === 0x6e) return literal("null");
    return bad("looking for beginning of value");
  };
  const err = value();
  if (err) return err;
  ws();
  if (i < b.length) return bad("after top-level value");
  return null;
}

/** json.Unmarshal into interface{}: numbers become float64, objects maps. Throws Go's messages. */
export function goJsonUnmarshal(s: string): GoValue {
  const err = goJsonSyntaxError(s);
  if (err) throw new Error(err);
  return JSON.parse(s) as GoValue;
}

/** Deep copy of a template value (maps and lists copied; structs shared, as copystructure copies them whole). */
export function deepCopy(v: GoValue): GoValue {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isGoMap(v)) {
    const out: GoMap = {};
    for (const k of Object.keys(v)) out[k] = deepCopy(v[k] ?? null);
    return out;
  }
  return v ?? null;
}
