/** Sprig's reflection functions, in Go's type and kind names. */
import type { FuncMap } from "../types.js";
import { deepEqual, goKindName, goTypeName, needString } from "../args.js";

export function reflectFuncs(): FuncMap {
  return {
    typeOf: (v) => goTypeName(v ?? null),
    typeIs: (t, v) => needString(t) === goTypeName(v ?? null),
    typeIsLike: (t, v) => {
      const target = needString(t);
      const actual = goTypeName(v ?? null);
      return target === actual || "*" + target === actual;
    },
    kindOf: (v) => goKindName(v ?? null),
    kindIs: (k, v) => needString(k) === goKindName(v ?? null),
    deepEqual: (a, b) => deepEqual(a ?? null, b ?? null),
  };
}
