import { helmFuncs } from "../../../../src/template/funcs/helm.js";
import type { HelmFuncOptions } from "../../../../src/template/funcs/helm.js";
import { sprigFuncs } from "../../../../src/template/funcs/sprig/index.js";
import type { SprigOptions } from "../../../../src/template/funcs/sprig/index.js";
import type { GoValue } from "../../../../src/template/values.js";

/** Calls a function from the Sprig table, then Helm's on top, as charts see them. */
export function funcs(opts: SprigOptions & HelmFuncOptions = {}): (name: string, ...args: GoValue[]) => GoValue {
  const table = { ...sprigFuncs(opts), ...helmFuncs(opts) };
  return (name, ...args) => {
    const fn = table[name];
    if (!fn) throw new Error(`no function ${name}`);
    return fn(...args);
  };
}
