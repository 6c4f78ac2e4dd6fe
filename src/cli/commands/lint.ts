import { parseArgs } from "node:util";
import { loadChart } from "../../chart/load.js";
import { readValueLayers } from "../../chart/layers.js";
import { coalesceChartValues } from "../../chart/dependencies.js";
import { renderChart } from "../../chart/render.js";
import { validateValues } from "../../chart/schema.js";
import type { SetFlag } from "../../chart/strvals.js";
import type { Chart } from "../../chart/types.js";
import { CapstanError, formatProblem } from "../../errors.js";
import type { Problem } from "../../errors.js";
import { parseManifests } from "../../manifest/parse.js";
import type { CliIO, Command } from "../types.js";
import { DEFAULT_POD_SECURITY, checkPodSecurity, type PodSecurityPolicy } from "../../security/index.js";
import { podSecurityFor, printError, repoPaths, setFlagsFrom, usageError, valueOptions } from "./template.js";

const USAGE = "capstan lint CHART [-f FILE]... [--set K=V]... [--set-string K=V]... [--set-json K=JSON]... [--namespace NS] [--project NAME] [--strict]";

export interface LintOptions {
  chart: string;
  valueFiles: string[];
  set: SetFlag[];
  namespace: string;
  releaseName: string;
  /** Warnings fail the lint too. */
  strict: boolean;
  /** The config file's project whose pod security applies (default `default`: baseline, no exceptions). */
  project?: string;
  podSecurity?: PodSecurityPolicy;
}

export function parseLintArgs(args: string[]): LintOptions {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, tokens: true, options: { ...valueOptions, strict: { type: "boolean" } } });
  } catch (e) {
    throw usageError((e as Error).message, USAGE);
  }
  const { values, positionals, tokens } = parsed;
  if (positionals.length !== 1) throw usageError(positionals.length === 0 ? "a CHART path is required" : `expected one CHART, got ${positionals.join(" ")}`, USAGE);
  return {
    chart: positionals[0] as string,
    valueFiles: values.values ?? [],
    set: setFlagsFrom(tokens),
    namespace: values.namespace ?? "default",
    releaseName: values["release-name"] ?? "release-name",
    strict: values.strict ?? false,
    ...(values.project ? { project: values.project } : {}),
  };
}

export interface LintFinding extends Problem {
  severity: "error" | "warning";
}

export interface LintReport {
  /** The chart directory, repository-relative. */
  chart: string;
  findings: LintFinding[];
}

function asFindings(problems: readonly Problem[], severity: "error" | "warning" = "error"): LintFinding[] {
  return problems.map((p) => ({ ...p, severity: p.severity ?? severity }));
}

function chartWarnings(chart: Chart): Problem[] {
  return [...chart.warnings, ...chart.dependencies.flatMap(chartWarnings)];
}

/** Checks Helm's lint rules that are about the chart's layout rather than its output. */
function structureFindings(chart: Chart, chartRel: string): LintFinding[] {
  const out: LintFinding[] = [];
  const dirName = chartRel.split("/").pop() ?? "";
  if (!dirName.endsWith(".tgz") && dirName !== chart.metadata.name && dirName !== ".") {
    out.push({
      file: `${chart.dir}/Chart.yaml`,
      field: "name",
      severity: "warning",
      message: `chart name "${chart.metadata.name}" differs from its directory "${dirName}"; Helm expects them to match`,
    });
  }
  if (chart.metadata.deprecated) out.push({ file: `${chart.dir}/Chart.yaml`, severity: "warning", message: "chart is deprecated" });
  if (chart.metadata.type !== "library" && chart.templates.length === 0) {
    out.push({ file: `${chart.dir}/templates`, severity: "warning", message: "no templates: the chart renders nothing" });
  }
  return out;
}

/**
 * Lints a chart as `capstan lint` does: structure, values against the schema, render, and
 * validation of the rendered objects. Every finding is returned; nothing is thrown for chart problems.
 */
export async function lintChart(opts: LintOptions, io: Pick<CliIO, "cwd">): Promise<LintReport> {
  const repo = repoPaths(io);
  const chartRel = repo.relative(opts.chart);
  const report: LintReport = { chart: chartRel, findings: [] };
  const add = (problems: readonly Problem[], severity: "error" | "warning" = "error"): void => {
    report.findings.push(...asFindings(problems, severity));
  };
  const fail = (e: unknown): void => {
    if (!(e instanceof CapstanError)) throw e;
    add(e.problems.length > 0 ? e.problems : [{ file: chartRel, message: e.message }]);
  };

  let chart: Chart;
  try {
    chart = await loadChart(repo.root, chartRel);
  } catch (e) {
    fail(e);
    return report;
  }
  report.chart = chart.dir;
  report.findings.push(...structureFindings(chart, chartRel));
  add(chartWarnings(chart), "warning");

  let layers;
  try {
    layers = readValueLayers(repo.root, { files: opts.valueFiles.map((f) => `/${repo.relative(f)}`), set: opts.set }, { chartDir: chartRel, cwd: repo.cwd });
    const { tree, values } = coalesceChartValues(chart, layers);
    add(validateValues(tree, values));
  } catch (e) {
    fail(e);
    return report;
  }
  if (chart.metadata.type === "library") return report;

  let documents;
  try {
    const rendered = renderChart(chart, { releaseName: opts.releaseName, namespace: opts.namespace, valueLayers: layers, skipSchema: true });
    add(rendered.warnings, "warning");
    documents = rendered.documents;
  } catch (e) {
    fail(e);
    return report;
  }
  const parsed = parseManifests(documents, { defaultNamespace: opts.namespace });
  if (!parsed.ok) add(parsed.errors);
  else add(checkPodSecurity(parsed.value.map((object, i) => ({ object, file: documents[i]?.file ?? chart.dir })), opts.podSecurity ?? DEFAULT_POD_SECURITY));
  add(parsed.warnings, "warning");
  return report;
}

/** `[ERROR] templates/deployment.yaml:14:20: message`, the file relative to the chart as Helm prints it. */
export function formatFinding(f: LintFinding, chartDir: string): string {
  const file = f.file !== undefined && f.file.startsWith(`${chartDir}/`) ? f.file.slice(chartDir.length + 1) : f.file;
  const p: Problem = { ...f, severity: "error" };
  if (file !== undefined) p.file = file;
  return `[${f.severity === "warning" ? "WARNING" : "ERROR"}] ${formatProblem(p)}`;
}

export const lintCommand: Command = {
  name: "lint",
  summary: "Check a chart: structure, values against its schema, rendering, and the objects it makes",
  usage: USAGE,
  async run(args, ctx) {
    const io = ctx.io;
    let opts: LintOptions;
    try {
      opts = parseLintArgs(args);
    } catch (e) {
      printError(io, e);
      return 1;
    }
    let report: LintReport;
    try {
      report = await lintChart({ ...opts, podSecurity: await podSecurityFor(opts.project, ctx.global.config) }, io);
    } catch (e) {
      printError(io, e);
      return 1;
    }
    io.stdout(`==> Linting ${report.chart}\n`);
    for (const f of report.findings) io.stdout(`${formatFinding(f, report.chart)}\n`);
    const errors = report.findings.filter((f) => f.severity === "error").length;
    const warnings = report.findings.length - errors;
    const failed = errors > 0 || (opts.strict && warnings > 0);
    io.stdout(`\n1 chart(s) linted, ${failed ? 1 : 0} chart(s) failed (${errors} error(s), ${warnings} warning(s))\n`);
    return failed ? 1 : 0;
  },
};
