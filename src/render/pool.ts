import { Worker } from "node:worker_threads";
import type { Application, RenderedApplication } from "../application/index.js";
import { DEFAULT_MAX_CHART_BYTES, DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_MAX_VALUES_BYTES, limitError } from "../chart/index.js";
import { CapstanError } from "../errors.js";
import { deserializeError } from "./protocol.js";
import type { RenderRequest, WorkerConfig, WorkerMessage } from "./protocol.js";

export const DEFAULT_RENDER_POOL_SIZE = 2;
export const DEFAULT_RENDER_TIMEOUT_MS = 10_000;
/** V8 heap of one render worker; past it the worker is stopped and the render refused (RENDER_TOO_LARGE). */
export const DEFAULT_RENDER_MEMORY_MB = 512;

export interface RenderPoolOptions {
  /** Worker threads rendering at once (2); further renders wait their turn. */
  size?: number;
  /** Time budget of one render, from when a worker takes it (10 s); past it the worker is terminated (RENDER_TIMEOUT). */
  timeoutMs?: number;
  /** Most bytes of text one render's templates may produce (16 MiB; RENDER_TOO_LARGE). */
  maxOutputBytes?: number;
  /** Most bytes of one values file or of an Application's inline values (8 MiB; VALUES_TOO_LARGE). */
  maxValuesBytes?: number;
  /** Most bytes of a chart's files, archives unpacked (100 MiB; CHART_INVALID). */
  maxChartBytes?: number;
  /** Heap of one worker in MiB (512); running out stops the worker (RENDER_TOO_LARGE). */
  maxMemoryMb?: number;
  /**
   * Keep loaded charts in each worker by tree root and chart path (default true). Right for the
   * daemon's checkouts, which never change; pass false when rendering a working directory that may.
   */
  cacheCharts?: boolean;
  /**
   * A worker with nothing to render for this long ends (default 10 s), giving back its heap (about
   * 15 MB each): a daemon between commits holds no render threads. The next render starts one again.
   */
  idleMs?: number;
}

/** How long an idle render worker is kept. */
export const DEFAULT_RENDER_IDLE_MS = 10_000;

export interface RenderPoolRenderOptions {
  kubeVersion?: string;
}

export interface RenderPool {
  /**
   * `renderApplication` of src/application, run in a worker thread within the time budget and
   * size caps: the same result and the same CapstanErrors (code, message, problems), plus
   * RENDER_TIMEOUT, RENDER_TOO_LARGE and VALUES_TOO_LARGE.
   */
  renderApplication(root: string, app: Application, options?: RenderPoolRenderOptions): Promise<RenderedApplication>;
  /** Worker threads alive now, rendering, starting or idle. */
  workers(): number;
  /** Stops every worker; renders not finished are rejected. */
  close(): Promise<void>;
}

interface Task {
  id: number;
  root: string;
  app: Application;
  kubeVersion?: string;
  resolve: (value: RenderedApplication) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Set once the worker has loaded its modules; a render's budget starts only then. */
  ready: boolean;
  task?: Task;
  timer?: NodeJS.Timeout;
  /** Ends the worker once it has been idle for `idleMs`. */
  idle?: NodeJS.Timeout;
}

/**
 * The worker's entry next to this module: worker.js once built; from TypeScript sources (tsx,
 * vitest) a small .mjs that registers tsx in the thread first, as worker threads do not inherit
 * the loader hooks of the thread that starts them.
 */
function workerEntry(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts") ? new URL("./worker-tsx.mjs", here) : new URL("./worker.js", here);
}

