/**
 * `/metrics` in Prometheus text format. Each server owns its registry (no global state), so two
 * daemons or two tests in one process never mix their figures. Status gauges keep one series per
 * possible value (1 for the current one, 0 for the rest), which alerting rules match on directly.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { HEALTH_STATUSES, SYNC_STATUSES } from "../state/types.js";
import type { AppSummary, MetricsSink, NodeView, SyncResult, WebhookResult } from "./view.js";

const SYNC_RESULTS: readonly SyncResult[] = ["Succeeded", "Failed", "RolledBack", "Running"];

export interface PrometheusMetricsOptions {
  /** Also export the Node.js process metrics (default true). */
  processMetrics?: boolean;
}

export class PrometheusMetrics implements MetricsSink {
  readonly registry = new Registry();
  private readonly rolloutsStarted: Counter<"app">;
  private readonly rolloutsCompleted: Counter<"app" | "result">;
  private readonly queue: Gauge;
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
    this.queue = new Gauge({ name: "capstan_reconcile_queue_depth", help: "Keys waiting in the reconcile queue.", registers });
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
  queueDepth(depth: number): void {
    this.queue.set(depth);
  }
  reconcileDuration(controller: string, seconds: number): void {
    this.reconcile.observe({ controller }, seconds);
  }
  webhookRequest(result: WebhookResult): void {
    this.webhooks.inc({ result });
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
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
