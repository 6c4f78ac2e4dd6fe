import { checkValuesSize, loadChart, readValueLayers, renderChart } from "../chart/index.js";
import type { Chart, ChartLimits } from "../chart/index.js";
import { CapstanError } from "../errors.js";
import type { Problem } from "../errors.js";
import { manifestKey, normalize, parseManifests } from "../manifest/index.js";
import type { ManifestObject } from "../manifest/index.js";
import type { GoMap } from "../template/values.js";
import type { Application } from "./types.js";

/** One object an Application renders to, normalized, with its stable key. */
export interface RenderedObject {
  /** `namespace/Kind/name`. */
  key: string;
  kind: string;
  name: string;
  namespace: string;
  object: Record<string, unknown>;
  /** Repository-relative template file it was rendered from (`charts/web/templates/deployment.yaml`). */
  file?: string;
}

export interface RenderedApplication {
  objects: RenderedObject[];
  /** Accepted but without effect (fields Docker cannot honour). */
  warnings: Problem[];
  notes?: string;
}

export interface RenderApplicationOptions extends ChartLimits {
  kubeVersion?: string;
  /** Most bytes of text the chart's templates may produce (RENDER_TOO_LARGE); 16 MiB when unset. */
  maxOutputBytes?: number;
  /**
   * Loaded charts by `<root>\0<path>`, shared between renders of one immutable tree (a checkout
   * under the state directory), so applications sharing a chart load it and compile its schema once.
   */
  charts?: Map<string, Promise<Chart>>;
}

/**
 * Renders an Application's chart from the checked-out tree `root` (the repository holding the chart):
 * chart values, then the Application's valueFiles (repository-relative) in order, then its inline
 * values; validates and normalizes the objects so the diff compares like with like.
 * Throws CapstanError (CHART_INVALID, VALUES_INVALID, VALUES_TOO_LARGE, CHART_RENDER_FAILED,
 * RENDER_TOO_LARGE, MANIFEST_INVALID, PATH_OUTSIDE_REPO).
 *
 * This runs templates from Git on the calling thread, with no time budget: a daemon renders
 * through a render pool (src/render), which runs this in worker threads.
 */
export async function renderApplication(root: string, app: Application, options: RenderApplicationOptions = {}): Promise<RenderedApplication> {
  const { source, destination } = app.spec;
  const namespace = destination.namespace;
  const limits: ChartLimits = {};
  if (options.maxValuesBytes !== undefined) limits.maxValuesBytes = options.maxValuesBytes;
  if (options.maxChartBytes !== undefined) limits.maxChartBytes = options.maxChartBytes;
  checkValuesSize(inlineBytes(source.values), `${app.origin.file}: spec.source.values`, options.maxValuesBytes);
  let chart: Promise<Chart> | undefined = options.charts?.get(`${root}\0${source.path}`);
  if (!chart) {
    chart = loadChart(root, source.path, limits);
    options.charts?.set(`${root}\0${source.path}`, chart);
  }
  const loaded = await chart;
  // Application valueFiles are repository-relative; the chart reader treats absolute paths as repository-relative.
  const valueLayers = readValueLayers(
    root,
    { valueFiles: source.valueFiles.map((f) => `/${f}`), values: source.values as GoMap },
    { chartDir: source.path },
    limits,
  );
  const rendered = renderChart(loaded, {
    releaseName: app.metadata.name,
    namespace,
    valueLayers,
    ...(options.kubeVersion ? { kubeVersion: options.kubeVersion } : {}),
    ...(options.maxOutputBytes !== undefined ? { maxOutputBytes: options.maxOutputBytes } : {}),
  });
  const parsed = parseManifests(
    rendered.documents.map((d) => ({ source: d.source, file: d.file, line: d.line, index: d.index, text: d.text, object: d.object })),
    { defaultNamespace: namespace },
  );
  if (!parsed.ok) {
    throw new CapstanError("MANIFEST_INVALID", `${source.path}: rendered manifests are invalid`, { problems: parsed.errors });
  }
  // Rendered documents are never empty, so a valid set has one object per document, in order.
  const files = parsed.value.length === rendered.documents.length ? rendered.documents.map((d) => d.file) : [];
  const objects = parsed.value.map((o: ManifestObject, i) => {
    const n = normalize(o, namespace);
    const out: RenderedObject = {
      key: manifestKey(n, namespace),
      kind: n.kind,
      name: n.metadata.name,
      namespace: n.metadata.namespace || namespace,
      object: n as unknown as Record<string, unknown>,
    };
    const file = files[i];
    if (file !== undefined) out.file = file;
    return out;
  });
  const result: RenderedApplication = { objects, warnings: parsed.warnings };
  if (rendered.notes !== undefined) result.notes = rendered.notes;
  return result;
}

/** Inline values' size as JSON, the measure of values files applied to values written in the Application. */
function inlineBytes(values: Record<string, unknown>): number {
  return Buffer.byteLength(JSON.stringify(values, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? "");
}
