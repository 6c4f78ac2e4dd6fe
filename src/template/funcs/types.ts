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
