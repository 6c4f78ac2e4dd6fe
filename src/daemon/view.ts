import { parseAllDocuments } from "yaml";
import type { PodStatus } from "../controllers/pods/types.js";
import { diffObjects, objectDiffs, type DiffObject } from "../diff/index.js";
import { CapstanError } from "../errors.js";
import {
  appSummary,
  eventView,
  historyEntry,
  type AppDetail,
  type AppObjects,
  type AppSummary,
  type DaemonView,
  type DeleteResult,
  type DiffTarget,
  type DiffView,
  type EventsQuery,
  type EventView,
  type HeaderBag,
  type HistoryEntry,
  type NodeView,
  type PodView,
  type ViewListener,
  type WebhookResponse,
  type WorkloadKind,
  type WorkloadView,
} from "../server/index.js";
import type { Daemon } from "./daemon.js";
import { nodeViews } from "./nodes-view.js";

const WORKLOAD_KINDS: ReadonlySet<string> = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"]);

function podView(p: PodStatus): PodView {
  return {
    name: p.name,
    node: p.node,
    ready: p.ready,
    restarts: p.restarts,
    phase: p.phase,
    reason: p.reason ?? "",
    ...(p.message ? { message: p.message } : {}),
    ports: p.hostPorts.map((h) => ({ ...(h.name ? { name: h.name } : {}), containerPort: h.containerPort, hostPort: h.hostPort, protocol: "TCP" as const })),
    createdAt: new Date(p.createdAt).toISOString(),
  };
}

function toDiffObjects(objects: readonly unknown[]): DiffObject[] {
  return objects.flatMap((raw) => {
    const o = raw as { kind?: string; metadata?: { name?: string; namespace?: string } };
    if (!o?.kind || !o.metadata?.name) return [];
    const namespace = o.metadata.namespace ?? "default";
    return [{ key: `${namespace}/${o.kind}/${o.metadata.name}`, kind: o.kind, name: o.metadata.name, namespace, object: raw as Record<string, unknown> }];
  });
}

function endpointsOf(ports: { ready: { pod: string }[]; notReady: { pod: string }[] }[]): { pod: string; ready: boolean }[] {
  const byPod = new Map<string, boolean>();
  for (const p of ports) {
    for (const r of p.ready) byPod.set(r.pod, true);
    for (const r of p.notReady) if (!byPod.has(r.pod)) byPod.set(r.pod, false);
  }
  return [...byPod].map(([pod, ready]) => ({ pod, ready }));
}

/**
 * The revision plain `capstan rollback` goes back to: the newest one before the current that ended
 * healthy (Succeeded, or RolledBack: a rollback that restored a healthy state) at another commit.
 */
export function previousHealthy<R extends { id: number; commit: string; phase: string }>(revisions: readonly R[], currentId: number | null): R | undefined {
  const current = revisions.find((r) => r.id === currentId);
  return [...revisions]
    .reverse()
    .find((r) => (r.phase === "Succeeded" || r.phase === "RolledBack") && r.id !== currentId && (current === undefined || (r.id < current.id && r.commit !== current.commit)));
}

/** The daemon as the API, dashboard and metrics see it: state store rows plus live pods and services. */
export class DaemonViewImpl implements DaemonView {
  private readonly listeners = new Set<ViewListener>();
  private lastEventSeq = 0;

  constructor(private readonly daemon: Daemon) {}

  private async record(name: string) {
    const rec = await this.daemon.store.getApp(name);
    if (!rec) throw new CapstanError("APPLICATION_NOT_FOUND", `application ${name} not found`);
    return rec;
  }

  private namespaceOf(name: string): string {
    return this.daemon.apps.get(name)?.app.spec.destination.namespace ?? "default";
  }

  async summary(name: string): Promise<AppSummary> {
    const rec = await this.record(name);
    return appSummary(rec, await this.daemon.store.listRevisions(name), this.namespaceOf(name));
  }

  /** Tells subscribers (the event stream, metrics) about an application's new status and events. */
  async publish(name: string): Promise<void> {
    const summary = await this.summary(name).catch(() => undefined);
    if (summary) {
      this.daemon.metrics.app(summary);
      for (const l of this.listeners) l({ type: "app", app: summary });
    }
    const events = await this.daemon.store.listEvents({ app: name, limit: 20 });
    for (const e of events) {
      if (e.seq <= this.lastEventSeq) continue;
      this.lastEventSeq = e.seq;
      for (const l of this.listeners) l({ type: "event", event: eventView(e) });
    }
  }

  /** Tells subscribers an application is gone (pruned when its file left Git, or deleted). */
  deleted(name: string): void {
    for (const l of this.listeners) l({ type: "app-deleted", name });
  }

