/**
 * Sprig's list functions. Each has a must* twin; in Sprig v3 both fail on a non-list argument
 * (the plain form panics, which the template engine reports as an error), so both throw here.
 */
import { isNil } from "../../values.js";
import type { GoMap, GoValue } from "../../values.js";
import type { FuncMap, GoFunc } from "../types.js";
import { deepEqual, goKindName, isEmpty, needIntNum, needMap, toInt64 } from "../args.js";
import { strslice } from "./strval.js";
import { compareGoStrings } from "../../fmt.js";

function nilDeref(): Error {
  return new Error("runtime error: invalid memory address or nil pointer dereference");
}

/** The list argument of a Sprig list function; `what` completes "Cannot <what> on type <kind>". */
function asList(v: GoValue, what: string): GoValue[] {
  if (isNil(v)) throw nilDeref();
  if (Array.isArray(v)) return v as GoValue[];
  throw new Error(`Cannot ${what} on type ${goKindName(v)}`);
}

function inList(haystack: GoValue[], needle: GoValue): boolean {
  return haystack.some((h) => deepEqual(needle, h));
}

const first: GoFunc = (l) => {
  const list = asList(l, "find first");
  return list.length === 0 ? null : (list[0] ?? null);
};
const last: GoFunc = (l) => {
  const list = asList(l, "find last");
  return list.length === 0 ? null : (list[list.length - 1] ?? null);
};
const rest: GoFunc = (l) => {
  const list = asList(l, "find rest");
  return list.length === 0 ? null : list.slice(1);
};
const initial: GoFunc = (l) => {
  const list = asList(l, "find initial");
  return list.length === 0 ? null : list.slice(0, -1);
};
const push: GoFunc = (l, v) => [...asList(l, "push"), v ?? null];
const prepend: GoFunc = (l, v) => [v ?? null, ...asList(l, "prepend")];
const reverse: GoFunc = (l) => [...asList(l, "find reverse")].reverse();
const compact: GoFunc = (l) => asList(l, "compact").filter((x) => !isEmpty(x));
const uniq: GoFunc = (l) => {
  const out: GoValue[] = [];
  for (const x of asList(l, "find uniq")) if (!inList(out, x)) out.push(x);
  return out;
};
const without: GoFunc = (l, ...omit) => asList(l, "find without").filter((x) => !inList(omit, x));
const has: GoFunc = (needle, haystack) => {
  if (isNil(haystack)) return false;
  return inList(asList(haystack, "find has"), needle);
};

function sliceList(l: GoValue, ...indices: GoValue[]): GoValue {
  if (isNil(l)) throw nilDeref();
  if (!Array.isArray(l)) throw new Error(`list should be type of slice or array but ${goKindName(l)}`);
  const list = l as GoValue[];
  if (list.length === 0) return null;
  const start = indices.length > 0 ? Number(toInt64(indices[0] ?? null)) : 0;
  const end = indices.length > 1 ? Number(toInt64(indices[1] ?? null)) : list.length;
  if (start < 0 || end > list.length || start > end) {
    throw new Error(`runtime error: slice bounds out of range [${start}:${end}] with capacity ${list.length}`);
  }
  return list.slice(start, end);
}

function chunk(size: GoValue, l: GoValue): GoValue {
  const n = needIntNum(size);
  const list = asList(l, "chunk");
  if (n <= 0) throw new Error(`runtime error: chunk size must be positive, got ${n}`);
  const out: GoValue[] = [];
  if (list.length === 0) return [];
  for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
  return out;
}

function concat(...lists: GoValue[]): GoValue {
  const out: GoValue[] = [];
  for (const l of lists) {
    if (isNil(l)) throw nilDeref();
    if (!Array.isArray(l)) throw new Error(`Cannot concat type ${goKindName(l)} as list`);
    out.push(...(l as GoValue[]));
  }
  return out;
}

/** `dig "a" "b" "default" $dict`: walk nested maps, the default when a key is missing. */
function dig(...args: GoValue[]): GoValue {
  if (args.length < 3) throw new Error("dig needs at least three arguments");
  let cur: GoMap = needMap(args[args.length - 1] ?? null);
  const def = args[args.length - 2] ?? null;
  const keys = args.slice(0, -2).map((k) => {
    if (typeof k !== "string") throw new Error(`interface conversion: interface {} is ${goKindName(k)}, not string`);
    return k;
  });
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (!Object.prototype.hasOwnProperty.call(cur, k)) return def;
    const step = cur[k] ?? null;
    if (i === keys.length - 1) return step;
    cur = needMap(step);
  }
  return def;
}

export function sortAlpha(l: GoValue): string[] {
  if (Array.isArray(l)) return strslice(l).sort(compareGoStrings);
  return strslice(l);
}

export function listFuncs(): FuncMap {
  const table: FuncMap = {
    list: (...v) => v.map((x) => x ?? null),
    tuple: (...v) => v.map((x) => x ?? null),
    first,
    last,
    rest,
    initial,
    append: push,
    push,
    prepend,
    reverse,
    compact,
    uniq,
    without,
    has,
    slice: sliceList,
    chunk,
    concat,
    dig,
    sortAlpha,
  };
  const mustNames = ["first", "last", "rest", "initial", "append", "push", "prepend", "reverse", "compact", "uniq", "without", "has", "slice", "chunk"];
  for (const name of mustNames) {
    const fn = table[name] as GoFunc;
    table["must" + name[0]?.toUpperCase() + name.slice(1)] = fn;
  }
  return table;
}
