/** Sprig's dictionary functions. Maps are plain objects; Go iterates them in sorted key order. */
import { compareGoStrings } from "../../fmt.js";
import { isGoMap, isNil } from "../../values.js";
import type { GoMap, GoValue } from "../../values.js";
import type { FuncMap } from "../types.js";
import { isEmpty, needMap, needString, readMap, wrongType } from "../args.js";
import { strval } from "./strval.js";

const hasOwn = (m: GoMap, k: string): boolean => Object.prototype.hasOwnProperty.call(m, k);

function sortedKeys(m: GoMap): string[] {
  return Object.keys(m).sort(compareGoStrings);
}

/**
 * mergo.Merge as Sprig calls it. Without overwrite a key is taken from src only when dst lacks it or
 * holds an empty value (so `false`, `0` and `""` in dst are replaced, a known Sprig quirk); nested maps
 * merge recursively. With overwrite, src values win, except that a map never replaces a non-empty
 * non-map value in dst (mergo keeps dst there).
 */
export function mergeInto(dst: GoMap, src: GoMap, overwrite: boolean): void {
  for (const k of Object.keys(src)) {
    const sv = src[k];
    const present = hasOwn(dst, k);
    const dv = dst[k];
    if (isNil(sv)) {
      if (overwrite) dst[k] = null;
      continue;
    }
    if (isGoMap(sv)) {
      if (present && isGoMap(dv)) {
        mergeInto(dv, sv, overwrite);
        continue;
      }
      if (!present || isEmpty(dv ?? null)) dst[k] = sv;
      continue;
    }
    if (Array.isArray(sv)) {
      if (overwrite || !present || isEmpty(dv ?? null)) dst[k] = sv;
      continue;
    }
    if (overwrite || !present || isEmpty(dv ?? null)) dst[k] = sv;
  }
}

function mergeAll(overwrite: boolean, dst: GoValue, srcs: GoValue[]): GoMap {
  // A nil destination becomes a new map, as mergo does through Sprig's pointer.
  const d = isNil(dst) ? {} : needMap(dst);
  for (const s of srcs) {
    if (isNil(s)) continue;
    if (!isGoMap(s)) throw wrongType("map[string]interface {}", s);
    mergeInto(d, s, overwrite);
  }
  return d;
}

export function dictFuncs(): FuncMap {
  return {
    dict: (...v) => {
      const out: GoMap = {};
      for (let i = 0; i < v.length; i += 2) {
        const key = strval(v[i] ?? null);
        out[key] = i + 1 < v.length ? (v[i + 1] ?? null) : "";
      }
      return out;
    },
    get: (d, k) => {
      const m = readMap(d);
      const key = needString(k);
      return hasOwn(m, key) ? (m[key] ?? null) : "";
    },
    set: (d, k, v) => {
      if (isNil(d)) throw new Error("assignment to entry in nil map");
      const m = needMap(d);
      m[needString(k)] = v ?? null;
      return m;
    },
    unset: (d, k) => {
      if (isNil(d)) return null;
      const m = needMap(d);
      delete m[needString(k)];
      return m;
    },
    hasKey: (d, k) => hasOwn(readMap(d), needString(k)),
    pluck: (k, ...ds) => {
      const key = needString(k);
      const out: GoValue[] = [];
      for (const d of ds) {
        const m = readMap(d);
        if (hasOwn(m, key)) out.push(m[key] ?? null);
      }
      return out;
    },
    keys: (...ds) => {
      // Go's map order is random; sorted is one of its orders and keeps renders reproducible.
      const out: GoValue[] = [];
      for (const d of ds) out.push(...sortedKeys(readMap(d)));
      return out;
    },
    values: (d) => {
      const m = readMap(d);
      return sortedKeys(m).map((k) => m[k] ?? null);
    },
    pick: (d, ...ks) => {
      const m = readMap(d);
      const out: GoMap = {};
      for (const k of ks) {
        const key = needString(k);
        if (hasOwn(m, key)) out[key] = m[key] ?? null;
      }
      return out;
    },
    omit: (d, ...ks) => {
      const m = readMap(d);
      const drop = new Set(ks.map((k) => needString(k)));
      const out: GoMap = {};
      for (const k of Object.keys(m)) if (!drop.has(k)) out[k] = m[k] ?? null;
      return out;
    },
    merge: (dst, ...srcs) => mergeAll(false, dst, srcs),
    mustMerge: (dst, ...srcs) => mergeAll(false, dst, srcs),
    mergeOverwrite: (dst, ...srcs) => mergeAll(true, dst, srcs),
    mustMergeOverwrite: (dst, ...srcs) => mergeAll(true, dst, srcs),
  };
}
