import * as path from "node:path";
import { CapstanError, formatProblem } from "../../errors.js";
import { findRepoRoot, outsideRepo } from "../../chart/paths.js";
import type { SetFlag } from "../../chart/strvals.js";
import type { CliIO } from "../types.js";

/** Options shared by `template` and `lint`: `-f` files and set flags, in the order given. */
export const valueOptions = {
  values: { type: "string", short: "f", multiple: true },
  set: { type: "string", multiple: true },
  "set-string": { type: "string", multiple: true },
  "set-json": { type: "string", multiple: true },
  "set-file": { type: "string", multiple: true },
  namespace: { type: "string", short: "n" },
  "release-name": { type: "string" },
} as const;

/** Set flags in command-line order, from parseArgs tokens. */
export function setFlagsFrom(tokens: readonly { kind: string; name?: string; value?: string | undefined }[]): SetFlag[] {
  const flags: SetFlag[] = [];
  for (const t of tokens) {
    if (t.kind !== "option" || t.value === undefined) continue;
    if (t.name === "set" || t.name === "set-string" || t.name === "set-json" || t.name === "set-file") {
      flags.push({ kind: t.name, text: t.value });
    }
  }
  return flags;
}

export function usageError(message: string, usage: string): CapstanError {
  return new CapstanError("USAGE", `${message}\nusage: ${usage}`);
}

/** Where a CLI path sits in the repository: the repository root and repository-relative paths. */
export interface RepoPaths {
  root: string;
  /** io.cwd relative to the root ("" at the root). */
  cwd: string;
  /** A path given on the command line, relative to the root; refused when it leaves the repository. */
  relative(p: string): string;
}

export function repoPaths(io: Pick<CliIO, "cwd">): RepoPaths {
  const root = findRepoRoot(io.cwd);
  const rel = (abs: string): string => path.relative(root, abs).split(path.sep).join("/");
  return {
    root,
    cwd: rel(path.resolve(io.cwd)),
    relative(p: string) {
      const r = rel(path.resolve(io.cwd, p));
      if (r === ".." || r.startsWith("../") || path.isAbsolute(r)) throw outsideRepo(p);
      return r;
    },
  };
}

/** Prints a failure: each problem on its own line, or the message when there are none. */
export function printError(io: CliIO, e: unknown): void {
  if (e instanceof CapstanError) {
    io.stderr(`error: ${e.message}\n`);
    for (const p of e.problems) io.stderr(`${formatProblem(p)}\n`);
    return;
  }
  throw e;
}

