import { readFileSync, realpathSync, statSync } from "node:fs";
import { CapstanError } from "../errors.js";
import type { GoMap } from "../template/values.js";
import { checkValuesSize } from "./limits.js";
import type { ChartLimits } from "./limits.js";
import { repoRelative, resolveInRepoSync } from "./paths.js";
import { parseSetFlags } from "./strvals.js";
import type { SetFlag } from "./strvals.js";
import { mergeMaps, parseValuesYaml } from "./values.js";

/** Where a render's values come from, lowest precedence first. */
export interface ValueSources {
  /** An Application's `valueFiles`, relative to the chart directory (as Argo CD reads them). */
  valueFiles?: readonly string[];
  /** An Application's inline `values`. */
  values?: GoMap;
  /** CLI `-f` files, relative to `cwd`. */
  files?: readonly string[];
  /** CLI `--set`, `--set-string`, `--set-json`, `--set-file`, in the order given. */
  set?: readonly SetFlag[];
}

function readValuesFile(root: string, requested: string, base: string, maxBytes: number | undefined): GoMap {
  const abs = resolveInRepoSync(root, requested, base);
  const display = repoRelative(realpathSync(root), abs);
  let text: string;
  try {
    // Sized before it is read: a 2 GB file in the repository is refused, not loaded.
    checkValuesSize(statSync(abs).size, display, maxBytes);
    text = readFileSync(abs, "utf8");
  } catch (e) {
    if (e instanceof CapstanError) throw e;
    throw new CapstanError("VALUES_INVALID", `${requested}: values file not found in the repository`, {
      problems: [{ file: display, message: "values file not found; check the path (it is read inside the repository)" }],
    });
  }
  return parseValuesYaml(text, display);
}

const SET_ORDER: Record<SetFlag["kind"], number> = { "set-json": 0, set: 1, "set-string": 2, "set-file": 3 };

/**
 * Reads the caller's values into one map, as Helm builds its user values: value files and
 * inline values merged in order (`null` kept, so it deletes a chart default), then the set
 * flags parsed into that map, grouped as Helm applies them: --set-json, --set, --set-string,
 * --set-file, each group in the order given. Every path resolves inside the repository at
 * `root`; `chartDir` and `cwd` are repository-relative directories. Each file read is capped at
 * `limits.maxValuesBytes` (VALUES_TOO_LARGE).
 */
export function readUserValues(root: string, sources: ValueSources, where: { chartDir: string; cwd?: string }, limits: ChartLimits = {}): GoMap {
  const cwd = where.cwd ?? "";
  const max = limits.maxValuesBytes;
  let user: GoMap = {};
  for (const f of sources.valueFiles ?? []) user = mergeMaps(user, readValuesFile(root, f, where.chartDir, max));
  if (sources.values) user = mergeMaps(user, sources.values);
  for (const f of sources.files ?? []) user = mergeMaps(user, readValuesFile(root, f, cwd, max));
  const flags = [...(sources.set ?? [])].sort((a, b) => SET_ORDER[a.kind] - SET_ORDER[b.kind]);
  if (flags.length > 0) {
    parseSetFlags(flags, {
      into: user,
      readFile: (p) => {
        const abs = resolveInRepoSync(root, p, cwd);
        try {
          checkValuesSize(statSync(abs).size, `--set-file ${p}`, max);
          return readFileSync(abs, "utf8");
        } catch (e) {
          if (e instanceof CapstanError) throw e;
          throw new CapstanError("VALUES_INVALID", `--set-file ${p}: file not found in the repository`);
        }
      },
    });
  }
  return user;
}

/** The caller's values as render layers (one layer: Helm coalesces the user values as a whole). */
export function readValueLayers(root: string, sources: ValueSources, where: { chartDir: string; cwd?: string }, limits: ChartLimits = {}): GoMap[] {
  return [readUserValues(root, sources, where, limits)];
}
