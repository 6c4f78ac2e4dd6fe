/**
 * Go's text/template builtin functions: and, or, not, len, index, slice, print, printf, println,
 * html, js, urlquery, eq, ne, lt, le, gt, ge, call — with Go's signatures and error messages.
 *
 * Numbers follow the engine's rule: a float64 holding a whole number compares with ints and
 * is accepted as an index, because values-file numbers are float64.
 */
import * as fmt from "../fmt.js";
import * as values from "../values.js";
import type { GoMap, GoValue } from "../values.js";
import type { ExecBoundFunc, State } from "../exec.js";
import type { GoFunc, GoSignature } from "./types.js";
import { withSignature } from "./types.js";

// Local copies: under CommonJS-style loaders each read of an imported name is a getter call.
const { compareGoStrings, goTypeName, isPrintRune, sprint, sprintf, sprintln, utf8Bytes } = fmt;
const { GoStruct, isGoMap, isWholeFloat } = values;

const hasOwn = Object.prototype.hasOwnProperty;

function truth(v: GoValue): boolean {
  switch (typeof v) {
    case "boolean":
      return v;
    case "string":
      return v.length > 0;
    case "number":
      return v !== 0;
    case "bigint":
      return v !== 0n;
    case "undefined":
      return false;
    case "function":
      return true;
  }
  if (v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoStruct) return true;
  for (const k in v) if (hasOwn.call(v, k)) return true;
  return false;
}

// eslint-disable-next-line no-control-regex -- the whole ASCII range, NUL included
const isAscii = /^[\x00-\x7f]*$/;

function byteLength(s: string): number {
  return isAscii.test(s) ? s.length : utf8Bytes(s).length;
}

const utf8Decoder = new TextDecoder();

// -- and / or are evaluated by the executor (they short-circuit); these never run -----------------

export const and = withSignature((): GoValue => {
  throw new Error("unreachable");
}, { params: ["value"], variadic: "value" });

export const or = withSignature((): GoValue => {
  throw new Error("unreachable");
}, { params: ["value"], variadic: "value" });

const not = withSignature((v: GoValue): GoValue => !truth(v), { params: ["value"] });

const length = withSignature((v: GoValue): GoValue => {
  if (v === undefined) throw new Error("reflect: call of reflect.Value.Type on zero Value");
  if (v === null) throw new Error("len of nil pointer");
  if (typeof v === "string") return BigInt(byteLength(v));
  if (Array.isArray(v)) return BigInt(v.length);
  if (isGoMap(v)) return BigInt(Object.keys(v).length);
  throw new Error(`len of type ${goTypeName(v)}`);
}, { params: ["value"] });

/** Go's indexArg: an int (or whole float) within 0..cap. */
function indexArg(index: GoValue, cap: number): number {
  let x: bigint;
  if (typeof index === "bigint") x = index;
  else if (isWholeFloat(index)) x = BigInt(index);
  else if (index === undefined || index === null) throw new Error("cannot index slice/array with nil");
  else throw new Error(`cannot index slice/array with type ${goTypeName(index)}`);
  if (x < 0n || x > BigInt(cap)) throw new Error(`index out of range: ${x}`);
  return Number(x);
}

const index = withSignature((item: GoValue, ...indexes: GoValue[]): GoValue => {
  if (item === undefined || item === null) throw new Error("index of untyped nil");
  let cur: GoValue = item;
  let isByte = false; // Go's string index gives a uint8, which we carry as an int
  for (let idx of indexes) {
    if (idx === null) idx = undefined;
    if (cur === null || cur === undefined) throw new Error("index of nil pointer");
    if (isByte) throw new Error("can't index item of type uint8");
    if (typeof cur === "string") {
      isByte = true;
      const bytes: Uint8Array | null = isAscii.test(cur) ? null : utf8Bytes(cur);
      const len = bytes === null ? cur.length : bytes.length;
      const x = indexArg(idx, len);
      if (x >= len) throw new Error("reflect: string index out of range");
      cur = BigInt(bytes === null ? cur.charCodeAt(x) : (bytes[x] as number));
    } else if (Array.isArray(cur)) {
      const x = indexArg(idx, cur.length);
      if (x >= cur.length) throw new Error("reflect: slice index out of range");
      const v: GoValue = cur[x];
      cur = v === undefined ? null : v;
    } else if (isGoMap(cur)) {
      if (idx === undefined) throw new Error("value is nil; should be of type string");
      if (typeof idx !== "string") throw new Error(`value has type ${goTypeName(idx)}; should be string`);
      const m: GoMap = cur;
      const v = hasOwn.call(m, idx) ? m[idx] : null;
      cur = v === undefined ? null : v;
    } else {
      throw new Error(`can't index item of type ${goTypeName(cur)}`);
    }
  }
  return cur;
}, { params: ["value"], variadic: "value" });

