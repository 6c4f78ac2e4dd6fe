/**
 * What the HTTP API, the dashboard and the metrics see of the sync daemon: a read model shaped for
 * the screens, plus the few actions a user may take. The daemon implements `DaemonView` over its
 * state store, controllers and runtime; `FakeView` (fake-view.ts) implements it in memory for
 * tests and demos. The server never applies anything itself: actions only ask the daemon to.
 *
 * Actions throw `CapstanError`; its code picks the HTTP status (`statusForCode` in src/server/errors.ts):
 * APPLICATION_NOT_FOUND → 404, USAGE → 400, GIT_REF_NOT_FOUND → 404, anything else → 500.
 */
import type { DiffResult } from "../diff/types.js";
import type { EventType, HealthStatus, Initiator, PinnedRevision, RevisionPhase, SyncStatus } from "../state/types.js";

export type { EventType, HealthStatus, Initiator, PinnedRevision, RevisionPhase, SyncStatus };

/** The outcome of the latest sync; Running while it is under way. */
export type SyncResult = "Succeeded" | "Failed" | "RolledBack" | "Superseded" | "Running";

export interface CommitInfo {
  sha: string;
  /** First line of the commit message. */
  message: string;
  author: string;
  /** Commit time, ISO 8601. */
  time: string;
}

export interface LastSync {
  result: SyncResult;
  /** The revision this sync made. */
  revisionId: number;
  /** When it finished (or started, while Running), ISO 8601. */
  time: string;
  durationMs: number | null;
  /** `ProgressDeadlineExceeded`, `RolledBackTo 4`…; empty when there is nothing to say. */
  reason: string;
}

/** One row of the applications list. */
export interface AppSummary {
  name: string;
  namespace: string;
  sync: SyncStatus;
  /** Why the sync status is what it is (drift, objects kept with prune off, a repository that cannot be read); empty when Synced. */
  syncMessage: string;
  /** The newest commit compared with what runs: later than `commit` when commits since left the application's rendering unchanged. */
  syncedCommit: string | null;
  health: HealthStatus;
  /** Why the health is what it is (empty when Healthy). */
  healthMessage: string;
  /** Id of the revision applied now, null before the first sync. */
  currentRevision: number | null;
  /** The commit of the current revision. */
  commit: CommitInfo | null;
  /** Set by a rollback: auto-sync holds here until unpinned. */
  pinned: PinnedRevision | null;
  suspended: boolean;
  lastSync: LastSync | null;
  /** Where the application comes from. */
  source: { repo: string; path: string; targetRevision: string };
}

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";

export interface PortView {
  containerPort: number;
  /** Published on the node, null when not published. */
  hostPort: number | null;
  protocol: "TCP" | "UDP";
  name?: string;
}

export interface PodView {
  name: string;
  /** The node (Docker engine) it runs on; empty while unscheduled. */
  node: string;
  ready: boolean;
  restarts: number;
  phase: PodPhase;
  /** `CrashLoopBackOff`, `ImagePullBackOff`, `Unschedulable`…; empty when there is none. */
  reason: string;
  /** What the reason means here: the scheduler's `0/3 nodes are available: …` for a Pending pod, the last error otherwise. */
  message?: string;
  ports: PortView[];
  /** ISO 8601: the pod's age is computed from it by the reader. */
  createdAt: string;
}

/** The pods of one pod-template revision (a ReplicaSet in Kubernetes terms). */
export interface RevisionSetView {
  /** Pod-template hash. */
  revision: string;
  /** The set the workload is rolling towards (or settled on). */
  current: boolean;
  desired: number;
  pods: PodView[];
}

export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob";

export interface WorkloadView {
  kind: WorkloadKind;
  name: string;
  health: HealthStatus;
  healthMessage: string;
  /** Desired pods (completions for a Job, 0 for a CronJob). */
  desired: number;
  ready: number;
  revisionSets: RevisionSetView[];
  /** A CronJob's Jobs, newest first; absent for other kinds. */
  jobs?: WorkloadView[];
}

export interface ServicePortView {
  name?: string;
  port: number;
  targetPort: number | string;
  /** Set for NodePort and LoadBalancer services. */
  nodePort: number | null;
  protocol: "TCP" | "UDP";
  /** The pods behind this port, each with its address; absent from views that only know `ServiceView.endpoints`. */
  endpoints?: PortEndpointView[];
}

/** One pod selected by a Service, as one of its ports sees it. */
export interface PortEndpointView {
  pod: string;
  /** Ready pods take the port's connections; the others are listed with the reason. */
  ready: boolean;
  /** Where the port's connections go (`127.0.0.1:<published port>`); null when not known or not published. */
  address: string | null;
  /** Why it is not Ready (`not ready`, `terminating`, `port not published yet`…); empty when Ready. */
  reason: string;
}

/** A pod selected by the Service: Ready when it is Ready for at least one port. */
export interface EndpointView {
  pod: string;
  ready: boolean;
}

export interface ServiceView {
  name: string;
  /** The Service's namespace; readers take the application's when absent. */
  namespace?: string;
  type: "ClusterIP" | "NodePort" | "LoadBalancer";
  ports: ServicePortView[];
  endpoints: EndpointView[];
  /** What keeps it from serving as declared: a selector that matches no pod, a node port that could not listen. */
  warnings?: string[];
}

export interface AppObjects {
  workloads: WorkloadView[];
  services: ServiceView[];
  /** Names only: contents are never shown. */
  configMaps: string[];
  secrets: string[];
  persistentVolumeClaims: string[];
}