/** `10s`, `2.5s`, `300ms`. */
export function formatBudget(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

/**
 * Renders Applications in worker threads, so a chart from Git cannot stop the daemon: a template
 * that loops is terminated when its time budget runs out, one that builds huge values runs out
 * of its worker's heap, and the event loop (API, health checks, other applications) keeps
 * serving meanwhile. Workers start when first needed, are reused, and are replaced after a
 * timeout; idle workers do not keep the process alive.
 */
export function createRenderPool(options: RenderPoolOptions = {}): RenderPool {
  return new WorkerRenderPool(options);
}

class WorkerRenderPool implements RenderPool {
  private readonly size: number;
  private readonly timeoutMs: number;
  private readonly maxMemoryMb: number;
  private readonly idleMs: number;
  private readonly config: WorkerConfig;
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: RenderPoolOptions) {
    this.size = Math.max(1, Math.floor(options.size ?? DEFAULT_RENDER_POOL_SIZE));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_RENDER_TIMEOUT_MS;
    this.maxMemoryMb = options.maxMemoryMb ?? DEFAULT_RENDER_MEMORY_MB;
    this.idleMs = options.idleMs ?? DEFAULT_RENDER_IDLE_MS;
    this.config = {
      maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      maxValuesBytes: options.maxValuesBytes ?? DEFAULT_MAX_VALUES_BYTES,
      maxChartBytes: options.maxChartBytes ?? DEFAULT_MAX_CHART_BYTES,
      cacheCharts: options.cacheCharts ?? true,
    };
  }

  renderApplication(root: string, app: Application, options: RenderPoolRenderOptions = {}): Promise<RenderedApplication> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise<RenderedApplication>((resolve, reject) => {
      const task: Task = { id: this.nextId++, root, app, resolve, reject };
      if (options.kubeVersion !== undefined) task.kubeVersion = options.kubeVersion;
      this.queue.push(task);
      this.pump();
    });
  }

  /** Worker threads alive now, rendering, starting or idle. */
  workers(): number {
    return this.slots.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(closedError());
    const slots = [...this.slots];
    this.slots.clear();
    await Promise.all(
      slots.map(async (slot) => {
        this.finish(slot)?.reject(closedError());
        await slot.worker.terminate();
      }),
    );
  }

  /** Hands queued renders to idle workers, starting workers (up to `size`) for the rest. */
  private pump(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.ready && !slot.task) this.run(slot, this.queue.shift() as Task);
    }
    let starting = [...this.slots].filter((s) => !s.ready).length;
    while (this.queue.length > starting && this.slots.size < this.size) {
      this.spawn();
      starting++;
    }
  }

  private spawn(): void {
    const worker = new Worker(workerEntry(), {
      workerData: this.config,
      // The parent's flags are not the worker's business (and V8 flags such as the CLI's are refused when passed explicitly).
      execArgv: [],
      // A small young generation, as the daemon itself runs with (--max-semi-space-size=1): renders are short, and the heap stays lean.
      resourceLimits: { maxOldGenerationSizeMb: this.maxMemoryMb, maxYoungGenerationSizeMb: 4 },
    });
    const slot: Slot = { worker, ready: false };
    worker.unref();
    worker.on("message", (m: WorkerMessage) => this.onMessage(slot, m));
    worker.on("error", (e: Error) => this.onFailure(slot, e));
    worker.on("exit", (code: number) => this.onFailure(slot, new Error(`render worker exited with code ${code}`)));
    this.slots.add(slot);
  }

  private run(slot: Slot, task: Task): void {
    if (slot.idle) clearTimeout(slot.idle);
    slot.idle = undefined;
    slot.task = task;
    slot.worker.ref();
    slot.timer = setTimeout(() => this.onTimeout(slot), this.timeoutMs);
    const req: RenderRequest = { id: task.id, root: task.root, app: task.app };
    if (task.kubeVersion !== undefined) req.kubeVersion = task.kubeVersion;
    try {
      slot.worker.postMessage(req);
    } catch (e) {
      // An Application that cannot be cloned (not plain data) fails alone; the worker stays idle.
      this.finish(slot);
      task.reject(e as Error);
      queueMicrotask(() => this.pump());
    }
  }

  /** Takes the slot's task off it (the worker goes idle and stops holding the process open). */
  private finish(slot: Slot): Task | undefined {
    const task = slot.task;
    slot.task = undefined;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.worker.unref();
    return task;
  }

  private onMessage(slot: Slot, m: WorkerMessage): void {
    if (!this.slots.has(slot)) return;
    if (m.type === "ready") {
      slot.ready = true;
      this.pump();
      this.retireWhenIdle(slot);
      return;
    }
    if (slot.task?.id !== m.id) return;
    const task = this.finish(slot) as Task;
    if (m.type === "result") task.resolve(m.value);
    else task.reject(deserializeError(m.error));
    this.pump();
    this.retireWhenIdle(slot);
  }

  /** A worker left without work ends after `idleMs`, unless a render takes it first. */
  private retireWhenIdle(slot: Slot): void {
    if (slot.task || !this.slots.has(slot)) return;
    if (slot.idle) clearTimeout(slot.idle);
    slot.idle = setTimeout(() => {
      if (slot.task || !this.slots.delete(slot)) return;
      void slot.worker.terminate();
    }, this.idleMs);
    slot.idle.unref();
  }

  private onTimeout(slot: Slot): void {
    if (!this.slots.has(slot)) return;
    const task = this.finish(slot);
    // A template in a loop never yields: only terminating the thread stops it. Its replacement starts when next needed.
    this.slots.delete(slot);
    void slot.worker.terminate();
    if (task) task.reject(timeoutError(task.app, this.timeoutMs));
    this.pump();
  }

  /** The worker died (out of memory, a crash, or it failed to start): its render fails, the slot is freed. */
  private onFailure(slot: Slot, e: Error): void {
    if (!this.slots.has(slot)) return;
    this.slots.delete(slot);
    const task = this.finish(slot);
    if (task) task.reject(failureError(task.app, e, this.maxMemoryMb));
    else if (!slot.ready) this.failQueued(e);
    this.pump();
  }

  /** A worker that cannot start, with no other worker left, fails the renders waiting rather than being restarted forever. */
  private failQueued(e: Error): void {
    if (this.slots.size > 0) return;
    for (const task of this.queue.splice(0)) task.reject(startError(e));
  }
}

function timeoutError(app: Application, budgetMs: number): CapstanError {
  const chart = app.spec.source.path;
  return limitError(
    "RENDER_TIMEOUT",
    `rendering ${chart} took longer than the ${formatBudget(budgetMs)} budget; the template may loop (a range over a huge count, or a template that includes itself), so it was stopped`,
  );
}

function failureError(app: Application, e: Error, maxMemoryMb: number): Error {
  const chart = app.spec.source.path;
  if ((e as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY") {
    return limitError(
      "RENDER_TOO_LARGE",
      `rendering ${chart} needed more than ${maxMemoryMb} MiB of memory, so it was stopped; the template may build very large values`,
    );
  }
  return new CapstanError("CHART_RENDER_FAILED", `rendering ${chart} stopped its worker: ${e.message}`, { cause: e });
}

function startError(e: Error): Error {
  return new Error(`the render worker did not start: ${e.message}`, { cause: e });
}

function closedError(): Error {
  return new Error("the render pool is closed");
}
