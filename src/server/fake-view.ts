/**
 * An in-memory DaemonView for tests and demos: a few applications with objects, history and events,
 * changed by its actions and by the `update`/`emitEvent` methods a test uses to play the daemon.
 */
import { CapstanError } from "../errors.js";
import type {
  AppDetail,
  AppObjects,
  AppSummary,
  DeleteResult,
  DriftView,
  KeptObjectView,
  DaemonView,
  DiffTarget,
  DiffView,
  EventsQuery,
  EventView,
  HeaderBag,
  HistoryEntry,
  NodeView,
  ViewEvent,
  ViewListener,
  WebhookResponse,
} from "./view.js";

export interface FakeAppSeed {
  summary: AppSummary;
  objects: AppObjects;
  /** Oldest first. */
  history: HistoryEntry[];
  logs?: Record<string, string>;
  drift?: DriftView[];
  kept?: KeptObjectView[];
}

export interface FakeCall {
  action: "sync" | "refresh" | "rollback" | "unpin" | "suspend" | "resume" | "webhook" | "delete";
  name: string;
  revision?: string;
}

export interface FakeViewOptions {
  apps?: FakeAppSeed[];
  nodes?: NodeView[];
  events?: Omit<EventView, "seq">[];
  now?: () => Date;
  webhook?: (headers: HeaderBag, body: Buffer) => WebhookResponse;
}

const clone = <T>(v: T): T => structuredClone(v);

export class FakeView implements DaemonView {
  readonly calls: FakeCall[] = [];
  private readonly apps = new Map<string, FakeAppSeed>();
  private readonly eventLog: EventView[] = [];
  private readonly listeners = new Set<ViewListener>();
  private nodeList: NodeView[];
  private seq = 0;
  private readonly now: () => Date;
  private readonly webhook: FakeViewOptions["webhook"];

  constructor(options: FakeViewOptions = {}) {
    this.now = options.now ?? (() => new Date());
    const seed = options.apps ? { apps: options.apps, nodes: options.nodes ?? [], events: options.events ?? [] } : demoData(this.now());
    for (const app of seed.apps) this.apps.set(app.summary.name, clone(app));
    this.nodeList = clone(options.nodes ?? seed.nodes);
    for (const e of options.events ?? seed.events) this.eventLog.push({ ...e, seq: ++this.seq });
    this.webhook = options.webhook;
  }

  // Reads

  async listApps(): Promise<AppSummary[]> {
    return [...this.apps.values()].map((a) => clone(a.summary)).sort((a, b) => a.name.localeCompare(b.name));
  }

  async getApp(name: string): Promise<AppDetail> {
    const app = this.find(name);
    return clone({ ...app.summary, objects: app.objects, drift: app.drift ?? [], kept: app.kept ?? [] });
  }

  async history(name: string, limit: number): Promise<HistoryEntry[]> {
    return clone(this.find(name).history.slice().reverse().slice(0, limit));
  }

  async events(query: EventsQuery): Promise<EventView[]> {
    let list = this.eventLog.filter((e) => (query.app === undefined || e.app === query.app) && (query.since === undefined || e.time >= query.since));
    if (query.limit !== undefined) list = list.slice(-query.limit);
    return clone(list);
  }

  async diff(name: string, against: DiffTarget): Promise<DiffView> {
    const app = this.find(name);
    const base = against === "git" ? `git ${app.summary.source.targetRevision}` : `revision ${against.revision}`;
    if (against !== "git" && !app.history.some((h) => h.id === against.revision)) {
      throw new CapstanError("GIT_REF_NOT_FOUND", `${name} has no revision ${against.revision} in its history (see GET /api/v1/apps/${name}/history)`);
    }
    const deployment = app.objects.workloads[0]?.name ?? name;
    const text = [
      `--- live ${app.summary.namespace}/Deployment/${deployment}`,
      `+++ ${base}`,
      `@@ spec.template.spec.containers[0] @@`,
      `-  image: ghcr.io/example/${name}:1.4.1`,
      `+  image: ghcr.io/example/${name}:1.4.2`,
      `   ports: [8080]`,
    ].join("\n");
    return {
      text,
      json: {
        added: [],
        removed: [],
        changed: [
          {
            key: `${app.summary.namespace}/Deployment/${deployment}`,
            kind: "Deployment",
            name: deployment,
            namespace: app.summary.namespace,
            fields: [{ path: "spec.template.spec.containers[0].image", from: `ghcr.io/example/${name}:1.4.1`, to: `ghcr.io/example/${name}:1.4.2` }],
            mergePatch: {},
            base: {},
            target: {},
          },
        ],
        unchanged: [],
      },
    };
  }