/** A difference between what runs and what the application declares, found on the engine. */
export interface DriftView {
  /** `Pod/web-7d9f-x2k4q`, or `Container/<name>` for a container that is no pod of the application. */
  object: string;
  namespace: string;
  /** `spec.containers[0].resources.limits.memory`, `spec.containers[0].image`, `metadata.name`… */
  field: string;
  live: string;
  desired: string;
}

/** An object Git no longer declares that the application keeps because pruning is off. */
export interface KeptObjectView {
  kind: string;
  name: string;
  namespace: string;
}

export interface AppDetail extends AppSummary {
  objects: AppObjects;
  /** What runs differently from what is declared (listed whether or not selfHeal corrects it). */
  drift: DriftView[];
  /** Objects kept with pruning off: `not in Git (prune off)`. */
  kept: KeptObjectView[];
}

/** One revision in an application's history (newest first when listed). */
export interface HistoryEntry {
  id: number;
  sha: string;
  message: string;
  author: string;
  /** Commit time, ISO 8601. */
  commitTime: string;
  initiator: Initiator;
  phase: RevisionPhase;
  /** Why it ended as it did; empty while running. */
  reason: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** `sha256:<hex>` of the rendered manifests. */
  digest: string;
}

export interface EventView {
  /** Increasing: the order events happened in. */
  seq: number;
  app: string;
  type: EventType;
  reason: string;
  message: string;
  /** `Deployment/web`; empty for the application itself. */
  object: string;
  time: string;
}

export interface EventsQuery {
  app?: string;
  /** Events at or after this time (ISO 8601). */
  since?: string;
  /** The newest `limit` events, oldest first. */
  limit?: number;
}

/** What to compare the live objects with. */
export type DiffTarget = "git" | { revision: number };

export interface DiffView {
  /** Unified text, `+`/`-` lines, Secret values hashed. */
  text: string;
  json: DiffResult;
}

export interface NodeView {
  name: string;
  status: "Ready" | "NotReady" | "Unknown";
  /** Millicores. */
  cpu: { allocatable: number; requested: number };
  /** Bytes. */
  memory: { allocatable: number; requested: number };
  pods: number;
  engineVersion: string;
  /** Cordoned: no new pod is placed on it (kubectl's SchedulingDisabled). */
  unschedulable?: boolean;
  /** When the node was first seen by this installation, ISO 8601. */
  firstSeen?: string | null;
}

/** What `capstan delete` removed. */
export interface DeleteResult {
  containers: string[];
  networks: string[];
  volumes: string[];
  /** Named volumes kept because `volumes` was not asked for. */
  keptVolumes: string[];
}

/** Pushed to subscribers (the SSE stream) on every status change and every event. */
export type ViewEvent =
  | { type: "app"; app: AppSummary }
  | { type: "app-deleted"; name: string }
  | { type: "event"; event: EventView };

export type ViewListener = (e: ViewEvent) => void;

export interface WebhookResponse {
  status: number;
  body: unknown;
}

export type HeaderBag = Record<string, string | string[] | undefined>;

export interface DaemonView {
  listApps(): Promise<AppSummary[]>;
  /** Throws APPLICATION_NOT_FOUND. */
  getApp(name: string): Promise<AppDetail>;
  /** Newest first, at most `limit`. */
  history(name: string, limit: number): Promise<HistoryEntry[]>;
  events(query: EventsQuery): Promise<EventView[]>;
  diff(name: string, against: DiffTarget): Promise<DiffView>;
  /** The last `tail` lines of the pod's output; throws APPLICATION_NOT_FOUND or CONTAINER_NOT_FOUND. */
  podLogs(app: string, pod: string, tail: number): Promise<string>;
  nodes(): Promise<NodeView[]>;

  /** Sync now (with the branch, unless pinned). */
  sync(name: string): Promise<AppSummary>;
  /** Removes everything the application made on every node; auto-sync is suspended until `capstan sync`/`resume`. */
  deleteApp(name: string, options?: { volumes?: boolean }): Promise<DeleteResult>;
  /** Fetch Git again and recompute the sync status. */
  refresh(name: string): Promise<AppSummary>;
  /** Re-apply a stored revision (by id or SHA prefix; the previous healthy one when absent) and pin there. */
  rollback(name: string, revision?: string): Promise<AppSummary>;
  unpin(name: string): Promise<AppSummary>;
  suspend(name: string): Promise<AppSummary>;
  resume(name: string): Promise<AppSummary>;

  /** Returns the unsubscribe function. */
  subscribe(listener: ViewListener): () => void;

  /** Verifies and acts on a Git host's webhook (src/triggers/). */
  handleWebhook(headers: HeaderBag, rawBody: Buffer): Promise<WebhookResponse>;
}

export type WebhookResult = "accepted" | "ignored" | "unauthorized" | "invalid" | "error";

/** What the daemon reports for `/metrics`; implemented by `PrometheusMetrics` (metrics.ts). */
export interface MetricsSink {
  rolloutStarted(app: string): void;
  rolloutSucceeded(app: string): void;
  rolloutFailed(app: string): void;
  rolloutRolledBack(app: string): void;
  /** Keys waiting in the reconcile queue. */
  queueDepth(depth: number): void;
  /** One reconcile of one key took this long. */
  reconcileDuration(controller: string, seconds: number): void;
  webhookRequest(result: WebhookResult): void;
  /** Current capacity and load of a node. */
  node(node: NodeView): void;
  forgetNode(name: string): void;
  /** Current sync status, health, revision and last sync of an application. */
  app(summary: AppSummary): void;
  forgetApp(name: string): void;
}
