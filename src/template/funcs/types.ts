import type { GoValue } from "../values.js";

/**
 * A template function. It receives the evaluated arguments and returns one value.
 * It signals failure by throwing an Error; the executor reports it the way Go does:
 * `error calling NAME: MESSAGE`.
 */
export type GoFunc = (...args: GoValue[]) => GoValue;

/** Helm's `lookup`: fetch one live object (or a list when name is ""), `{}` when absent. */
export type LookupFn = (apiVersion: string, kind: string, namespace: string, name: string) => GoValue;

/** A table of functions by the name templates call them with. */
export type FuncMap = Record<string, GoFunc>;

/**
 * Go parameter types the executor checks and converts arguments to, as Go's reflect-based call does:
 * - "any": interface{} (a missing value arrives as null);
 * - "value": reflect.Value (builtins that tell a missing value, undefined, from a nil one, null);
 * - "string" / "int" / "float64" / "bool": concrete types (a whole-number float is accepted as an int);
 * - "map": a map type such as chartutil.Values (a map or nil).
 */
export type GoParamType = "any" | "value" | "string" | "int" | "float64" | "bool" | "map";

/** A function's Go signature: fixed parameters, then an optional variadic one. */
export interface GoSignature {
  params: GoParamType[];
  variadic?: GoParamType;
  /** Name of the Go type for "map" parameters in error messages (default map[string]interface {}). */
  mapTypeName?: string;
}

/** A GoFunc that carries its Go signature, so the executor checks counts and types like Go. */
export type TypedGoFunc = GoFunc & { goSignature?: GoSignature };

/**
 * Attach a Go signature to a function. Without one, a function is called like Go's
 * `func(...interface{})`: any number of arguments, no conversions.
 */
export function withSignature<F extends GoFunc>(fn: F, sig: GoSignature): F {
  (fn as TypedGoFunc).goSignature = sig;
  return fn;
}
