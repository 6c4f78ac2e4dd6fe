/**
 * Helm's `include` and `tpl`: functions that run templates, so they work against the namespace
 * of the template that calls them (a `tpl` text may `define` templates it then `include`s).
 */
import type { ExecBoundFunc, State } from "../exec.js";
import type { GoValue } from "../values.js";
import type { GoSignature } from "./types.js";

function execBound(fn: (state: State, ...args: GoValue[]) => GoValue, sig: GoSignature): ExecBoundFunc {
  const f = fn as ExecBoundFunc;
  f.execBound = true;
  f.goSignature = sig;
  return f;
}

/** `include NAME DATA`: the named template's output as a string. */
export const include = execBound((state, name, data) => state.include(name as string, data), {
  params: ["string", "any"],
});

/** `tpl TEXT VALUES`: TEXT rendered as a template with VALUES as dot (any value, as in Helm 3.12+). */
export const tpl = execBound((state, text, values) => state.tpl(text as string, values), {
  params: ["string", "any"],
});
