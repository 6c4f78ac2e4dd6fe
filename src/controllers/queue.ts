import { type Clock, type Timer, systemClock } from "./clock.js";
import { isTerminalError } from "./errors.js";

/**
 * A level-based work queue with controller-runtime's semantics: a key waiting to be processed
 * is held once however often it is added; one key is never reconciled by two workers at once
 * (an add during processing runs it once more afterwards); a reconcile that throws is retried
 * with per-key exponential back-off, unless it throws `TerminalError`.
 */

export interface ReconcileResult {
  /** Look at this key again after this long, even if nothing changes. */
  requeueAfterMs?: number;
}

export type Reconcile = (key: string) => Promise<ReconcileResult | void>;

export interface WorkQueueOptions {
  reconcile: Reconcile;
  clock?: Clock;
  /** Keys processed at once (different keys only). Default 4. */
  concurrency?: number;
  /** Back-off after failures: base doubles per consecutive failure of a key, up to max. Default 100 ms → 30 s. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Told of every failure (after the retry is scheduled, or not for terminal errors). */
  onError?: (key: string, error: unknown, info: { failures: number; retryInMs: number | null }) => void;
  /** Told after every reconcile of a key, however it ended, with how long it took by the queue's clock. */
  onReconciled?: (key: string, durationMs: number) => void;
  /** Told the number of keys waiting whenever it changes. */
  onDepth?: (depth: number) => void;
}

export const DEFAULT_QUEUE_BACKOFF = { baseMs: 100, maxMs: 30_000 } as const;

/** Delay before retry number `failures` (1 = first failure): base × 2^(failures-1), capped. */
export function retryDelay(failures: number, baseMs: number = DEFAULT_QUEUE_BACKOFF.baseMs, maxMs: number = DEFAULT_QUEUE_BACKOFF.maxMs): number {
  if (failures <= 0) return 0;
  const exp = Math.min(failures - 1, 52);
  return Math.min(baseMs * 2 ** exp, maxMs);
}

export class WorkQueue {
  private readonly reconcile: Reconcile;
  private readonly clock: Clock;
  private readonly concurrency: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly onError: WorkQueueOptions["onError"];
  private readonly onReconciled: WorkQueueOptions["onReconciled"];
  private readonly onDepth: WorkQueueOptions["onDepth"];
  private reportedDepth = -1;
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Map<string, Promise<void>>();
  private readonly delayed = new Map<string, { at: number; timer: Timer }>();
  private readonly failures = new Map<string, number>();
  private idleWaiters: (() => void)[] = [];
  private running = false;
  private stopped = false;

  constructor(options: WorkQueueOptions) {
    this.reconcile = options.reconcile;
    this.clock = options.clock ?? systemClock;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.baseMs = options.backoff?.baseMs ?? DEFAULT_QUEUE_BACKOFF.baseMs;
    this.maxMs = options.backoff?.maxMs ?? DEFAULT_QUEUE_BACKOFF.maxMs;
    this.onError = options.onError;
    this.onReconciled = options.onReconciled;
    this.onDepth = options.onDepth;
  }

  /** Marks the key as needing a reconcile. Keys added before `start()` wait for it. */
  add(key: string): void {
    if (this.stopped) return;
    const d = this.delayed.get(key);
    if (d) {
      d.timer.cancel();
      this.delayed.delete(key);
    }
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (!this.processing.has(key)) this.queue.push(key);
    this.pump();
  }

  /** Adds the key after `ms`; of several pending delays for one key the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    existing?.timer.cancel();
    const timer = this.clock.setTimeout(() => {
      if (this.delayed.get(key)?.timer !== timer) return;
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, timer });
  }

  /** Forgets the key's failure count and any delayed add. */
  forget(key: string): void {
    this.failures.delete(key);
    const d = this.delayed.get(key);
    d?.timer.cancel();
    this.delayed.delete(key);
  }

  /** Consecutive failures of the key so far. */
  failureCount(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Keys waiting to be processed (not counting ones being processed or delayed). */
  depth(): number {
    return this.queue.length;
  }

  /** Keys waiting for a delayed add (retries and requeues). */
  delayedCount(): number {
    return this.delayed.size;
  }

  start(): void {
    if (this.stopped) return;
    this.running = true;
    this.pump();
  }

  /** Stops taking work and cancels delayed adds; resolves when the steps under way finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.running = false;
    for (const d of this.delayed.values()) d.timer.cancel();
    this.delayed.clear();
    this.queue.length = 0;
    this.reportDepth();
    this.dirty.clear();
    await Promise.allSettled([...this.processing.values()]);
    this.notifyIdle();
  }

  /** Resolves once nothing is queued or being processed (delayed adds do not count). */
  onIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return (this.queue.length === 0 || !this.running) && this.processing.size === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private reportDepth(): void {
    if (this.queue.length === this.reportedDepth) return;
    this.reportedDepth = this.queue.length;
    this.onDepth?.(this.reportedDepth);
  }

  private pump(): void {
    if (!this.running) {
      this.reportDepth();
      return;
    }
    while (this.processing.size < this.concurrency && this.queue.length > 0) {
      const key = this.queue.shift() as string;
      this.dirty.delete(key);
      const p = this.process(key).finally(() => {
        this.processing.delete(key);
        if (this.dirty.has(key) && !this.stopped) this.queue.push(key);
        this.pump();
        this.notifyIdle();
      });
      this.processing.set(key, p);
    }
    this.reportDepth();
  }

  private async process(key: string): Promise<void> {
    const started = this.clock.now();
    try {
      await this.reconcileOnce(key);
    } finally {
      this.onReconciled?.(key, this.clock.now() - started);
    }
  }

  private async reconcileOnce(key: string): Promise<void> {
    let result: ReconcileResult | void;
    try {
      result = await this.reconcile(key);
    } catch (err) {
      if (isTerminalError(err)) {
        this.failures.delete(key);
        this.onError?.(key, err, { failures: 0, retryInMs: null });
        return;
      }
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      const delay = retryDelay(n, this.baseMs, this.maxMs);
      this.addAfter(key, delay);
      this.onError?.(key, err, { failures: n, retryInMs: delay });
      return;
    }
    this.failures.delete(key);
    if (result && result.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
  }
}
