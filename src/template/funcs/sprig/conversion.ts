/** Sprig's type conversions (spf13/cast semantics: bad input gives zero, never an error). */
import type { FuncMap } from "../types.js";
import { needString, parseGoInt, toFloat64, toInt64 } from "../args.js";
import { strval } from "./strval.js";

export function conversionFuncs(): FuncMap {
  return {
    // strconv.Atoi: base 10 only, sign allowed, no spaces; failure is 0.
    atoi: (s) => {
      const str = needString(s);
      return /^[+-]?\d+$/.test(str) ? (parseGoInt(str, 10) ?? 0n) : 0n;
    },
    int: (v) => toInt64(v ?? null),
    int64: (v) => toInt64(v ?? null),
    float64: (v) => toFloat64(v ?? null),
    // Unix permission strings: "0777" → 511.
    toDecimal: (v) => parseGoInt(strval(v ?? null), 8) ?? 0n,
  };
}