/**
 * `slice` is exec-bound only to learn its arguments' static types: Go's error for a bad index
 * names interface {} when the index came out of a map or list.
 */
const slice: ExecBoundFunc = Object.assign(
  (state: State, item: GoValue, ...indexes: GoValue[]): GoValue => {
    if (item === undefined || item === null) throw new Error("slice of untyped nil");
    if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
    let len: number;
    let bytes: Uint8Array | null = null;
    if (typeof item === "string") {
      if (indexes.length === 3) throw new Error("cannot 3-index slice a string");
      if (isAscii.test(item)) len = item.length;
      else {
        bytes = utf8Bytes(item);
        len = bytes.length;
      }
    } else if (Array.isArray(item)) {
      len = item.length;
    } else {
      throw new Error(`can't slice item of type ${goTypeName(item)}`);
    }
    const idx = [0, len, len];
    for (let i = 0; i < indexes.length; i++) {
      const x = indexes[i];
      // Not indirected, unlike index: a nil or non-int from a map is of type interface {}.
      if (x === null || (state.callArgIface[i + 1] === true && typeof x !== "bigint" && !isWholeFloat(x))) {
        throw new Error("cannot index slice/array with type interface {}");
      }
      idx[i] = indexArg(x, len);
    }
    const [lo, hi, max] = idx as [number, number, number];
    if (lo > hi) throw new Error(`invalid slice index: ${lo} > ${hi}`);
    if (indexes.length === 3 && hi > max) throw new Error(`invalid slice index: ${hi} > ${max}`);
    if (typeof item === "string") {
      return bytes === null ? item.slice(lo, hi) : utf8Decoder.decode(bytes.subarray(lo, hi));
    }
    return (item as GoValue[]).slice(lo, hi);
  },
  { execBound: true as const, goSignature: { params: ["value"], variadic: "value" } satisfies GoSignature },
);

const print = withSignature((...args: GoValue[]): GoValue => sprint(args), { params: [], variadic: "any" });
const printf = withSignature(
  (format: GoValue, ...args: GoValue[]): GoValue => sprintf(format as string, args),
  { params: ["string"], variadic: "any" },
);
const println = withSignature((...args: GoValue[]): GoValue => sprintln(args), { params: [], variadic: "any" });

/** The single string argument, or the arguments printed like Go's evalArgs. */
function evalArgs(args: GoValue[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args.map((a) => (a === null || a === undefined ? "<no value>" : a)));
}

const HTML_ESCAPES: Record<string, string> = {
  "\0": "\uFFFD",
  '"': "&#34;",
  "'": "&#39;",
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
};

export function htmlEscapeString(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => HTML_ESCAPES[c] as string);
}

export function jsEscapeString(s: string): string {
  let out = "";
  for (const ch of s) {
    const r = ch.codePointAt(0) as number;
    switch (ch) {
      case "\\":
        out += "\\\\";
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case "<":
        out += "\\u003C";
        continue;
      case ">":
        out += "\\u003E";
        continue;
      case "&":
        out += "\\u0026";
        continue;
      case "=":
        out += "\\u003D";
        continue;
    }
    if (r < 0x20) out += "\\u00" + r.toString(16).toUpperCase().padStart(2, "0");
    else if (r < 0x80) out += ch;
    else if (isPrintRune(r)) out += ch;
    else out += "\\u" + r.toString(16).toUpperCase().padStart(4, "0");
  }
  return out;
}