  async deleteApp(name: string, options: { volumes?: boolean } = {}): Promise<DeleteResult> {
    await this.record(name);
    return this.daemon.deleteApp(name, options);
  }

  async listApps(): Promise<AppSummary[]> {
    const out: AppSummary[] = [];
    for (const rec of await this.daemon.store.listApps()) {
      out.push(appSummary(rec, await this.daemon.store.listRevisions(rec.name), this.namespaceOf(rec.name)));
    }
    return out;
  }

  async getApp(name: string): Promise<AppDetail> {
    const summary = await this.summary(name);
    // The objects of the latest sync (a rollout under way or one that failed), else of the last healthy one.
    const latest = this.daemon.applier.desired(name);
    const desired = (latest?.objects ?? (await this.daemon.store.getHealthyObjects(name))?.objects ?? []) as { kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown> }[];
    const pods = this.daemon.pods.list({ app: name });
    const health = this.daemon.applier.health(name);
    const reports = this.daemon.applier.reports(name);
    const declared = desired.filter((o) => WORKLOAD_KINDS.has(o.kind)).map((o) => ({ kind: o.kind, name: o.metadata.name, spec: o.spec }));
    // Pods whose owner is no longer declared (kept with prune off, or not yet pruned) show too.
    for (const p of pods) {
      if (WORKLOAD_KINDS.has(p.ownerKind) && !declared.some((d) => d.kind === p.ownerKind && d.name === p.ownerName)) declared.push({ kind: p.ownerKind, name: p.ownerName, spec: undefined });
    }
    const workloads: WorkloadView[] = declared.map((o) => {
      const mine = pods.filter((p) => p.ownerKind === o.kind && p.ownerName === o.name);
      const revisions = [...new Set(mine.map((p) => p.revision))];
      const report = [...reports].find(([key]) => key.endsWith(`/${o.kind}/${o.name}`))?.[1];
      const replicas = report?.replicas?.desired ?? (typeof o.spec?.["replicas"] === "number" ? o.spec["replicas"] : o.kind === "CronJob" || !o.spec ? 0 : 1);
      const h = health.objects.find((x) => x.key.endsWith(`/${o.kind}/${o.name}`))?.health;
      const newest = mine.reduce<PodStatus | undefined>((a, p) => (!a || p.createdAt > a.createdAt ? p : a), undefined);
      const currentRevision = report?.revision ?? newest?.revision;
      return {
        kind: o.kind as WorkloadKind,
        name: o.name,
        health: h?.status ?? (o.spec ? "Unknown" : "Missing"),
        healthMessage: h?.message ?? (o.spec ? "" : "not in Git"),
        desired: replicas,
        ready: report?.replicas?.ready ?? mine.filter((p) => p.ready && !p.terminating).length,
        revisionSets: revisions.map((r) => {
          const inSet = mine.filter((p) => p.revision === r);
          return { revision: r, current: r === currentRevision, desired: r === currentRevision ? replicas : 0, pods: inSet.map(podView) };
        }),
      };
    });
    const services = this.daemon.services
      .status()
      .filter((s) => s.app === name)
      .map((s) => ({
        name: s.name,
        namespace: s.namespace,
        type: s.type,
        ports: s.ports.map((p) => ({
          ...(p.name ? { name: p.name } : {}),
          port: p.port,
          targetPort: p.targetPort,
          nodePort: s.nodePorts.find((n) => n.port === p.port)?.nodePort ?? null,
          protocol: (p.protocol === "UDP" ? "UDP" : "TCP") as "TCP" | "UDP",
          endpoints: [
            ...p.ready.map((r) => ({ pod: r.pod, ready: true, address: `${r.host}:${r.port}`, reason: "" })),
            ...p.notReady.map((r) => ({ pod: r.pod, ready: false, address: r.host && r.port ? `${r.host}:${r.port}` : null, reason: r.reason })),
          ],
        })),
        endpoints: endpointsOf(s.ports),
        warnings: [...s.warnings.map((w) => w.message), ...s.nodePorts.filter((n) => n.error).map((n) => `nodePort ${n.nodePort}: ${n.error ?? ""}`)],
      }));
    const names = (kind: string): string[] => desired.filter((o) => o.kind === kind).map((o) => o.metadata.name).sort();
    const objects: AppObjects = {
      workloads,
      services,
      configMaps: names("ConfigMap"),
      secrets: names("Secret"),
      persistentVolumeClaims: names("PersistentVolumeClaim"),
    };
    const kept = this.daemon.applier.kept(name).map((k) => ({ kind: k.kind, name: k.name, namespace: k.namespace }));
    return { ...summary, objects, drift: this.daemon.drift(name), kept };
  }

  async history(name: string, limit: number): Promise<HistoryEntry[]> {
    await this.record(name);
    return (await this.daemon.store.listRevisions(name)).reverse().slice(0, limit).map(historyEntry);
  }

