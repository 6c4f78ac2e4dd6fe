import { loadChart, readValueLayers, renderChart } from "../chart/index.js";
import type { Chart } from "../chart/index.js";
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
}

export interface RenderedApplication {
  objects: RenderedObject[];
  /** Accepted but without effect (fields Docker cannot honour). */
  warnings: Problem[];
  notes?: string;
}

export interface RenderApplicationOptions {
  kubeVersion?: string;
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
 * Throws CapstanError (CHART_INVALID, VALUES_INVALID, CHART_RENDER_FAILED, MANIFEST_INVALID, PATH_OUTSIDE_REPO).
 */
export async function renderApplication(root: string, app: Application, options: RenderApplicationOptions = {}): Promise<RenderedApplication> {
  const { source, destination } = app.spec;
  const namespace = destination.namespace;
  let chart: Promise<Chart> | undefined = options.charts?.get(`${root}\0${source.path}`);
  if (!chart) {
    chart = loadChart(root, source.path);
    options.charts?.set(`${root}\0${source.path}`, chart);
  }
  const loaded = await chart;
  // Application valueFiles are repository-relative; the chart reader treats absolute paths as repository-relative.
  const valueLayers = readValueLayers(
    root,
    { valueFiles: source.valueFiles.map((f) => `/${f}`), values: source.values as GoMap },
    { chartDir: source.path },
  );
  const rendered = renderChart(loaded, {
    releaseName: app.metadata.name,
    namespace,
    valueLayers,
    ...(options.kubeVersion ? { kubeVersion: options.kubeVersion } : {}),
  });
  const parsed = parseManifests(
    rendered.documents.map((d) => ({ source: d.source, file: d.file, line: d.line, index: d.index, text: d.text, object: d.object })),
    { defaultNamespace: namespace },
  );
  if (!parsed.ok) {
    throw new CapstanError("MANIFEST_INVALID", `${source.path}: rendered manifests are invalid`, { problems: parsed.errors });
  }
  const objects = parsed.value.map((o: ManifestObject) => {
    const n = normalize(o, namespace);
    return {
      key: manifestKey(n, namespace),
      kind: n.kind,
      name: n.metadata.name,
      namespace: n.metadata.namespace || namespace,
      object: n as unknown as Record<string, unknown>,
    };
  });
  const result: RenderedApplication = { objects, warnings: parsed.warnings };
  if (rendered.notes !== undefined) result.notes = rendered.notes;
  return result;
}
