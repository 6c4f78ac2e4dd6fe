import { systemClock, type Clock, type Timer } from "../controllers/clock.js";

export type NodeEventReason = "NodeReady" | "NodeNotReady" | "DeletingAllPods" | "RemovingStalePods";

export interface NodeEvent {
  time: number;
  node: string;
  type: "Normal" | "Warning";
  reason: NodeEventReason;
  message: string;
}

export interface NodeHealth {
  name: string;
  ready: boolean;
  /** Clock ms of the last answered ping (the monitor's start before the first). */
  lastHeartbeat: number;
  /** Clock ms the node turned NotReady; null while ready. */
  notReadySince: number | null;
  /** Its pods were given up (eviction timeout passed) and it has not come back since. */
  evicted: boolean;
  lastError?: string;
}

export interface PingTarget {
  name: string;
  ping(): Promise<void>;
}

export interface NodeHealthOptions {
  nodes: PingTarget[];
  clock?: Clock;
  /** How often each engine is pinged (default 5 s). */
  periodMs?: number;
  /** A ping taking longer counts as failed (default: the period). */
  pingTimeoutMs?: number;
  /** Without an answer for this long the node is NotReady (default 40 s, Kubernetes' node-monitor-grace-period). */
  gracePeriodMs?: number;
  /** NotReady for this long, its pods are given up so controllers place them elsewhere (default 300 s). */
  evictionTimeoutMs?: number;
  onEvent?: (event: NodeEvent) => void;
  /** The node's pods should be replaced elsewhere. */
  onEvict?: (node: string) => void | Promise<void>;
  /** An evicted node answers again: the pods left on it are stale and should be removed. */
  onRecover?: (node: string) => void | Promise<void>;
}

interface Entry extends NodeHealth {
  inFlight: boolean;
}

/**
 * Pings every engine on a period and keeps each node's readiness as Kubernetes' node lifecycle
 * controller does: NotReady once no ping has been answered for the grace period, pods given up
 * after the eviction timeout, Ready again at the first answer (and stale pods cleaned up then).
 * Every transition is an event.
 */
export class NodeHealthMonitor {
  private readonly clock: Clock;
  private readonly period: number;
  private readonly pingTimeout: number;
  private readonly grace: number;
  private readonly eviction: number;
  private readonly entries = new Map<string, Entry>();
  private readonly targets: PingTarget[];
  private timer: Timer | undefined;
  private running = false;
  private readonly recent: NodeEvent[] = [];
  private readonly listeners = new Set<(event: NodeEvent) => void>();

  constructor(private readonly options: NodeHealthOptions) {
    this.clock = options.clock ?? systemClock;
    this.period = options.periodMs ?? 5_000;
    this.pingTimeout = options.pingTimeoutMs ?? this.period;
    this.grace = options.gracePeriodMs ?? 40_000;
    this.eviction = options.evictionTimeoutMs ?? 300_000;
    this.targets = options.nodes;
    const now = this.clock.now();
    for (const t of options.nodes) this.entries.set(t.name, { name: t.name, ready: true, lastHeartbeat: now, notReadySince: null, evicted: false, inFlight: false });
  }

  /** Probes at once, then every period. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = async () => {
      await this.probe();
      if (this.running) this.timer = this.clock.setTimeout(() => void tick(), this.period);
    };
    void tick();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  isReady(name: string): boolean {
    return this.entries.get(name)?.ready ?? false;
  }

  health(name: string): NodeHealth | undefined {
    const e = this.entries.get(name);
    if (!e) return undefined;
    const { inFlight: _inFlight, ...rest } = e;
    return { ...rest };
  }

  all(): NodeHealth[] {
    return this.targets.map((t) => this.health(t.name) as NodeHealth);
  }

  /** Called on every transition, after the `onEvent` option. Returns unsubscribe. */
  subscribe(listener: (event: NodeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The latest events, oldest first (at most 100). */
  events(): NodeEvent[] {
    return [...this.recent];
  }

  /** One round: pings every node (skipping one whose last ping is still out) and applies the transitions. */
  async probe(): Promise<void> {
    await Promise.all(this.targets.map((t) => this.probeOne(t)));
  }

  private async probeOne(target: PingTarget): Promise<void> {
    const e = this.entries.get(target.name) as Entry;
    if (e.inFlight) return;
    e.inFlight = true;
    let error: string | undefined;
    try {
      await this.withTimeout(target.ping());
    } catch (err) {
      error = (err as Error).message;
    } finally {
      e.inFlight = false;
    }
    const now = this.clock.now();
    if (error === undefined) {
      e.lastHeartbeat = now;
      delete e.lastError;
      if (!e.ready) {
        e.ready = true;
        e.notReadySince = null;
        this.emit({ node: e.name, type: "Normal", reason: "NodeReady", message: `Node ${e.name} status is now: NodeReady` });
        if (e.evicted) {
          e.evicted = false;
          this.emit({ node: e.name, type: "Normal", reason: "RemovingStalePods", message: `Node ${e.name} is back; removing the pods that were replaced elsewhere` });
          await this.options.onRecover?.(e.name);
        }
      }
      return;
    }
    e.lastError = error;
    if (e.ready && now - e.lastHeartbeat >= this.grace) {
      e.ready = false;
      e.notReadySince = now;
      this.emit({ node: e.name, type: "Warning", reason: "NodeNotReady", message: `Node ${e.name} status is now: NodeNotReady (no answer for ${Math.round((now - e.lastHeartbeat) / 1000)}s: ${error})` });
    }
    if (!e.ready && !e.evicted && e.notReadySince !== null && now - e.notReadySince >= this.eviction) {
      e.evicted = true;
      this.emit({ node: e.name, type: "Warning", reason: "DeletingAllPods", message: `Node ${e.name} NotReady for ${Math.round((now - e.notReadySince) / 1000)}s; its pods will be placed on other nodes` });
      await this.options.onEvict?.(e.name);
    }
  }

  private withTimeout(p: Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = this.clock.setTimeout(() => reject(new Error(`no answer within ${this.pingTimeout} ms`)), this.pingTimeout);
      p.then(
        () => {
          t.cancel();
          resolve();
        },
        (err: unknown) => {
          t.cancel();
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  private emit(partial: Omit<NodeEvent, "time">): void {
    const event = { ...partial, time: this.clock.now() };
    this.recent.push(event);
    if (this.recent.length > 100) this.recent.shift();
    this.options.onEvent?.(event);
    for (const l of this.listeners) l(event);
  }
}