  async podLogs(appName: string, pod: string, tail: number): Promise<string> {
    const app = this.find(appName);
    const known = app.objects.workloads.some((w) => w.revisionSets.some((s) => s.pods.some((p) => p.name === pod)));
    if (!known) throw new CapstanError("CONTAINER_NOT_FOUND", `${appName} has no pod ${pod} (GET /api/v1/apps/${appName} lists its pods)`);
    const text = app.logs?.[pod] ?? Array.from({ length: 30 }, (_, i) => `${new Date(this.now().getTime() - (30 - i) * 1000).toISOString()} ${pod} request ${i + 1} served in ${3 + (i % 7)}ms`).join("\n");
    return text.split("\n").slice(-tail).join("\n");
  }

  async nodes(): Promise<NodeView[]> {
    return clone(this.nodeList);
  }

  // Actions

  async sync(name: string): Promise<AppSummary> {
    this.calls.push({ action: "sync", name });
    return this.update(name, { lastSync: { ...(this.find(name).summary.lastSync ?? emptySync(this.now())), result: "Running", time: this.now().toISOString(), reason: "" } });
  }

  async deleteApp(name: string): Promise<DeleteResult> {
    this.calls.push({ action: "delete", name });
    const app = this.find(name);
    const containers = app.objects.workloads.flatMap((w) => w.revisionSets.flatMap((r) => r.pods.map((p) => p.name)));
    this.apps.delete(name);
    this.emit({ type: "app-deleted", name });
    return { containers, networks: [], volumes: [], keptVolumes: [] };
  }

  async refresh(name: string): Promise<AppSummary> {
    this.calls.push({ action: "refresh", name });
    return clone(this.find(name).summary);
  }

  async rollback(name: string, revision?: string): Promise<AppSummary> {
    this.calls.push(revision === undefined ? { action: "rollback", name } : { action: "rollback", name, revision });
    const app = this.find(name);
    const current = app.summary.currentRevision;
    const target =
      revision === undefined
        ? app.history.filter((h) => h.id !== current && h.phase === "Succeeded").at(-1)
        : app.history.find((h) => String(h.id) === revision) ?? app.history.find((h) => h.sha.startsWith(revision));
    if (!target) {
      throw new CapstanError("GIT_REF_NOT_FOUND", `${name} has no revision ${revision ?? "to roll back to"} in its history (see GET /api/v1/apps/${name}/history)`);
    }
    const now = this.now().toISOString();
    const id = (app.history.at(-1)?.id ?? 0) + 1;
    app.history.push({ ...target, id, initiator: "rollback", phase: "Succeeded", reason: `RollbackTo ${target.id}`, startedAt: now, finishedAt: now, durationMs: 1200 });
    this.emitEvent({ app: name, type: "Normal", reason: "RolledBack", message: `rolled back to revision ${target.id} (${target.sha.slice(0, 7)}) and pinned`, object: "", time: now });
    return this.update(name, {
      currentRevision: id,
      commit: { sha: target.sha, message: target.message, author: target.author, time: target.commitTime },
      pinned: { id, sha: target.sha },
      sync: "OutOfSync",
      syncMessage: "",
      syncedCommit: null,
      lastSync: { result: "Succeeded", revisionId: id, time: now, durationMs: 1200, reason: `RollbackTo ${target.id}` },
    });
  }

  async unpin(name: string): Promise<AppSummary> {
    this.calls.push({ action: "unpin", name });
    return this.update(name, { pinned: null });
  }

  async suspend(name: string): Promise<AppSummary> {
    this.calls.push({ action: "suspend", name });
    return this.update(name, { suspended: true });
  }

  async resume(name: string): Promise<AppSummary> {
    this.calls.push({ action: "resume", name });
    return this.update(name, { suspended: false });
  }

