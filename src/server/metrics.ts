/**
 * `/metrics` in Prometheus text format. Each server owns its registry (no global state), so two
 * daemons or two tests in one process never mix their figures. Status gauges keep one series per
 * possible value (1 for the current one, 0 for the rest), which alerting rules match on directly.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { HEALTH_STATUSES, SYNC_STATUSES } from "../state/types.js";
import type { WebhookErrorCode } from "../triggers/index.js";
import type { AppSummary, MetricsSink, NodeView, SyncResult, WebhookResult } from "./view.js";

const SYNC_RESULTS: readonly SyncResult[] = ["Succeeded", "Failed", "RolledBack", "Superseded", "Running"];

/** The queue whose depth `queueDepth` sets when none is named: the daemon's applications. */
export const APPLICATION_QUEUE = "application";

/**
 * Answers the webhook route counts itself (src/server/routes/webhook.ts): bodies it refuses before
 * the daemon reads them. A daemon answering one of these leaves the count to the route, so each
 * request is counted once.
 */
const COUNTED_BY_ROUTE: ReadonlySet<number> = new Set([413, 415]);

/** Why the daemon refused a webhook, as the result it is counted under. */
const WEBHOOK_CODE_RESULTS: Readonly<Record<WebhookErrorCode, WebhookResult>> = {
  WEBHOOK_PAYLOAD_TOO_LARGE: "invalid",
  WEBHOOK_UNKNOWN_SENDER: "invalid",
  WEBHOOK_MALFORMED_JSON: "invalid",
  WEBHOOK_NO_REPOSITORY: "invalid",
  WEBHOOK_SECRET_NOT_SET: "unauthorized",
  WEBHOOK_UNSIGNED: "unauthorized",
  WEBHOOK_SIGNATURE_MALFORMED: "unauthorized",
  WEBHOOK_SIGNATURE_MISMATCH: "unauthorized",
};

/**
 * The result a webhook answer is counted under: the refusal's `code` when the body carries one the
 * daemon gives, else the status: 2xx accepted (204: verified, nothing to do, so ignored), 401 and
 * 403 unauthorized, other 4xx invalid, anything else error.
 */
export function webhookResultOf(status: number, body: unknown): WebhookResult {
  const code = body !== null && typeof body === "object" ? (body as { code?: unknown }).code : undefined;
  if (typeof code === "string" && Object.hasOwn(WEBHOOK_CODE_RESULTS, code)) return WEBHOOK_CODE_RESULTS[code as WebhookErrorCode];
  if (status === 204) return "ignored";
  if (status >= 200 && status < 300) return "accepted";
  if (status === 401 || status === 403) return "unauthorized";
  if (status >= 400 && status < 500) return "invalid";
  return "error";
}

/**
 * What a work queue reports, shaped as the queue's `onReconciled` and `onDepth` options so it can
 * be spread into them: `new WorkQueue({ reconcile, ...metrics.queueObserver("application") })`.
 */
export interface QueueObserver {
  /** One reconcile of `key` ended (however it ended) after `durationMs`. */
  onReconciled(key: string, durationMs: number): void;
  /** Keys waiting in the queue now. */
  onDepth(depth: number): void;
}

export interface PrometheusMetricsOptions {
  /** Also export the Node.js process metrics (default true). */
  processMetrics?: boolean;
}

export class PrometheusMetrics implements MetricsSink {
  readonly registry = new Registry();
  private readonly rolloutsStarted: Counter<"app">;
  private readonly rolloutsCompleted: Counter<"app" | "result">;
  private readonly queue: Gauge<"queue">;
  private readonly reconcile: Histogram<"controller">;
  private readonly webhooks: Counter<"result">;
  private readonly nodeGauges: Record<"cpuAllocatable" | "cpuRequested" | "memAllocatable" | "memRequested" | "pods" | "ready", Gauge<"node">>;
  private readonly nodeInfo: Gauge<"node" | "engine_version">;
  private readonly nodeEngine = new Map<string, string>();
  private readonly appSync: Gauge<"app" | "status">;
  private readonly appHealth: Gauge<"app" | "status">;
  private readonly appRevision: Gauge<"app">;
  private readonly appPinned: Gauge<"app">;
  private readonly appSuspended: Gauge<"app">;
  private readonly lastSyncDuration: Gauge<"app">;
  private readonly lastSyncResult: Gauge<"app" | "result">;
  private readonly lastSyncTime: Gauge<"app">;
  private readonly collectors = new Set<() => Promise<void>>();

