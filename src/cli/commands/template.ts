import * as path from "node:path";
import { parseArgs } from "node:util";
import { findRepoRoot, outsideRepo } from "../../chart/paths.js";
import { loadChart } from "../../chart/load.js";
import { readValueLayers } from "../../chart/layers.js";
import { renderChart } from "../../chart/render.js";
import type { RenderedDocument } from "../../chart/render.js";
import { globToRegExp } from "../../chart/files.js";
import type { SetFlag } from "../../chart/strvals.js";
import { CapstanError, formatProblem } from "../../errors.js";
import type { Problem } from "../../errors.js";
import { loadConfig } from "../../config/index.js";
import { parseManifests } from "../../manifest/parse.js";
import { DEFAULT_POD_SECURITY, checkPodSecurity, projectNamed, type PodSecurityPolicy } from "../../security/index.js";
import type { ManifestObject } from "../../manifest/schemas.js";
import type { CliIO, Command } from "../types.js";

/** Options shared by `template` and `lint`: `-f` files and set flags, in the order given. */
export const valueOptions = {
  values: { type: "string", short: "f", multiple: true },
  set: { type: "string", multiple: true },
  "set-string": { type: "string", multiple: true },
  "set-json": { type: "string", multiple: true },
  "set-file": { type: "string", multiple: true },
  namespace: { type: "string", short: "n" },
  "release-name": { type: "string" },
  /** The config file's project whose pod-security level and exceptions the objects are checked against. */
  project: { type: "string" },
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

const USAGE =
  "capstan template CHART [-f FILE]... [--set K=V]... [--set-string K=V]... [--set-json K=JSON]... [--set-file K=PATH]... [--namespace NS] [--release-name NAME] [--show-only PATH]... [--project NAME] [-o yaml|json]";

export interface TemplateOptions {
  chart: string;
  valueFiles: string[];
  set: SetFlag[];
  namespace: string;
  releaseName: string;
  showOnly: string[];
  output: "yaml" | "json";
  /** The project (from the config file) whose pod security applies; default `default`: baseline, no exceptions. */
  project?: string;
  /** That project's pod security, resolved from the config file by the command. */
  podSecurity?: PodSecurityPolicy;
}

/** The pod security `--project NAME` (default `default`) has in the `--config` file. */
export async function podSecurityFor(project: string | undefined, configFile: string | undefined): Promise<PodSecurityPolicy> {
  if (project === undefined) return DEFAULT_POD_SECURITY;
  return projectNamed(project, await loadConfig(configFile)).podSecurity;
}

/** Reads `capstan template` arguments; throws CapstanError USAGE on a mistake. */
export function parseTemplateArgs(args: string[]): TemplateOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      tokens: true,
      options: {
        ...valueOptions,
        "show-only": { type: "string", short: "s", multiple: true },
        output: { type: "string", short: "o" },
      },
    });
  } catch (e) {
    throw usageError((e as Error).message, USAGE);
  }
  const { values, positionals, tokens } = parsed;
  if (positionals.length !== 1) throw usageError(positionals.length === 0 ? "a CHART path is required" : `expected one CHART, got ${positionals.join(" ")}`, USAGE);
  const output = values.output ?? "yaml";
  if (output !== "yaml" && output !== "json") throw usageError(`-o must be yaml or json (got ${output})`, USAGE);
  return {
    chart: positionals[0] as string,
    valueFiles: values.values ?? [],
    set: setFlagsFrom(tokens),
    namespace: values.namespace ?? "default",
    releaseName: values["release-name"] ?? "release-name",
    showOnly: values["show-only"] ?? [],
    output,
    ...(values.project ? { project: values.project } : {}),
  };
}

export interface TemplateOutput {
  documents: RenderedDocument[];
  objects: ManifestObject[];
  notes?: string;
  warnings: Problem[];
}