  subscribe(listener: ViewListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  async handleWebhook(headers: HeaderBag, rawBody: Buffer): Promise<WebhookResponse> {
    this.calls.push({ action: "webhook", name: "" });
    if (this.webhook) return this.webhook(headers, rawBody);
    return { status: 202, body: { accepted: true, bytes: rawBody.length } };
  }

  // What a test uses to play the daemon

  /** Changes an application's summary (and optionally its objects) and tells subscribers. */
  update(name: string, patch: Partial<AppSummary>, objects?: AppObjects): AppSummary {
    const app = this.find(name);
    app.summary = { ...app.summary, ...clone(patch), name: app.summary.name };
    if (objects) app.objects = clone(objects);
    this.emit({ type: "app", app: clone(app.summary) });
    return clone(app.summary);
  }

  /** Appends a revision to an application's history (no event is sent). */
  addRevision(name: string, entry: HistoryEntry): void {
    this.find(name).history.push(clone(entry));
  }

  emitEvent(event: Omit<EventView, "seq">): EventView {
    const e = { ...event, seq: ++this.seq };
    this.eventLog.push(e);
    this.emit({ type: "event", event: clone(e) });
    return e;
  }

  private emit(e: ViewEvent): void {
    for (const l of this.listeners) l(e);
  }

  private find(name: string): FakeAppSeed {
    const app = this.apps.get(name);
    if (!app) throw new CapstanError("APPLICATION_NOT_FOUND", `no application '${name}' (GET /api/v1/apps lists them; apps/${name}.yaml in the repository declares one)`);
    return app;
  }
}

function emptySync(now: Date) {
  return { result: "Running" as const, revisionId: 0, time: now.toISOString(), durationMs: null, reason: "" };
}

// Demo data: three applications in the states a team meets every day.

function sha(seed: string): string {
  let h = 0x811c9dc5;
  let out = "";
  for (let round = 0; out.length < 40; round++) {
    for (const c of `${seed}:${round}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, 40);
}

export function demoData(now: Date): { apps: FakeAppSeed[]; nodes: NodeView[]; events: Omit<EventView, "seq">[] } {
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
  const rev = (app: string, id: number, message: string, author: string, minutes: number, phase: HistoryEntry["phase"], reason = "", initiator: HistoryEntry["initiator"] = "webhook"): HistoryEntry => ({
    id,
    sha: sha(`${app}-${id}`),
    message,
    author,
    commitTime: ago(minutes + 2),
    initiator,
    phase,
    reason,
    startedAt: ago(minutes),
    finishedAt: phase === "Running" ? null : ago(minutes - 1),
    durationMs: phase === "Running" ? null : 40_000 + id * 1000,
    digest: `sha256:${sha(`${app}-${id}-digest`)}${sha(`${app}-${id}-d2`).slice(0, 24)}`,
  });
  const pod = (name: string, node: string, minutes: number, ready = true, extra: Partial<AppObjects["workloads"][number]["revisionSets"][number]["pods"][number]> = {}) => ({
    name,
    node,
    ready,
    restarts: 0,
    phase: "Running" as const,
    reason: "",
    ports: [{ containerPort: 8080, hostPort: null, protocol: "TCP" as const, name: "http" }],
    createdAt: ago(minutes),
    ...extra,
  });
  // Port 8080 published where the engine put it: the address Services send connections to.
  const published = (hostPort: number) => [{ containerPort: 8080, hostPort, protocol: "TCP" as const, name: "http" }];

  const webHistory = [
    rev("web", 1, "Initial web chart", "Ada Lovelace", 60 * 24 * 3, "Succeeded"),
    rev("web", 2, "Raise replicas to 3 for launch", "Grace Hopper", 60 * 24, "Succeeded"),
    rev("web", 3, "Bump image to 1.4.1", "Ada Lovelace", 180, "Succeeded"),
    rev("web", 4, "Bump image to 1.4.2 (connection pool)", "Linus Torvalds", 42, "Succeeded"),
  ];
  const apiHistory = [
    rev("api", 1, "api: first release", "Grace Hopper", 60 * 24 * 5, "Succeeded", "", "cli"),
    rev("api", 2, "api: read DB URL from secret", "Grace Hopper", 60 * 30, "Succeeded"),
    rev("api", 3, "api: add /v2 routes", "Barbara Liskov", 25, "RolledBack", "ProgressDeadlineExceeded; RollbackTo 2"),
    rev("api", 4, "api: read DB URL from secret", "Grace Hopper", 24, "Succeeded", "RollbackTo 2", "auto-rollback"),
  ];
  const workerHistory = [rev("worker", 1, "worker: nightly report job", "Edsger Dijkstra", 60 * 8, "Succeeded", "", "poll")];
  const commitOf = (h: HistoryEntry) => ({ sha: h.sha, message: h.message, author: h.author, time: h.commitTime });
  const lastOf = (h: HistoryEntry) => ({
    result: h.phase === "Pending" ? ("Running" as const) : h.phase,
    revisionId: h.id,
    time: h.finishedAt ?? h.startedAt ?? h.commitTime,
    durationMs: h.durationMs,
    reason: h.reason,
  });

  const apps: FakeAppSeed[] = [
    {
      summary: {
        name: "web",
        namespace: "shop",
        sync: "Synced",
        syncMessage: "",
        syncedCommit: null,
        health: "Healthy",
        healthMessage: "",
        currentRevision: 4,
        commit: commitOf(webHistory[3]!),
        pinned: null,
        suspended: false,
        lastSync: lastOf(webHistory[3]!),
        source: { repo: "https://git.example.com/platform/deploy.git", path: "charts/web", targetRevision: "main" },
      },
      objects: {
        workloads: [
          {
            kind: "Deployment",
            name: "web",
            health: "Healthy",
            healthMessage: "",
            desired: 3,
            ready: 3,
            revisionSets: [
              {
                revision: "7c9d5f8b46",
                current: true,
                desired: 3,
                pods: [
                  pod("web-7c9d5f8b46-2xkqp", "node-a", 40, true, { ports: published(32768) }),
                  pod("web-7c9d5f8b46-h8r2m", "node-b", 39, true, { ports: published(32769) }),
                  pod("web-7c9d5f8b46-vt5zn", "node-a", 38, true, { restarts: 1, ports: published(32770) }),
                ],
              },
              { revision: "5b6f9c7d21", current: false, desired: 0, pods: [] },
            ],
          },
        ],
        services: [
          {
            name: "web",
            namespace: "shop",
            type: "NodePort",
            ports: [
              {
                name: "http",
                port: 80,
                targetPort: "http",
                nodePort: 30080,
                protocol: "TCP",
                endpoints: [
                  { pod: "web-7c9d5f8b46-2xkqp", ready: true, address: "127.0.0.1:32768", reason: "" },
                  { pod: "web-7c9d5f8b46-h8r2m", ready: true, address: "127.0.0.1:32769", reason: "" },
                  { pod: "web-7c9d5f8b46-vt5zn", ready: true, address: "127.0.0.1:32770", reason: "" },
                ],
              },
            ],
            endpoints: [
              { pod: "web-7c9d5f8b46-2xkqp", ready: true },
              { pod: "web-7c9d5f8b46-h8r2m", ready: true },
              { pod: "web-7c9d5f8b46-vt5zn", ready: true },
            ],
          },
        ],
        configMaps: ["web-config"],
        secrets: ["web-tls"],
        persistentVolumeClaims: [],
      },
      history: webHistory,
    },
    {
      summary: {
        name: "api",
        namespace: "shop",
        sync: "OutOfSync",
        syncMessage: "",
        syncedCommit: null,
        health: "Degraded",
        healthMessage: "Deployment api: 1 of 2 pods not ready (CrashLoopBackOff)",
        currentRevision: 4,
        commit: commitOf(apiHistory[3]!),
        pinned: null,
        suspended: false,
        lastSync: lastOf(apiHistory[3]!),
        source: { repo: "https://git.example.com/platform/deploy.git", path: "charts/api", targetRevision: "main" },
      },
      objects: {
        workloads: [
          {
            kind: "Deployment",
            name: "api",
            health: "Degraded",
            healthMessage: "1 of 2 pods not ready (CrashLoopBackOff)",
            desired: 2,
            ready: 1,
            revisionSets: [
              {
                revision: "6f8e2a1c93",
                current: true,
                desired: 2,
                pods: [
                  pod("api-6f8e2a1c93-k2j9d", "node-b", 24, true, { ports: published(32771) }),
                  pod("api-6f8e2a1c93-q7w4e", "node-a", 24, false, { restarts: 5, reason: "CrashLoopBackOff", phase: "Running", ports: published(32772) }),
                ],
              },
            ],
          },
          {
            kind: "StatefulSet",
            name: "api-db",
            health: "Healthy",
            healthMessage: "",
            desired: 1,
            ready: 1,
            revisionSets: [
              { revision: "api-db-58c6d9f7b4", current: true, desired: 1, pods: [pod("api-db-0", "node-b", 60 * 24 * 5, true, { ports: [{ containerPort: 5432, hostPort: null, protocol: "TCP", name: "pg" }] })] },
            ],
          },
        ],
        services: [
          {
            name: "api",
            namespace: "shop",
            type: "ClusterIP",
            ports: [
              {
                name: "http",
                port: 80,
                targetPort: 8080,
                nodePort: null,
                protocol: "TCP",
                endpoints: [
                  { pod: "api-6f8e2a1c93-k2j9d", ready: true, address: "127.0.0.1:32771", reason: "" },
                  { pod: "api-6f8e2a1c93-q7w4e", ready: false, address: "127.0.0.1:32772", reason: "not ready" },
                ],
              },
            ],
            endpoints: [
              { pod: "api-6f8e2a1c93-k2j9d", ready: true },
              { pod: "api-6f8e2a1c93-q7w4e", ready: false },
            ],
          },
        ],
        configMaps: [],
        secrets: ["api-db-url"],
        persistentVolumeClaims: ["data-api-db-0"],
      },
      history: apiHistory,
    },
    {
      summary: {
        name: "worker",
        namespace: "batch",
        sync: "Synced",
        syncMessage: "",
        syncedCommit: null,
        health: "Healthy",
        healthMessage: "",
        currentRevision: 1,
        commit: commitOf(workerHistory[0]!),
        pinned: null,
        suspended: true,
        lastSync: lastOf(workerHistory[0]!),
        source: { repo: "https://git.example.com/platform/deploy.git", path: "charts/worker", targetRevision: "main" },
      },
      objects: {
        workloads: [
          {
            kind: "CronJob",
            name: "report",
            health: "Healthy",
            healthMessage: "",
            desired: 0,
            ready: 0,
            revisionSets: [],
            jobs: [
              {
                kind: "Job",
                name: "report-29384710",
                health: "Healthy",
                healthMessage: "",
                desired: 1,
                ready: 0,
                revisionSets: [{ revision: "report-29384710", current: true, desired: 1, pods: [pod("report-29384710-8kx2p", "node-a", 300, false, { phase: "Succeeded", reason: "Completed", ports: [] })] }],
              },
            ],
          },
        ],
        services: [],
        configMaps: ["report-settings"],
        secrets: [],
        persistentVolumeClaims: [],
      },
      history: workerHistory,
    },
  ];
  const nodes: NodeView[] = [
    { name: "node-a", status: "Ready", cpu: { allocatable: 4000, requested: 1750 }, memory: { allocatable: 8 * 1024 ** 3, requested: 3 * 1024 ** 3 }, pods: 4, engineVersion: "27.3.1" },
    { name: "node-b", status: "Ready", cpu: { allocatable: 2000, requested: 900 }, memory: { allocatable: 4 * 1024 ** 3, requested: 1.5 * 1024 ** 3 }, pods: 3, engineVersion: "27.3.1" },
  ];
  const events: Omit<EventView, "seq">[] = [
    { app: "web", type: "Normal", reason: "SyncStarted", message: "syncing commit " + webHistory[3]!.sha.slice(0, 7) + " (webhook)", object: "", time: ago(42) },
    { app: "web", type: "Normal", reason: "ScalingRevisionSet", message: "scaled up revision set 7c9d5f8b46 to 3", object: "Deployment/web", time: ago(41.5) },
    { app: "web", type: "Normal", reason: "SyncSucceeded", message: "revision 4 is healthy", object: "", time: ago(41) },
    { app: "api", type: "Warning", reason: "ProgressDeadlineExceeded", message: "revision 3 did not become ready within 600s", object: "Deployment/api", time: ago(24.5) },
    { app: "api", type: "Normal", reason: "RolledBack", message: "auto-rollback to revision 2 (" + apiHistory[1]!.sha.slice(0, 7) + ")", object: "", time: ago(24) },
    { app: "api", type: "Warning", reason: "BackOff", message: "back-off 2m40s restarting failed container api in pod api-6f8e2a1c93-q7w4e", object: "Pod/api-6f8e2a1c93-q7w4e", time: ago(3) },
    { app: "worker", type: "Normal", reason: "Suspended", message: "auto-sync suspended by cli", object: "", time: ago(120) },
  ];
  return { apps, nodes, events };
}
