/**
 * Argument coercion shared by the Sprig and Helm function tables.
 *
 * Sprig takes most arguments as `interface{}` and converts them with spf13/cast, which is lenient
 * (bad input gives zero). Where a Go signature asks for a concrete type (`int`, `string`, a map), the
 * template engine rejects other types; the `need*` helpers reproduce that with Go's message.
 */
import { GoStruct, isGoMap, isNil, isWholeFloat } from "../values.js";
import type { GoMap, GoValue } from "../values.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Wrap to int64 the way Go's fixed-width arithmetic does. */
export function wrapInt64(n: bigint): bigint {
  return BigInt.asIntN(64, n);
}

/** Parses a Go integer literal with base prefix (strconv.ParseInt(s, 0, 64)); null when invalid. */
export function parseGoInt(s: string, base = 0): bigint | null {
  let str = s;
  let neg = false;
  if (str.startsWith("+") || str.startsWith("-")) {
    neg = str[0] === "-";
    str = str.slice(1);
  }
  if (str === "") return null;
  let radix = base;
  if (base === 0) {
    radix = 10;
    const lower = str.toLowerCase();
    if (lower.startsWith("0x")) {
      radix = 16;
      str = str.slice(2);
    } else if (lower.startsWith("0b")) {
      radix = 2;
      str = str.slice(2);
    } else if (lower.startsWith("0o")) {
      radix = 8;
      str = str.slice(2);
    } else if (str.length > 1 && str.startsWith("0")) {
      radix = 8;
      str = str.slice(1);
    }
    // Go allows underscores between digits only with a base prefix (or the leading-0 octal form).
    if (radix !== 10) str = str.replace(/_(?=[0-9a-fA-F])/g, "");
  }
  const digits = "0123456789abcdefghijklmnopqrstuvwxyz".slice(0, radix);
  if (str === "") return null;
  let out = 0n;
  for (const ch of str.toLowerCase()) {
    const d = digits.indexOf(ch);
    if (d < 0) return null;
    out = out * BigInt(radix) + BigInt(d);
  }
  if (neg) out = -out;
  if (out < INT64_MIN || out > INT64_MAX) return null;
  return out;
}

/** Go's strconv.ParseFloat for the decimal and special forms templates meet; null when invalid. */
export function parseGoFloat(s: string): number | null {
  const t = s.replace(/_/g, "");
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  if (/^[+-]?0x/i.test(t)) {
    const n = parseGoInt(t, 0);
    return n === null ? null : Number(n);
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  return Number(t);
}

/** cast.ToInt64: numbers truncate, strings parse (base prefixes, a trailing ".0" allowed), bad input is 0. */
export function toInt64(v: GoValue): bigint {
  if (typeof v === "bigint") return wrapInt64(v);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return v !== v ? 0n : v > 0 ? INT64_MIN : INT64_MIN;
    return wrapInt64(BigInt(Math.trunc(v)));
  }
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "string") {
    let s = v;
    // cast trims a zero decimal part ("8080.0", "8080.00") before parsing.
    const m = /^(.*\d)\.0*$/.exec(s);
    if (m?.[1] !== undefined) s = m[1];
    // cast treats leading zeros as decimal digits, not an octal prefix.
    const dec = /^([+-]?)0+(\d+)$/.exec(s);
    if (dec) s = `${dec[1] ?? ""}${dec[2] ?? ""}`;
    return parseGoInt(s, 0) ?? 0n;
  }
  return 0n;
}

/** cast.ToFloat64. */
export function toFloat64(v: GoValue): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") return parseGoFloat(v) ?? 0;
  return 0;
}

/** Go type name as `%T` shows it. Go ints are reported as int64 (the type Sprig's results have). */
export function goTypeName(v: GoValue): string {
  if (isNil(v)) return "<nil>";
  switch (typeof v) {
    case "string":
      return "string";
    case "bigint":
      return "int64";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    case "function":
      return "func(...interface {}) (interface {}, error)";
    default:
      break;
  }
  if (Array.isArray(v)) return "[]interface {}";
  if (v instanceof GoStruct) return v.goTypeName;
  return "map[string]interface {}";
}