  constructor(options: PrometheusMetricsOptions = {}) {
    const registers = [this.registry];
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.rolloutsStarted = new Counter({ name: "capstan_rollouts_started_total", help: "Rollouts started, per application.", labelNames: ["app"], registers });
    this.rolloutsCompleted = new Counter({
      name: "capstan_rollouts_completed_total",
      help: "Rollouts that ended, per application and result (Succeeded, Failed, RolledBack).",
      labelNames: ["app", "result"],
      registers,
    });
    this.queue = new Gauge({
      name: "capstan_reconcile_queue_depth",
      help: "Keys waiting in a reconcile queue, per queue (application, workload).",
      labelNames: ["queue"],
      registers,
    });
    this.queue.set({ queue: APPLICATION_QUEUE }, 0);
    this.reconcile = new Histogram({
      name: "capstan_reconcile_duration_seconds",
      help: "Time one reconcile of one key took, per controller.",
      labelNames: ["controller"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.webhooks = new Counter({
      name: "capstan_webhook_requests_total",
      help: "Webhook requests, per result (accepted, ignored, unauthorized, invalid, error).",
      labelNames: ["result"],
      registers,
    });
    const nodeGauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ["node"], registers });
    this.nodeGauges = {
      cpuAllocatable: nodeGauge("capstan_node_cpu_allocatable_millicores", "CPU a node offers to pods, in millicores."),
      cpuRequested: nodeGauge("capstan_node_cpu_requested_millicores", "CPU requested by the pods on a node, in millicores."),
      memAllocatable: nodeGauge("capstan_node_memory_allocatable_bytes", "Memory a node offers to pods, in bytes."),
      memRequested: nodeGauge("capstan_node_memory_requested_bytes", "Memory requested by the pods on a node, in bytes."),
      pods: nodeGauge("capstan_node_pods", "Pods on a node."),
      ready: nodeGauge("capstan_node_ready", "1 when the node's engine answers, else 0."),
    };
    this.nodeInfo = new Gauge({ name: "capstan_node_info", help: "Always 1; labels carry the node's engine version.", labelNames: ["node", "engine_version"], registers });
    this.appSync = new Gauge({ name: "capstan_app_sync_status", help: "1 for the application's sync status, 0 for the others.", labelNames: ["app", "status"], registers });
    this.appHealth = new Gauge({ name: "capstan_app_health_status", help: "1 for the application's health, 0 for the others.", labelNames: ["app", "status"], registers });
    this.appRevision = new Gauge({ name: "capstan_app_revision", help: "Id of the application revision applied now.", labelNames: ["app"], registers });
    this.appPinned = new Gauge({ name: "capstan_app_pinned", help: "1 while a rollback holds the application at a revision.", labelNames: ["app"], registers });
    this.appSuspended = new Gauge({ name: "capstan_app_suspended", help: "1 while auto-sync is suspended.", labelNames: ["app"], registers });
    this.lastSyncDuration = new Gauge({ name: "capstan_app_last_sync_duration_seconds", help: "How long the last sync took.", labelNames: ["app"], registers });
    this.lastSyncResult = new Gauge({ name: "capstan_app_last_sync_result", help: "1 for the last sync's result, 0 for the others.", labelNames: ["app", "result"], registers });
    this.lastSyncTime = new Gauge({ name: "capstan_app_last_sync_timestamp_seconds", help: "When the last sync ended (Unix seconds).", labelNames: ["app"], registers });
  }

  rolloutStarted(app: string): void {
    this.rolloutsStarted.inc({ app });
  }
  rolloutSucceeded(app: string): void {
    this.rolloutsCompleted.inc({ app, result: "Succeeded" });
  }
  rolloutFailed(app: string): void {
    this.rolloutsCompleted.inc({ app, result: "Failed" });
  }
  rolloutRolledBack(app: string): void {
    this.rolloutsCompleted.inc({ app, result: "RolledBack" });
  }
  /** Keys waiting in a queue (the daemon's applications when none is named). */
  queueDepth(depth: number, queue: string = APPLICATION_QUEUE): void {
    this.queue.set({ queue }, depth);
  }
  reconcileDuration(controller: string, seconds: number): void {
    this.reconcile.observe({ controller }, seconds);
  }

  /**
   * The hooks a WorkQueue reports through: durations go to the histogram under `controllerOf(key)`
   * (the queue's name by default), the depth to the gauge under the queue's name.
   */
  queueObserver(queue: string, controllerOf: (key: string) => string = () => queue): QueueObserver {
    return {
      onReconciled: (key, durationMs) => this.reconcileDuration(controllerOf(key), durationMs / 1000),
      onDepth: (depth) => this.queueDepth(depth, queue),
    };
  }

  webhookRequest(result: WebhookResult): void {
    this.webhooks.inc({ result });
  }

  /** Counts the daemon's answer to a webhook, except the refusals the webhook route counts itself. */
  webhookAnswered(status: number, body: unknown): void {
    if (COUNTED_BY_ROUTE.has(status)) return;
    this.webhookRequest(webhookResultOf(status, body));
  }

  /**
   * Runs `collect` before every scrape, so figures read from live state (the nodes) are current
   * when Prometheus reads them, not as of the last time someone opened the dashboard. A collector
   * that fails leaves the figures it would have set as they were. Returns the remover.
   */
  collectOnScrape(collect: () => Promise<void>): () => void {
    this.collectors.add(collect);
    return () => this.collectors.delete(collect);
  }

  node(n: NodeView): void {
    const node = n.name;
    this.nodeGauges.cpuAllocatable.set({ node }, n.cpu.allocatable);
    this.nodeGauges.cpuRequested.set({ node }, n.cpu.requested);
    this.nodeGauges.memAllocatable.set({ node }, n.memory.allocatable);
    this.nodeGauges.memRequested.set({ node }, n.memory.requested);
    this.nodeGauges.pods.set({ node }, n.pods);
    this.nodeGauges.ready.set({ node }, n.status === "Ready" ? 1 : 0);
    const previous = this.nodeEngine.get(node);
    if (previous !== undefined && previous !== n.engineVersion) this.nodeInfo.remove({ node, engine_version: previous });
    this.nodeInfo.set({ node, engine_version: n.engineVersion }, 1);
    this.nodeEngine.set(node, n.engineVersion);
  }

  forgetNode(node: string): void {
    for (const g of Object.values(this.nodeGauges)) g.remove({ node });
    const engine = this.nodeEngine.get(node);
    if (engine !== undefined) this.nodeInfo.remove({ node, engine_version: engine });
    this.nodeEngine.delete(node);
  }

  app(s: AppSummary): void {
    const app = s.name;
    for (const status of SYNC_STATUSES) this.appSync.set({ app, status }, s.sync === status ? 1 : 0);
    for (const status of HEALTH_STATUSES) this.appHealth.set({ app, status }, s.health === status ? 1 : 0);
    if (s.currentRevision === null) this.appRevision.remove({ app });
    else this.appRevision.set({ app }, s.currentRevision);
    this.appPinned.set({ app }, s.pinned ? 1 : 0);
    this.appSuspended.set({ app }, s.suspended ? 1 : 0);
    const last = s.lastSync;
    if (last) {
      for (const result of SYNC_RESULTS) this.lastSyncResult.set({ app, result }, last.result === result ? 1 : 0);
      if (last.durationMs !== null) this.lastSyncDuration.set({ app }, last.durationMs / 1000);
      const t = Date.parse(last.time);
      if (Number.isFinite(t)) this.lastSyncTime.set({ app }, t / 1000);
    }
  }

  forgetApp(app: string): void {
    for (const status of SYNC_STATUSES) this.appSync.remove({ app, status });
    for (const status of HEALTH_STATUSES) this.appHealth.remove({ app, status });
    for (const result of SYNC_RESULTS) this.lastSyncResult.remove({ app, result });
    for (const g of [this.appRevision, this.appPinned, this.appSuspended, this.lastSyncDuration, this.lastSyncTime]) g.remove({ app });
    this.rolloutsStarted.remove({ app });
    for (const result of ["Succeeded", "Failed", "RolledBack"]) this.rolloutsCompleted.remove({ app, result });
  }

  /** The Prometheus text exposition of every metric. */
  async text(): Promise<string> {
    await Promise.allSettled([...this.collectors].map(async (collect) => collect()));
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
