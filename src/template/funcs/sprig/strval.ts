/** Sprig's strval: how a value becomes a string in toString, join, quote, dict keys. */
import { formatValue } from "../../fmt.js";
import { GoStruct, isNil } from "../../values.js";
import type { GoValue } from "../../values.js";

/** A Go value with a String() method (fmt.Stringer), such as a time or a semantic version. */
export function stringerOf(v: GoValue): (() => string) | null {
  if (v instanceof GoStruct) {
    const m = (v as unknown as Record<string, unknown>)["String"];
    if (typeof m === "function") return () => String((m as () => unknown).call(v));
  }
  return null;
}

/** Go's %v, calling String() on values that have one (as fmt does for Stringers). */
export function goSprint(v: GoValue): string {
  const s = stringerOf(v);
  if (s) return s();
  if (Array.isArray(v) && v.some((x) => stringerOf(x) !== null)) {
    return "[" + v.map((x) => (isNil(x) ? "<nil>" : goSprint(x))).join(" ") + "]";
  }
  return formatValue(v);
}

/** Sprig's strval: strings as they are, Stringers through String(), everything else as %v. */
export function strval(v: GoValue): string {
  if (typeof v === "string") return v;
  return goSprint(v);
}

/** Sprig's strslice (toStrings): a list's non-nil elements as strings; a scalar becomes a one-element list. */
export function strslice(v: GoValue): string[] {
  if (Array.isArray(v)) return v.filter((x) => !isNil(x)).map((x) => strval(x));
  if (isNil(v)) return [];
  return [strval(v)];
}
