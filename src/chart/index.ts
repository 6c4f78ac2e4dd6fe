export { loadChart, buildChart, TEMPLATE_EXTENSIONS } from "./load.js";
export type { BuildOptions } from "./load.js";
export { readChartArchive } from "./archive.js";
export {
  ChartBudget,
  DEFAULT_MAX_CHART_BYTES,
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_MAX_VALUES_BYTES,
  checkValuesSize,
  formatBytes,
  limitError,
} from "./limits.js";
export type { ChartLimits, LimitErrorCode } from "./limits.js";
export { renderChart, resolveValues } from "./render.js";
export type { RenderOptions, RenderResult, RenderedDocument } from "./render.js";
export { mergeValues, mergeMaps, parseValuesYaml, pathValue, toJsonCompatible } from "./values.js";
export { parseSetFlags } from "./strvals.js";
export type { SetFlag, SetKind } from "./strvals.js";
export { coalesceChartValues, buildChartTree, nodeValues } from "./dependencies.js";
export type { ChartNode } from "./dependencies.js";
export { validateValues } from "./schema.js";
export { resolveInRepo, findRepoRoot } from "./paths.js";
export { INSTALL_ORDER, sortByInstallOrder, splitDocuments } from "./order.js";
export { readValueLayers, readUserValues } from "./layers.js";
export type { ValueSources } from "./layers.js";
export { CapabilitiesObject, ChartObject, SUPPORTED_API_VERSIONS, DEFAULT_KUBE_VERSION } from "./render-objects.js";
export { ChartFiles } from "./files.js";
export type { Chart, ChartDependency, ChartFile, ChartMetadata, ImportValue } from "./types.js";
