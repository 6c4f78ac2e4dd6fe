/**
 * The function tables templates run with. "go" is Go's builtins; "helm" is what Helm installs:
 * Go's builtins, then Sprig (without env/expandenv), then Helm's own functions, include and tpl.
 */
import type { FuncTable } from "../exec.js";
import { goBuiltins } from "./builtins.js";
import { include, tpl } from "./exec-bound.js";
import { helmFuncs } from "./helm.js";
import { sprigFuncs } from "./sprig/index.js";
import type { LookupFn } from "./types.js";

export { goBuiltins } from "./builtins.js";
export { include, tpl } from "./exec-bound.js";

function table(...parts: Record<string, unknown>[]): FuncTable {
  const t = Object.create(null) as FuncTable;
  for (const p of parts) Object.assign(t, p);
  return t;
}

let helmDefault: FuncTable | undefined;
const helmByLookup = new WeakMap<LookupFn, FuncTable>();

function buildHelmTable(lookup: LookupFn | undefined): FuncTable {
  const sprig = sprigFuncs();
  delete sprig["env"];
  delete sprig["expandenv"];
  return table(goBuiltins(), sprig, helmFuncs(lookup === undefined ? {} : { lookup }), { include, tpl });
}

/**
 * Helm's full table; `lookup` answers Helm's `lookup` function. Tables are built once per lookup
 * function (the functions are pure) and shared read-only.
 */
export function helmFuncTable(opts: { lookup?: LookupFn } = {}): FuncTable {
  const lookup = opts.lookup;
  if (lookup === undefined) {
    helmDefault ??= buildHelmTable(undefined);
    return helmDefault;
  }
  let t = helmByLookup.get(lookup);
  if (t === undefined) {
    t = buildHelmTable(lookup);
    helmByLookup.set(lookup, t);
  }
  return t;
}
