/**
 * Rendering off the event loop: charts from Git rendered in worker threads, with a time budget
 * and size caps, so no commit can stop the daemon.
 */
export {
  createRenderPool,
  formatBudget,
  DEFAULT_RENDER_IDLE_MS,
  DEFAULT_RENDER_MEMORY_MB,
  DEFAULT_RENDER_POOL_SIZE,
  DEFAULT_RENDER_TIMEOUT_MS,
} from "./pool.js";
export type { RenderPool, RenderPoolOptions, RenderPoolRenderOptions } from "./pool.js";
export { DEFAULT_MAX_CHART_BYTES, DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_MAX_VALUES_BYTES } from "../chart/index.js";
export type { RenderedApplication, RenderedObject } from "../application/index.js";