/**
 * Loads, renders and validates a chart as `capstan template` does. The repository root (for path
 * containment) is the nearest enclosing git work tree of `io.cwd`, else `io.cwd`.
 */
export async function templateChart(opts: TemplateOptions, io: Pick<CliIO, "cwd">): Promise<TemplateOutput> {
  const repo = repoPaths(io);
  const chartRel = repo.relative(opts.chart);
  const chart = await loadChart(repo.root, chartRel);
  const layers = readValueLayers(repo.root, { files: opts.valueFiles.map((f) => `/${repo.relative(f)}`), set: opts.set }, { chartDir: chartRel, cwd: repo.cwd });
  const result = renderChart(chart, { releaseName: opts.releaseName, namespace: opts.namespace, valueLayers: layers });
  let documents = result.documents;
  if (opts.showOnly.length > 0) {
    const chosen = new Set<RenderedDocument>();
    for (const pattern of opts.showOnly) {
      const re = globToRegExp(pattern.replace(/\\/g, "/"));
      const hits = documents.filter((d) => re.test(d.source.slice(d.source.indexOf("/") + 1)) || re.test(d.source));
      if (hits.length === 0) throw new CapstanError("USAGE", `could not find template ${pattern} in chart`);
      hits.forEach((d) => chosen.add(d));
    }
    documents = documents.filter((d) => chosen.has(d));
  }
  const parsed = parseManifests(result.documents, { defaultNamespace: opts.namespace });
  if (!parsed.ok) {
    throw new CapstanError("MANIFEST_INVALID", `${chart.dir}: rendered objects are not valid`, { problems: [...parsed.errors, ...parsed.warnings] });
  }
  const shown = new Set(documents);
  const objects = parsed.value.filter((_, i) => shown.has(result.documents[i] as RenderedDocument));
  // The same pod-security refusal a sync would meet, before the chart is merged.
  const refused = checkPodSecurity(
    parsed.value.map((object, i) => ({ object, file: result.documents[i]?.file ?? chart.dir })),
    opts.podSecurity ?? DEFAULT_POD_SECURITY,
  );
  if (refused.length > 0) throw new CapstanError("POD_SECURITY_DENIED", `${chart.dir}: rendered objects violate pod security`, { problems: refused });
  const out: TemplateOutput = { documents, objects, warnings: [...collectWarnings(chart), ...result.warnings, ...parsed.warnings] };
  if (result.notes !== undefined) out.notes = result.notes;
  return out;
}

function collectWarnings(chart: { warnings: Problem[]; dependencies: { warnings: Problem[]; dependencies: unknown[] }[] }): Problem[] {
  return [...chart.warnings, ...chart.dependencies.flatMap((d) => collectWarnings(d as typeof chart))];
}

/** Helm's output: each document after `---` and a `# Source:` line. */
export function formatDocuments(documents: readonly RenderedDocument[]): string {
  return documents.map((d) => `---\n# Source: ${d.source}\n${d.text}\n`).join("");
}

export const templateCommand: Command = {
  name: "template",
  summary: "Render a chart locally and print the validated objects it would apply",
  usage: USAGE,
  async run(args, ctx) {
    const io = ctx.io;
    let opts: TemplateOptions;
    try {
      opts = parseTemplateArgs(args);
    } catch (e) {
      printError(io, e);
      return 1;
    }
    try {
      const out = await templateChart({ ...opts, podSecurity: await podSecurityFor(opts.project, ctx.global.config) }, io);
      for (const w of out.warnings) io.stderr(`${formatProblem({ ...w, severity: "warning" })}\n`);
      if (opts.output === "json") {
        const objects = out.documents.map((d, i) => ({ source: d.source, object: out.objects[i] }));
        io.stdout(`${JSON.stringify(objects, null, 2)}\n`);
      } else {
        io.stdout(formatDocuments(out.documents));
      }
      return 0;
    } catch (e) {
      printError(io, e);
      return 1;
    }
  },
};

