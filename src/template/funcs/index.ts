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

let goTable: FuncTable | undefined;

/** Go's builtins only (shared, read-only). */
export function goFuncTable(): FuncTable {
  goTable ??= table(goBuiltins());
  return goTable;
}

/** Helm's full table; `lookup` answers Helm's `lookup` function. */
export function helmFuncTable(opts: { lookup?: LookupFn } = {}): FuncTable {
  const sprig = sprigFuncs();
  delete sprig["env"];
  delete sprig["expandenv"];
  return table(goBuiltins(), sprig, helmFuncs(opts.lookup === undefined ? {} : { lookup: opts.lookup }), { include, tpl });
}