/** Go reflect.Kind name. */
export function goKindName(v: GoValue): string {
  if (isNil(v)) return "invalid";
  switch (typeof v) {
    case "string":
      return "string";
    case "bigint":
      return "int64";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    case "function":
      return "func";
    default:
      break;
  }
  if (Array.isArray(v)) return "slice";
  if (v instanceof GoStruct) return v.goTypeName.startsWith("*") ? "ptr" : "struct";
  return "map";
}

/** The error text template execution gives when an argument has the wrong type. */
export function wrongType(expected: string, v: GoValue): Error {
  return new Error(`wrong type for value; expected ${expected}; got ${goTypeName(v)}`);
}

/** An argument declared `int` in Go: ints and whole-number floats. */
export function needInt(v: GoValue): bigint {
  if (typeof v === "bigint") return v;
  if (isWholeFloat(v)) return BigInt(v);
  throw wrongType("int", v);
}

/** needInt as a JS number, for counts and indexes. */
export function needIntNum(v: GoValue): number {
  return Number(needInt(v));
}

/** An argument declared `string` in Go. */
export function needString(v: GoValue): string {
  if (typeof v === "string") return v;
  throw wrongType("string", v);
}

/** An argument declared `bool` in Go. */
export function needBool(v: GoValue): boolean {
  if (typeof v === "boolean") return v;
  throw wrongType("bool", v);
}

/** An argument declared `map[string]interface{}` in Go. */
export function needMap(v: GoValue): GoMap {
  if (isGoMap(v)) return v;
  throw wrongType("map[string]interface {}", v);
}

/** A map argument only read from: Go passes a nil map, which reads as empty. */
export function readMap(v: GoValue): GoMap {
  if (isNil(v)) return {};
  return needMap(v);
}

/** An argument declared `[]interface{}` in Go (nil is an empty slice). */
export function needList(v: GoValue): GoValue[] | null {
  if (isNil(v)) return null;
  if (Array.isArray(v)) return v as GoValue[];
  throw wrongType("[]interface {}", v);
}

/** Sprig's `empty`: the zero value of its type (structs never are). */
export function isEmpty(v: GoValue): boolean {
  if (isNil(v)) return true;
  switch (typeof v) {
    case "string":
      return v.length === 0;
    case "bigint":
      return v === 0n;
    case "number":
      return v === 0;
    case "boolean":
      return !v;
    case "function":
      return false;
    default:
      break;
  }
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof GoStruct) return false;
  return Object.keys(v).length === 0;
}

/** Go's reflect.DeepEqual over template values (an int and a float are different types). */
export function deepEqual(a: GoValue, b: GoValue): boolean {
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (typeof a !== typeof b) return false;
  if (typeof a !== "object") return a === b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (Array.isArray(b)) return false;
  if (a instanceof GoStruct || b instanceof GoStruct) {
    if (!(a instanceof GoStruct) || !(b instanceof GoStruct) || a.goTypeName !== b.goTypeName) return false;
    const ra = a as unknown as Record<string, GoValue>;
    const rb = b as unknown as Record<string, GoValue>;
    const ka = Object.keys(ra);
    return ka.length === Object.keys(rb).length && ka.every((k) => deepEqual(ra[k], rb[k]));
  }
  const ma = a as GoMap;
  const mb = b as GoMap;
  const ka = Object.keys(ma);
  if (ka.length !== Object.keys(mb).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(mb, k) && deepEqual(ma[k], mb[k]));
}

/** A struct's exported fields as Go's reflection sees them (function fields are methods, not fields). */
export function structFields(s: GoStruct): [string, GoValue][] {
  const out: [string, GoValue][] = [];
  for (const [k, v] of Object.entries(s)) {
    if (k === "goTypeName" || typeof v === "function") continue;
    if (!/^[A-Z]/.test(k)) continue;
    out.push([k, v as GoValue]);
  }
  return out;
}

/** UTF-8 bytes of a Go string. */
export function utf8(s: string): Buffer {
  return Buffer.from(s, "utf8");
}

/** Byte length of a Go string. */
export function byteLen(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** Go's s[start:end] on bytes, panicking like Go when out of range. */
export function sliceBytes(s: string, start: number, end?: number): string {
  const b = utf8(s);
  const e = end ?? b.length;
  if (start < 0 || e > b.length || start > e) {
    throw new Error(`runtime error: slice bounds out of range [${start}:${e}] with length ${b.length}`);
  }
  return b.subarray(start, e).toString("utf8");
}
