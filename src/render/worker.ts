/**
 * A render worker: renders one Application at a time for the pool (pool.ts) and posts the result
 * back. The pool terminates it when a render runs over its time budget, so nothing here needs to
 * watch the clock.
 */
import { parentPort, workerData } from "node:worker_threads";
import { renderApplication } from "../application/render.js";
import type { Chart } from "../chart/index.js";
import { serializeError } from "./protocol.js";
import type { RenderRequest, WorkerConfig, WorkerMessage } from "./protocol.js";

/** Charts kept per worker; a few, as each holds its files and up to a hundred cached renders. */
const CHART_CACHE_SIZE = 8;

/** Loaded charts by `<root>\0<path>`, least recently used dropped first. */
class ChartCache extends Map<string, Promise<Chart>> {
  override get(key: string): Promise<Chart> | undefined {
    const hit = super.get(key);
    if (hit !== undefined) {
      super.delete(key);
      super.set(key, hit);
    }
    return hit;
  }

  override set(key: string, value: Promise<Chart>): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > CHART_CACHE_SIZE) super.delete(this.keys().next().value as string);
    return this;
  }
}

const port = parentPort;
if (!port) throw new Error("src/render/worker is a worker thread entry; use createRenderPool()");
const config = workerData as WorkerConfig;
const charts = config.cacheCharts ? new ChartCache() : undefined;

const post = (m: WorkerMessage): void => port.postMessage(m);

port.on("message", (req: RenderRequest) => {
  void (async () => {
    try {
      const value = await renderApplication(req.root, req.app, {
        ...(req.kubeVersion !== undefined ? { kubeVersion: req.kubeVersion } : {}),
        ...(charts ? { charts } : {}),
        maxOutputBytes: config.maxOutputBytes,
        maxValuesBytes: config.maxValuesBytes,
        maxChartBytes: config.maxChartBytes,
      });
      post({ type: "result", id: req.id, value });
    } catch (e) {
      // A failed load is not kept: the next render of this chart tries again.
      charts?.delete(`${req.root}\0${req.app.spec.source.path}`);
      try {
        post({ type: "error", id: req.id, error: serializeError(e) });
      } catch (cloneError) {
        post({ type: "error", id: req.id, error: serializeError(cloneError) });
      }
    }
  })();
});

post({ type: "ready" });