/** Go's url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of utf8Bytes(s)) {
    const c = String.fromCharCode(b);
    if ((b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || c === "-" || c === "_" || c === "." || c === "~") {
      out += c;
    } else if (c === " ") {
      out += "+";
    } else {
      out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
    }
  }
  return out;
}

const html = withSignature((...args: GoValue[]): GoValue => htmlEscapeString(evalArgs(args)), { params: [], variadic: "any" });
const js = withSignature((...args: GoValue[]): GoValue => jsEscapeString(evalArgs(args)), { params: [], variadic: "any" });
const urlquery = withSignature((...args: GoValue[]): GoValue => queryEscape(evalArgs(args)), { params: [], variadic: "any" });

// -- comparisons --------------------------------------------------------------------------------

type Kind = "bool" | "int" | "float" | "string" | "invalid";

function basicKind(v: GoValue): Kind {
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return "float";
    case "string":
      return "string";
  }
  return "invalid";
}

function isZero(v: GoValue): boolean {
  return v === undefined || v === null;
}

/** int vs whole-number float compare as numbers (-1, 0, 1); null when not allowed. */
function mixedCompare(a: GoValue, b: GoValue): number | null {
  if (typeof a === "bigint" && isWholeFloat(b)) {
    const bb = BigInt(b);
    return a < bb ? -1 : a > bb ? 1 : 0;
  }
  if (isWholeFloat(a) && typeof b === "bigint") {
    const aa = BigInt(a);
    return aa < b ? -1 : aa > b ? 1 : 0;
  }
  return null;
}

function goKindName(v: GoValue): string {
  if (Array.isArray(v)) return "slice";
  if (typeof v === "function") return "func";
  if (v instanceof GoStruct) return "struct";
  if (isGoMap(v)) return "map";
  return basicKind(v);
}

function eqOne(a: GoValue, b: GoValue): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 !== k2) {
    const m = mixedCompare(a, b);
    if (m !== null) return m === 0;
    if (!isZero(a) && !isZero(b)) throw new Error("incompatible types for comparison");
    return false;
  }
  switch (k1) {
    case "bool":
    case "int":
    case "float":
    case "string":
      return a === b;
  }
  // Neither is a basic kind: nil, or a composite value.
  if (!isZero(a) && !isZero(b) && goKindName(a) !== goKindName(b)) {
    throw new Error(
      `non-comparable types ${sprintf("%s", [a])}: ${goTypeName(a)}, ${goTypeName(b)}: ${sprintf("%v", [b])}`,
    );
  }
  if (isZero(a) || isZero(b)) return isZero(a) === isZero(b);
  if (Array.isArray(b) || isGoMap(b) || typeof b === "function") {
    throw new Error(`non-comparable type ${sprintf("%s", [b])}: ${goTypeName(b)}`);
  }
  return a === b;
}

const eq = withSignature((arg1: GoValue, ...rest: GoValue[]): GoValue => {
  if (rest.length === 0) throw new Error("missing argument for comparison");
  for (const b of rest) if (eqOne(arg1, b)) return true;
  return false;
}, { params: ["value"], variadic: "value" });

const ne = withSignature((a: GoValue, b: GoValue): GoValue => !eqOne(a, b), { params: ["value", "value"] });

function ltOne(a: GoValue, b: GoValue): boolean {
  const k1 = basicKind(a);
  if (k1 === "invalid") throw new Error("invalid type for comparison");
  const k2 = basicKind(b);
  if (k2 === "invalid") throw new Error("invalid type for comparison");
  if (k1 !== k2) {
    const m = mixedCompare(a, b);
    if (m !== null) return m < 0;
    throw new Error("incompatible types for comparison");
  }
  switch (k1) {
    case "bool":
      throw new Error("invalid type for comparison");
    case "string":
      return compareGoStrings(a as string, b as string) < 0;
    default:
      return (a as number) < (b as number);
  }
}

const lt = withSignature((a: GoValue, b: GoValue): GoValue => ltOne(a, b), { params: ["value", "value"] });
const le = withSignature((a: GoValue, b: GoValue): GoValue => ltOne(a, b) || eqOne(a, b), { params: ["value", "value"] });
const gt = withSignature((a: GoValue, b: GoValue): GoValue => !(ltOne(a, b) || eqOne(a, b)), { params: ["value", "value"] });
const ge = withSignature((a: GoValue, b: GoValue): GoValue => !ltOne(a, b), { params: ["value", "value"] });

const call = withSignature((fn: GoValue, ...args: GoValue[]): GoValue => {
  if (fn === undefined || fn === null) throw new Error("call of nil");
  if (typeof fn !== "function") throw new Error(`non-function of type ${goTypeName(fn)}`);
  return fn(...args.map((a) => (a === undefined ? null : a)));
}, { params: ["value"], variadic: "value" });

/** Go's builtin function table. */
export function goBuiltins(): Record<string, GoFunc> {
  return {
    and,
    call,
    html,
    index,
    slice: slice as unknown as GoFunc,
    js,
    len: length,
    not,
    or,
    print,
    printf,
    println,
    urlquery,
    eq,
    ge,
    gt,
    le,
    lt,
    ne,
  };
}