  async events(query: EventsQuery): Promise<EventView[]> {
    return (await this.daemon.store.listEvents(query)).map(eventView);
  }

  async diff(name: string, against: DiffTarget): Promise<DiffView> {
    await this.record(name);
    const live = toDiffObjects((await this.daemon.store.getHealthyObjects(name))?.objects ?? []);
    let target: DiffObject[];
    if (against === "git") {
      const entry = this.daemon.apps.get(name);
      if (!entry) throw new CapstanError("APPLICATION_NOT_FOUND", `application ${name} is not declared in Git`);
      const head = await this.daemon.source.resolve(entry.repo, entry.app.spec.source.targetRevision, { fetch: "if-missing" });
      const tree = await this.daemon.source.checkout(entry.repo, head.sha);
      const app = await this.daemon.applicationAt(entry, tree, name);
      target = (await this.daemon.renderer.renderApplication(tree, app)).objects;
    } else {
      const rev = await this.daemon.store.getRevision(name, against.revision);
      if (!rev) throw new CapstanError("APPLICATION_NOT_FOUND", `application ${name} has no revision ${against.revision}`);
      target = toDiffObjects(parseAllDocuments(rev.manifests).map((d) => d.toJS()));
    }
    const result = diffObjects(live, target, { redactionKey: this.daemon.redactionKey });
    return { text: objectDiffs(result).map((d) => d.text).join("\n"), json: result };
  }

  async podLogs(app: string, pod: string, tail: number): Promise<string> {
    await this.record(app);
    const status = this.daemon.pods.list({ app }).find((p) => p.name === pod);
    if (!status || !status.containerIds[0]) throw new CapstanError("CONTAINER_NOT_FOUND", `application ${app} has no pod ${pod}`);
    const runtime = this.daemon.runtimes.get(status.node) ?? this.daemon.runtime;
    return runtime.logs(status.containerIds[0], { tail });
  }

  async nodes(): Promise<NodeView[]> {
    const d = this.daemon;
    return nodeViews({ registry: d.registryReady, health: d.nodeHealth, placer: d.placer, metrics: d.metrics });
  }

  async sync(name: string): Promise<AppSummary> {
    await this.record(name);
    this.daemon.enqueue(name, "cli");
    return this.summary(name);
  }

  async refresh(name: string): Promise<AppSummary> {
    await this.record(name);
    await this.daemon.refresh("cli");
    return this.summary(name);
  }

  async rollback(name: string, revision?: string): Promise<AppSummary> {
    const rec = await this.record(name);
    const revisions = await this.daemon.store.listRevisions(name);
    if (revision !== undefined) {
      const found = /^\d+$/.test(revision) ? revisions.some((r) => r.id === Number(revision)) : revisions.some((r) => r.commit.startsWith(revision.toLowerCase()));
      if (!found) throw new CapstanError("GIT_REF_NOT_FOUND", `application ${name} has no stored revision ${revision} (see capstan history ${name})`);
    } else if (!previousHealthy(revisions, rec.status.currentRevision)) {
      throw new CapstanError("GIT_REF_NOT_FOUND", `application ${name} has no earlier healthy revision to roll back to`);
    }
    this.daemon.enqueue(name, "rollback", revision);
    return this.summary(name);
  }

  async unpin(name: string): Promise<AppSummary> {
    await this.setStatus(name, { pinned: null });
    await this.daemon.store.recordEvent(name, { type: "Normal", reason: "Unpinned", message: "auto-sync follows the branch again" });
    this.daemon.enqueue(name, "cli");
    await this.publish(name);
    return this.summary(name);
  }

  async suspend(name: string): Promise<AppSummary> {
    await this.setStatus(name, { suspended: true });
    await this.daemon.store.recordEvent(name, { type: "Normal", reason: "Suspended", message: "auto-sync is suspended" });
    await this.publish(name);
    return this.summary(name);
  }

  async resume(name: string): Promise<AppSummary> {
    await this.setStatus(name, { suspended: false });
    await this.daemon.store.recordEvent(name, { type: "Normal", reason: "Resumed", message: "auto-sync is on again" });
    this.daemon.enqueue(name, "cli");
    await this.publish(name);
    return this.summary(name);
  }

  private async setStatus(name: string, next: Parameters<Daemon["updateStatus"]>[1]): Promise<void> {
    await this.record(name);
    if (!(await this.daemon.updateStatus(name, next))) {
      throw new CapstanError("STATE_ERROR", `application ${name} changed too often to update; try again`);
    }
  }

  subscribe(listener: ViewListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  handleWebhook(headers: HeaderBag, rawBody: Buffer): Promise<WebhookResponse> {
    return this.daemon.webhook(headers, rawBody);
  }
}
