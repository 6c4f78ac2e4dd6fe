/**
 * How Go values are represented while a template runs.
 *
 * Go keeps integers and floats apart; JavaScript does not, so:
 * - Go ints (int, int64, …): `bigint`. Template literals like `3`, `len`, `int`, Sprig's `add` all give bigint.
 * - Go float64: `number`. Values-file numbers arrive as `number` (Helm decodes them as float64).
 *   A whole-number float prints as an integer, compares equal to an int and works with `%d`
 *   (where Helm would fail, helm#3005 / #6431).
 * - string: `string` (Go strings are bytes: `len` counts UTF-8 bytes).
 * - bool: `boolean`. nil: `null` (`undefined` is treated as nil too).
 * - slices: arrays. maps: plain objects (Go iterates them in sorted key order).
 * - structs (`.Chart`, `.Release`, `.Capabilities`, `.Files`, `.Template`): instances of `GoStruct`;
 *   a missing field on a struct is an error, a missing key on a map gives nothing.
 * - methods on structs (`.Files.Get`, `.Capabilities.APIVersions.Has`): own function-valued fields of
 *   a GoStruct; the executor calls them with the command's arguments.
 * - functions stored in data (for `call`): JS functions.
 */

/** Marker base class for Go structs exposed to templates. */
export class GoStruct {
  /** The Go type name shown by `%T`, `typeOf` and error messages (e.g. "chartutil.Capabilities"). */
  readonly goTypeName: string;
  constructor(goTypeName: string) {
    this.goTypeName = goTypeName;
  }
}

export type GoMap = { [key: string]: GoValue };
export type GoValue =
  | null
  | undefined
  | boolean
  | bigint
  | number
  | string
  | GoValue[]
  | GoMap
  | GoStruct
  | ((...args: GoValue[]) => GoValue);

export function isGoMap(v: unknown): v is GoMap {
  if (v === null || typeof v !== "object") return false;
  if (Array.isArray(v) || v instanceof GoStruct) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function isNil(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

/** A float that holds a whole number is treated as an int where Go would need one. */
export function isWholeFloat(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER;
}

/**
 * A Go map type that also has methods (Helm's `.Files` is `map[string][]byte` with Get, Glob, …):
 * a GoStruct subclass with a `rangeEntries()` prototype method; `range` iterates its entries.
 */
export interface RangeableStruct extends GoStruct {
  rangeEntries(): GoMap;
}

export function isRangeableStruct(v: unknown): v is RangeableStruct {
  return v instanceof GoStruct && typeof (v as unknown as { rangeEntries?: unknown }).rangeEntries === "function";
}
