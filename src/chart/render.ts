import * as semver from "semver";
import { CapstanError } from "../errors.js";
import { parseYamlFast } from "../manifest/fast-yaml.js";
import type { Problem } from "../errors.js";
import { TemplateError, TemplateSet } from "../template/index.js";
import type { LookupFn } from "../template/funcs/types.js";
import { isGoMap } from "../template/values.js";
import type { GoMap, GoValue } from "../template/values.js";
import { coalesceChartValues, nodeValues } from "./dependencies.js";
import type { ChartNode } from "./dependencies.js";
import { ChartFiles } from "./files.js";
import { sortByInstallOrder, splitDocuments } from "./order.js";
import { DEFAULT_MAX_OUTPUT_BYTES, formatBytes, limitError } from "./limits.js";
import { CapabilitiesObject, ChartObject, DEFAULT_KUBE_VERSION } from "./render-objects.js";
import { validateValues } from "./schema.js";
import type { Chart } from "./types.js";

export interface RenderOptions {
  releaseName: string;
  namespace: string;
  /** Caller's value layers, lowest precedence first (value files, inline values, -f, --set). */
  valueLayers?: readonly GoMap[];
  /** Release revision (1 on install). */
  revision?: number;
  isUpgrade?: boolean;
  /** Helm's `lookup` against live state; without it `lookup` finds nothing. */
  lookup?: LookupFn;
  kubeVersion?: string;
  /** Skip values.schema.json (lint checks it separately to report schema and template problems together). */
  skipSchema?: boolean;
  /** Reuse an earlier identical render (default true; never for charts using volatile functions). */
  cache?: boolean;
  /** Most bytes of text the templates may produce together (RENDER_TOO_LARGE past it); DEFAULT_MAX_OUTPUT_BYTES when unset. */
  maxOutputBytes?: number;
}

/** One YAML document of the output. */
export interface RenderedDocument {
  /** Helm's name for the template: `web/templates/deployment.yaml`. */
  source: string;
  /** Repository-relative file of the template: `charts/web/templates/deployment.yaml`. */
  file: string;
  /** Index of the document within its template's output. */
  index: number;
  /** 1-based line where the document starts in the template's rendered output. */
  line: number;
  text: string;
  /** The document parsed as YAML. */
  object: unknown;
}

export interface RenderResult {
  /** In Helm's install order. */
  documents: RenderedDocument[];
  /** The chart's rendered NOTES.txt, when it has one. */
  notes?: string;
  /** Findings that do not stop the render (Helm hooks, which Capstan has no phases for). */
  warnings: Problem[];
  /** The values the chart was rendered with. */
  values: GoMap;
  tree: ChartNode;
}

interface TemplateEntry {
  name: string;
  file: string;
  text: string;
  node: ChartNode;
}

