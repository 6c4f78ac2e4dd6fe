/**
 * Sprig v3's function table as Helm exposes it (Helm drops `env` and `expandenv`, so they are absent).
 * The Helm-specific functions, and Helm's replacements of toJson/fromJson, are in ../helm.ts.
 */
import type { FuncMap } from "../types.js";
import { needString } from "../args.js";
import { conversionFuncs } from "./conversion.js";
import { cryptoFuncs } from "./crypto.js";
import { dateFuncs } from "./dates.js";
import type { Clock } from "./dates.js";
import { defaultFuncs } from "./defaults.js";
import { dictFuncs } from "./dicts.js";
import { encodingFuncs } from "./encoding.js";
import { listFuncs } from "./lists.js";
import { mathFuncs } from "./math.js";
import { pathFuncs } from "./paths.js";
import { reflectFuncs } from "./reflect.js";
import { regexFuncs } from "./regex.js";
import { semverFuncs } from "./semver.js";
import { withSignatures } from "./signatures.js";
import { stringFuncs } from "./strings.js";
import { urlFuncs } from "./url.js";

export interface SprigOptions {
  /** The clock `now`, `ago`, `date` of a non-time read (defaults to the system clock). */
  clock?: Clock;
}

export function sprigFuncs(opts: SprigOptions = {}): FuncMap {
  return withSignatures({
    ...stringFuncs(),
    ...listFuncs(),
    ...dictFuncs(),
    ...mathFuncs(),
    ...defaultFuncs(),
    ...encodingFuncs(),
    ...conversionFuncs(),
    ...regexFuncs(),
    ...cryptoFuncs(),
    ...semverFuncs(),
    ...reflectFuncs(),
    ...pathFuncs(),
    ...urlFuncs(),
    ...dateFuncs(opts.clock),
    hello: () => "Hello!",
    fail: (msg) => {
      throw new Error(needString(msg));
    },
    // Rendering is pure: no DNS lookups. Helm's offline renders (helm template) see "" as well.
    getHostByName: (name) => {
      needString(name);
      return "";
    },
  });
}

export { Certificate } from "./crypto.js";
export { GoTime } from "./dates.js";
export type { Clock } from "./dates.js";
export { SemverVersion } from "./semver.js";
export { strval } from "./strval.js";