/** All templates of the tree, by full name, with Helm's parse order (deepest first, then reverse name order). */
function collectTemplates(tree: ChartNode): TemplateEntry[] {
  const out: TemplateEntry[] = [];
  const visit = (node: ChartNode): void => {
    for (const t of node.chart.templates) {
      out.push({ name: `${node.prefix}/${t.name}`, file: `${node.chart.dir}/${t.name}`, text: t.data.toString("utf8"), node });
    }
    node.subcharts.forEach(visit);
  };
  visit(tree);
  const depth = (s: string): number => s.split("/").length;
  return out.sort((a, b) => depth(b.name) - depth(a.name) || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

function treeSignature(node: ChartNode): string {
  return `${node.prefix}(${node.subcharts.map(treeSignature).join(",")})`;
}

interface ParsedSet {
  set: TemplateSet;
  entries: TemplateEntry[];
  files: Map<string, string>;
}

const setCache = new WeakMap<Chart, Map<string, { lookup: LookupFn | undefined; parsed: ParsedSet }>>();

function templateProblem(e: unknown, files: Map<string, string>, fallbackFile: string): Problem {
  if (e instanceof TemplateError) {
    const file = files.get(e.location ?? e.templateName) ?? files.get(e.templateName) ?? fallbackFile;
    let message = e.message;
    const prefix = /^template: [^\n]*?:\d+(?::\d+)?: /.exec(message);
    if (prefix) message = message.slice(prefix[0].length);
    else message = message.replace(/^template: /, "");
    const p: Problem = { file, message };
    if (e.line) p.line = e.line;
    if (e.column) p.column = e.column;
    return p;
  }
  return { file: fallbackFile, message: (e as Error).message ?? String(e) };
}

/** Parses every template of the tree into one set, named by full path; cached per chart and tree shape. */
function parseTemplates(chart: Chart, tree: ChartNode, lookup: LookupFn | undefined): ParsedSet {
  const sig = treeSignature(tree);
  let byTree = setCache.get(chart);
  const hit = byTree?.get(sig);
  if (hit && hit.lookup === lookup) return hit.parsed;
  const entries = collectTemplates(tree);
  const files = new Map(entries.map((e) => [e.name, e.file]));
  const options: ConstructorParameters<typeof TemplateSet>[0] = { funcs: "helm" };
  if (lookup) options.lookup = lookup;
  const set = new TemplateSet(options);
  const problems: Problem[] = [];
  for (const e of entries) {
    try {
      set.parse(e.name, e.text);
    } catch (err) {
      problems.push(templateProblem(err, files, e.file));
    }
  }
  if (problems.length > 0) {
    throw new CapstanError("TEMPLATE_PARSE_FAILED", `${chart.dir}: templates do not parse`, { problems });
  }
  const parsed = { set, entries, files };
  if (!byTree) {
    byTree = new Map();
    setCache.set(chart, byTree);
  }
  byTree.set(sig, { lookup, parsed });
  return parsed;
}

const basePathOf = (node: ChartNode): string => `${node.prefix}/templates`;

/** The data each chart's templates see: Helm's top-level map (Values, Release, Chart, Capabilities, Files, Subcharts). */
function chartData(node: ChartNode, values: GoMap, release: GoMap, capabilities: CapabilitiesObject, isRoot: boolean): GoMap {
  const subcharts: GoMap = {};
  for (const sub of node.subcharts) subcharts[sub.name] = chartData(sub, values, release, capabilities, false);
  return {
    Values: nodeValues(values, node),
    Release: release,
    Chart: new ChartObject(node.chart.metadata, node.name, isRoot),
    Capabilities: capabilities,
    Files: new ChartFiles(node.chart.files),
    Subcharts: subcharts,
  };
}

/** Computes values and validates them against the charts' schemas (every violation at once). */
export function resolveValues(chart: Chart, valueLayers: readonly GoMap[] = []): { tree: ChartNode; values: GoMap } {
  const { tree, values } = coalesceChartValues(chart, valueLayers);
  const problems = validateValues(tree, values);
  if (problems.length > 0) {
    throw new CapstanError("VALUES_INVALID", "values do not match values.schema.json", { problems });
  }
  return { tree, values };
}

/**
 * Functions whose output changes from one render to the next (or depends on live state).
 * A chart whose templates name none of them renders the same output for the same inputs,
 * so its renders are cached — as Argo CD caches manifests per source and parameters.
 */
const VOLATILE = /\b(?:rand[A-Za-z]*|shuffle|uuidv4|now|ago|gen(?:PrivateKey|CA|CAWithKey|SelfSignedCert|SelfSignedCertWithKey|SignedCert|SignedCertWithKey)|htpasswd|bcrypt|encryptAES|lookup|getHostByName)\b/;
const RENDER_CACHE_SIZE = 128;

interface ChartCacheInfo {
  deterministic: boolean;
  usesTpl: boolean;
  results: Map<string, RenderResult>;
}
const renderCache = new WeakMap<Chart, ChartCacheInfo>();

function cacheInfo(chart: Chart): ChartCacheInfo {
  let info = renderCache.get(chart);
  if (!info) {
    let deterministic = true;
    let usesTpl = false;
    const visit = (c: Chart): void => {
      for (const t of c.templates) {
        const text = t.data.toString("utf8");
        if (VOLATILE.test(text)) deterministic = false;
        if (/\btpl\b/.test(text)) usesTpl = true;
      }
      c.dependencies.forEach(visit);
    };
    visit(chart);
    info = { deterministic, usesTpl, results: new Map() };
    renderCache.set(chart, info);
  }
  return info;
}

function cacheKey(options: RenderOptions): string {
  return JSON.stringify(
    [options.releaseName, options.namespace, options.revision ?? 1, options.isUpgrade ?? false, options.kubeVersion ?? "", options.skipSchema ?? false, options.maxOutputBytes ?? 0, options.valueLayers ?? []],
    (_k, v: unknown) => (typeof v === "bigint" ? { $int: v.toString() } : v),
  );
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/**
 * Renders a chart as `helm template` does, from a cache when the same chart was rendered with
 * the same inputs and its templates use no volatile function (random values, time, lookup).
 * The result's documents and values are frozen: they may be shared between calls.
 */
export function renderChart(chart: Chart, options: RenderOptions): RenderResult {
  const info = cacheInfo(chart);
  if (!info.deterministic || options.cache === false) return renderChartUncached(chart, options);
  const key = cacheKey(options);
  // With `tpl`, values carry template text too.
  if (info.usesTpl && VOLATILE.test(key)) return renderChartUncached(chart, options);
  const hit = info.results.get(key);
  if (hit) {
    info.results.delete(key);
    info.results.set(key, hit);
    return hit;
  }
  const result = renderChartUncached(chart, options);
  deepFreeze(result.documents);
  deepFreeze(result.warnings);
  deepFreeze(result.values);
  info.results.set(key, result);
  if (info.results.size > RENDER_CACHE_SIZE) info.results.delete(info.results.keys().next().value as string);
  return result;
}

/**
 * Renders a chart as `helm template` does: values coalesced and checked against the schema,
 * all templates in one set, partials (`_*`) and library charts not rendered, NOTES.txt apart,
 * documents split, empty ones dropped, sorted in install order. Throws CapstanError with every
 * problem found (codes VALUES_INVALID, TEMPLATE_PARSE_FAILED, CHART_RENDER_FAILED), or
 * RENDER_TOO_LARGE as soon as the output passes `maxOutputBytes`.
 */
function renderChartUncached(chart: Chart, options: RenderOptions): RenderResult {
  if (chart.metadata.type === "library") {
    throw new CapstanError("CHART_INVALID", `${chart.dir}: library charts are not installable; use it as a dependency of an application chart`, {
      problems: [{ file: `${chart.dir}/Chart.yaml`, field: "type", message: "library charts are not installable; use it as a dependency of an application chart" }],
    });
  }
  checkKubeVersion(chart, options.kubeVersion ?? DEFAULT_KUBE_VERSION);
  const { tree, values } = options.skipSchema
    ? coalesceChartValues(chart, options.valueLayers ?? [])
    : resolveValues(chart, options.valueLayers ?? []);
  const { set, entries, files } = parseTemplates(chart, tree, options.lookup);
  const revision = options.revision ?? 1;
  const release: GoMap = {
    Name: options.releaseName,
    Namespace: options.namespace,
    IsUpgrade: options.isUpgrade ?? false,
    IsInstall: !(options.isUpgrade ?? false),
    Revision: BigInt(revision),
    Service: "Capstan",
  };
  const capabilities = new CapabilitiesObject(options.kubeVersion);
  const dataByNode = new Map<ChartNode, GoMap>();
  const dataFor = (node: ChartNode): GoMap => {
    let d = dataByNode.get(node);
    if (!d) {
      d = chartData(node, values, release, capabilities, node === tree);
      dataByNode.set(node, d);
    }
    return d;
  };

  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const documents: RenderedDocument[] = [];
  let notes: string | undefined;
  const rendered = entries
    .filter((e) => !baseName(e.name).startsWith("_") && e.node.chart.metadata.type !== "library")
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  let outputBytes = 0;
  for (const e of rendered) {
    const isNotes = baseName(e.name) === "NOTES.txt";
    if (isNotes && e.node !== tree) continue;
    let out: string;
    try {
      const data: GoMap = { ...dataFor(e.node), Template: { Name: e.name, BasePath: basePathOf(e.node) } };
      out = set.execute(e.name, data).replaceAll("<no value>", "");
    } catch (err) {
      problems.push(templateProblem(err, files, e.file));
      continue;
    }
    outputBytes += Buffer.byteLength(out);
    if (outputBytes > maxOutput) throw outputTooLarge(chart.dir, e.file, maxOutput);
    if (isNotes) {
      notes = out;
      continue;
    }
    splitDocuments(out).forEach((piece, index) => {
      let object: unknown;
      try {
        object = parseYamlFast(piece.text);
      } catch (err) {
        const pos = (err as { linePos?: { line: number; col: number }[] }).linePos?.[0];
        const p: Problem = { file: e.file, message: `rendered YAML does not parse: ${firstLine((err as Error).message)}` };
        if (pos) {
          p.line = piece.line + pos.line - 1;
          p.column = pos.col;
        }
        problems.push(p);
        return;
      }
      if (object === null || object === undefined) return; // only comments: nothing to apply
      const hook = hookOf(object);
      if (hook !== undefined) {
        const warning: Problem = { file: e.file, line: piece.line, field: "metadata.annotations.helm.sh/hook", severity: "warning", message: "" };
        if (hook.split(",").some((h) => h.trim().startsWith("test"))) {
          warnings.push({ ...warning, message: `test hook "${hook}" skipped: Capstan does not run helm test` });
          return;
        }
        warnings.push({ ...warning, message: `hook "${hook}" is applied as an ordinary object: Capstan has no hook phases` });
      }
      documents.push({ source: e.name, file: e.file, index, line: piece.line, text: piece.text, object });
    });
  }
  if (problems.length > 0) {
    throw new CapstanError("CHART_RENDER_FAILED", `${chart.dir}: chart does not render`, { problems });
  }
  const result: RenderResult = {
    documents: sortByInstallOrder(documents, (d) => kindOf(d.object)),
    warnings,
    values,
    tree,
  };
  if (notes !== undefined) result.notes = notes;
  return result;
}

function outputTooLarge(chartDir: string, file: string, limit: number): Error {
  return limitError("RENDER_TOO_LARGE", `${chartDir}: rendered output passed the ${formatBytes(limit)} limit in ${file}; a template may loop or repeat a large value`);
}

/** Helm refuses a chart whose `kubeVersion` constraint the target does not meet. */
function checkKubeVersion(chart: Chart, kubeVersion: string): void {
  const constraint = chart.metadata.kubeVersion;
  if (!constraint) return;
  // Masterminds constraints join with commas; node-semver with spaces.
  const range = semver.validRange(constraint.replace(/,/g, " "), { loose: true, includePrerelease: true });
  const version = semver.coerce(kubeVersion, { includePrerelease: true });
  const file = `${chart.dir}/Chart.yaml`;
  if (range === null) {
    throw new CapstanError("CHART_INVALID", `${file}: kubeVersion "${constraint}" is not a version constraint`, {
      problems: [{ file, field: "kubeVersion", message: `"${constraint}" is not a version constraint (such as ">=1.25.0-0")` }],
    });
  }
  if (version && !semver.satisfies(version, range, { includePrerelease: true })) {
    const message = `chart requires kubeVersion ${constraint}, which is incompatible with the Kubernetes version Capstan presents (${kubeVersion})`;
    throw new CapstanError("CHART_INVALID", `${file}: ${message}`, { problems: [{ file, field: "kubeVersion", message }] });
  }
}

function hookOf(object: unknown): string | undefined {
  const meta = isGoMap(object as GoValue) ? (object as GoMap)["metadata"] : undefined;
  const annotations = isGoMap(meta) ? meta["annotations"] : undefined;
  const hook = isGoMap(annotations) ? annotations["helm.sh/hook"] : undefined;
  return typeof hook === "string" ? hook : undefined;
}

function kindOf(object: unknown): string {
  if (!isGoMap(object as GoValue)) return "";
  const k = (object as GoMap)["kind"];
  return typeof k === "string" ? k : "";
}

const baseName = (p: string): string => p.slice(p.lastIndexOf("/") + 1);
const firstLine = (s: string): string => (s.split("\n")[0] ?? s).replace(/ at line \d+, column \d+:?$/, "");
