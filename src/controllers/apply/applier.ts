import { CapstanError } from "../../errors.js";
import { manifestKey } from "../../manifest/index.js";
import type { CronJob, DaemonSet, Deployment, Job, ManifestObject, StatefulSet } from "../../manifest/index.js";
import { LABEL, MANAGED_BY_VALUE } from "../../runtime/labels.js";
import type { ContainerRuntime } from "../../runtime/types.js";
import type { PodSecurityPolicy } from "../../security/pod-security/index.js";
import { type Clock, systemClock } from "../clock.js";
import { aggregateHealth } from "../health.js";
import type { Health } from "../health.js";
import { claimVolumeName, networkName, POD_LABEL } from "../pods/materialize.js";
import type { PodManager, PodStatus } from "../pods/types.js";
import { WorkQueue, type WorkQueueOptions } from "../queue.js";
import { CronJobController, scheduledAtOf } from "../workloads/cronjob.js";
import { DaemonSetController } from "../workloads/daemonset.js";
import type { DaemonNode } from "../workloads/daemonset-step.js";
import { DeploymentController } from "../workloads/deployment.js";
import { JobController } from "../workloads/job.js";
import type { JobMemory } from "../workloads/job.js";
import { StatefulSetController } from "../workloads/statefulset.js";
import type { WorkloadReport } from "../workloads/types.js";
import type { AppState, DesiredStore, FailureRecord } from "./desired-store.js";
import { restoreSecrets } from "./desired-store.js";
import { readLiveObjects } from "./live.js";
import { configContent, planSync } from "./plan.js";
import type { SyncTask } from "./plan.js";

/**
 * The I/O shell around the pure planner and the workload controllers: applies one application's
 * rendered objects at one commit, wave by wave, drives each workload through a WorkQueue keyed
 * `app/namespace/Kind/name`, rolls a failed rollout back to the last healthy sync, and tells
 * waiters when the application is Healthy or has Failed.
 */

export interface ApplierOptions {
  runtime: ContainerRuntime;
  pods: PodManager;
  store: DesiredStore;
  clock?: Clock;
  /** Labels put on networks and volumes the applier makes (tests mark their run). */
  labels?: Record<string, string>;
  /** Workloads reconciled at once. Default 8. */
  concurrency?: number;
  log?: (entry: Record<string, unknown>) => void;
  /**
   * Nodes DaemonSets place pods on (names, or nodes with labels, taints and cordon), read on every
   * reconcile. Default: the node of `runtime` alone (a single-engine setup).
   */
  nodes?: () => readonly (string | DaemonNode)[];
  /** Every node's engine, read for live state (default: `runtime` alone). */
  runtimes?: readonly ContainerRuntime[];
  /** Told of every workload reconcile and of the workload queue's depth (the daemon's metrics). */
  queueObserver?: Pick<WorkQueueOptions, "onReconciled" | "onDepth">;
}

export interface SyncRequest {
  app: string;
  /** Namespace for objects that name none (the Application's destination). */
  namespace: string;
  commit: string;
  objects: ManifestObject[];
  /** Delete owned objects Git dropped. */
  prune: boolean;
  /** The project's Pod Security level and exceptions (default: baseline, none). */
  podSecurity?: PodSecurityPolicy;
  /** Re-apply the last healthy sync when a rollout fails (Application syncPolicy.autoRollback). */
  autoRollback?: boolean;
  files?: ReadonlyMap<string, string>;
  /** Set by the applier when this sync re-applies the last healthy revision after this commit failed. */
  rollbackOf?: string;
  /** Correct drift (Application syncPolicy.automated.selfHeal): a Deployment's drifted pods are rolled out again. */
  selfHeal?: boolean;
}

export type SyncOutcome =
  | { status: "Healthy"; commit: string }
  | { status: "Failed"; commit: string; reason: string; message: string; rolledBackTo?: string };

/** How one sync ended: Superseded when a newer sync of the application began before it settled. */
export type RunOutcome = SyncOutcome | { status: "Superseded"; commit: string; by: string };

/** An object the application declared before and Git no longer does, kept because pruning is off. */
export interface KeptObject {
  key: string;
  kind: string;
  name: string;
  namespace: string;
  /** The object as it was last applied, when known. */
  object?: ManifestObject;
}

interface AppRun {
  request: SyncRequest;
  objects: Map<string, ManifestObject>;
  reports: Map<string, WorkloadReport>;
  /** Workload keys of this sync. */
  workloads: Set<string>;
  outcome?: RunOutcome;
  waiters: ((o: RunOutcome) => void)[];
  rollingBackFrom?: string;
  failing?: boolean;
  /** Settles once the rollback sync after a failure has been registered. */
  rollback?: Promise<void>;
  /** Objects Git dropped that this sync kept (prune off). */
  kept: KeptObject[];
  /** The aggregate health last told to listeners. */
  told?: string;
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"]);

export class Applier {
  private readonly runtime: ContainerRuntime;
  private readonly engines: readonly ContainerRuntime[];
  private readonly pods: PodManager;
  private readonly store: DesiredStore;
  private readonly clock: Clock;
  private readonly labels: Record<string, string>;
  private readonly log: (entry: Record<string, unknown>) => void;
  private readonly queue: WorkQueue;
  private readonly deployments: DeploymentController;
  private readonly jobs: JobController;
  private readonly cronJobs: CronJobController;
  private readonly statefulSets: StatefulSetController;
  private readonly daemonSets: DaemonSetController;
  private readonly runs = new Map<string, AppRun>();
  private readonly jobState = new Map<string, AppState["jobs"]>();
  private unsubscribe: (() => void) | undefined;
  private readonly healthListeners = new Set<(app: string) => void>();
  private storeChain: Promise<unknown> = Promise.resolve();

  constructor(options: ApplierOptions) {
    this.runtime = options.runtime;
    this.engines = options.runtimes && options.runtimes.length > 0 ? options.runtimes : [options.runtime];
    this.pods = options.pods;
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.labels = options.labels ?? {};
    this.log = options.log ?? (() => {});
    this.queue = new WorkQueue({
      reconcile: (key) => this.reconcile(key),
      clock: this.clock,
      concurrency: options.concurrency ?? 8,
      onError: (key, error, info) => this.log({ msg: "reconcile failed", key, error: (error as Error).message, retryInMs: info.retryInMs }),
      ...options.queueObserver,
    });
    this.deployments = new DeploymentController(this.pods, this.clock, (namespace, pod, err) => {
      if (err) this.log({ msg: "pod delete failed", namespace, pod, error: (err as Error).message });
    });
    const memory: JobMemory = {
      get: (key) => this.jobState.get(appOf(key))?.[key],
      set: (key, value) => {
        const app = appOf(key);
        const jobs = this.jobState.get(app) ?? {};
        if (value) jobs[key] = value;
        else delete jobs[key];
        this.jobState.set(app, jobs);
        void this.persistJobs(app);
      },
    };
    this.jobs = new JobController(this.pods, this.clock, memory);
    this.cronJobs = new CronJobController(this.pods, this.jobs, this.clock);
    this.statefulSets = new StatefulSetController(this.pods);
    const nodes = options.nodes ?? (() => [this.runtime.node]);
    this.daemonSets = new DaemonSetController(this.pods, () => nodes().map((n) => (typeof n === "string" ? { name: n } : n)), this.clock);
  }

  /** Starts reconciling: pod changes enqueue their owner. The PodManager is started by its owner. */
  start(): void {
    this.unsubscribe = this.pods.onChange((pod) => {
      const key = this.ownerKey(pod);
      if (key) this.queue.add(key);
    });
    this.queue.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.queue.stop();
  }

  private ownerKey(pod: PodStatus): string | undefined {
    const run = this.runs.get(pod.app);
    if (!run) return undefined;
    const direct = `${pod.app}/${pod.namespace}/${pod.ownerKind}/${pod.ownerName}`;
    if (run.workloads.has(direct)) return direct;
    if (pod.ownerKind === "Job") {
      for (const key of run.workloads) {
        const [, ns, kind, name] = key.split("/");
        if (kind === "CronJob" && ns === pod.namespace && name && scheduledAtOf(name, pod.ownerName) !== undefined) return key;
      }
    }
    return undefined;
  }

  /** The plan for a sync without applying it (what `capstan plan` shows). */
  async plan(request: SyncRequest): Promise<SyncTask[]> {
    const state = await this.store.load(request.app);
    const live = await readLiveObjects(this.engines, request.app, request.namespace, state.applied?.objects ?? [], this.labels);
    return planOrThrow(request, live);
  }

  /**
   * Applies the objects wave by wave (a later wave starts once the workloads of earlier waves are
   * healthy), prunes when asked, and records the sync. Resolves once every task is under way;
   * use `waitForHealthy` for the outcome.
   */
  async sync(request: SyncRequest): Promise<SyncTask[]> {
    const state = await this.store.load(request.app);
    this.jobState.set(request.app, state.jobs);
    const live = await readLiveObjects(this.engines, request.app, request.namespace, state.applied?.objects ?? [], this.labels);
    const tasks = planOrThrow(request, live);

    const previous = this.runs.get(request.app);
    const kept = tasks.filter((t) => t.action === "orphan" && t.live?.owned);
    const run: AppRun = {
      request,
      objects: new Map(request.objects.map((o) => [manifestKey(o, request.namespace), o])),
      reports: new Map(),
      workloads: new Set(),
      waiters: [],
      kept: kept.map((t) => ({ key: t.key, kind: t.kind, name: t.name, namespace: t.namespace, ...(t.live?.object ? { object: t.live.object as unknown as ManifestObject } : {}) })),
      ...(request.rollbackOf ? { rollingBackFrom: request.rollbackOf } : {}),
    };
    this.runs.set(request.app, run);
    // A rollout still under way is replaced by this one, as a new ReplicaSet replaces a stuck one.
    if (previous && !previous.outcome) {
      const outcome: RunOutcome = { status: "Superseded", commit: previous.request.commit, by: request.commit };
      previous.outcome = outcome;
      for (const w of previous.waiters.splice(0)) w(outcome);
    }
    // Workloads of the previous sync that this one no longer has stop being reconciled.
    if (previous) for (const key of previous.workloads) if (!run.objects.has(key.slice(request.app.length + 1))) this.queue.forget(`${key}`);

    // Objects kept with pruning off stay among the applied ones, so the next sync still finds them.
    const keptObjects = kept.flatMap((t) => (t.live?.object ? [t.live.object as unknown as ManifestObject] : []));
    await this.update(request.app, (s) => {
      s.applied = { commit: request.commit, objects: [...request.objects, ...keptObjects], at: this.clock.now() };
    });

    const namespaces = new Set(tasks.filter((t) => t.action !== "orphan").map((t) => t.namespace));
    for (const ns of namespaces) await this.runtime.ensureNetwork(networkName(ns), { ...this.labels, [LABEL.managedBy]: MANAGED_BY_VALUE, [LABEL.namespace]: ns });

    const waves = [...new Set(tasks.filter((t) => t.object).map((t) => t.wave))].sort((a, b) => a - b);
    for (const [i, wave] of waves.entries()) {
      const keys: string[] = [];
      for (const task of tasks) {
        if (task.wave !== wave || !task.object) continue;
        // With several nodes a claim's volume is made by the pod layer on the node its pod is placed
        // on (volumes are local to an engine); made here first, it would tie every claim to this node.
        if (task.kind === "PersistentVolumeClaim" && this.engines.length === 1) {
          await this.runtime.ensureVolume(claimVolumeName(task.namespace, task.name), {
            ...this.labels,
            [LABEL.managedBy]: MANAGED_BY_VALUE,
            [LABEL.application]: request.app,
            [LABEL.namespace]: task.namespace,
            [POD_LABEL.claim]: task.name,
          });
        }
        if (WORKLOAD_KINDS.has(task.kind)) {
          const key = `${request.app}/${task.key}`;
          run.workloads.add(key);
          keys.push(key);
          this.queue.add(key);
        }
      }
      // Argo CD's waves: the next wave waits for this one to be healthy.
      if (i < waves.length - 1 && keys.length > 0) await this.waitForKeys(run, keys);
      if (run.outcome?.status === "Failed") break;
    }

    for (const task of tasks) {
      if (task.action !== "prune") continue;
      this.log({ msg: "prune", app: request.app, key: task.key });
      await this.removeWorkload(request.app, task.kind, task.namespace, task.name);
    }
    this.evaluate(request.app);
    return tasks;
  }

  private async removeWorkload(app: string, kind: string, namespace: string, name: string): Promise<void> {
    if (kind === "Deployment") await this.deployments.remove(app, namespace, name);
    else if (kind === "Job") await this.jobs.remove(app, namespace, name);
    else if (kind === "CronJob") await this.cronJobs.remove(app, namespace, name);
    else if (kind === "StatefulSet") await this.statefulSets.remove(app, namespace, name);
    else if (kind === "DaemonSet") await this.daemonSets.remove(app, namespace, name);
  }

  private waitForKeys(run: AppRun, keys: string[]): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        const done = keys.every((k) => {
          const r = run.reports.get(k);
          return r && (r.health.status === "Healthy" || r.health.status === "Suspended" || r.failure);
        });
        if (done || run.outcome || this.runs.get(run.request.app) !== run) resolve();
        else this.clock.setTimeout(check, 50);
      };
      check();
    });
  }

  private async reconcile(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const app = appOf(key);
    const run = this.runs.get(app);
    if (!run || !run.workloads.has(key)) return;
    const objectKey = key.slice(app.length + 1);
    const object = run.objects.get(objectKey);
    if (!object) return;
    const namespace = object.metadata.namespace || run.request.namespace;
    const target = {
      app,
      commit: run.request.commit,
      namespace,
      config: configContent([...run.objects.values()], namespace, run.request.namespace),
      selfHeal: run.request.selfHeal ?? false,
    };
    let report: WorkloadReport;
    if (object.kind === "Deployment") report = await this.deployments.reconcile({ ...target, object: object as Deployment });
    else if (object.kind === "Job") report = await this.jobs.reconcile({ ...target, object: object as Job });
    else if (object.kind === "StatefulSet") report = await this.statefulSets.reconcile({ ...target, object: object as StatefulSet });
    else if (object.kind === "DaemonSet") report = await this.daemonSets.reconcile({ ...target, object: object as DaemonSet });
    else report = await this.cronJobs.reconcile({ ...target, object: object as CronJob });
    if (this.runs.get(app) !== run) return;
    run.reports.set(key, report);
    this.evaluate(app);
    this.tellHealth(app, run);
    return report.requeueAfterMs !== undefined ? { requeueAfterMs: Math.max(report.requeueAfterMs, 10) } : undefined;
  }

  /** Health of an application: worst of its workloads (a workload not yet looked at is Missing). */
  health(app: string): Health & { objects: { key: string; health: Health }[] } {
    const run = this.runs.get(app);
    if (!run) return { status: "Unknown", message: "not synced by this applier", objects: [] };
    const objects = [...run.workloads].sort().map((key) => ({ key, health: run.reports.get(key)?.health ?? { status: "Missing" as const, message: "not reconciled yet" } }));
    return { ...aggregateHealth(objects.map((o) => ({ ...o.health, message: `${o.key.slice(app.length + 1)}: ${o.health.message ?? ""}` }))), objects };
  }

  /** Objects Git dropped that the application's latest sync kept because pruning is off. */
  kept(app: string): KeptObject[] {
    return [...(this.runs.get(app)?.kept ?? [])];
  }

  /** The objects of the application's latest sync (the rollout under way, or the one that settled). */
  desired(app: string): { commit: string; objects: ManifestObject[] } | undefined {
    const run = this.runs.get(app);
    return run ? { commit: run.request.commit, objects: run.request.objects } : undefined;
  }

  /** The workload reports of the application's latest sync, by `namespace/Kind/name`. */
  reports(app: string): Map<string, WorkloadReport> {
    const run = this.runs.get(app);
    return new Map([...(run?.reports ?? [])].map(([k, r]) => [k.slice(app.length + 1), r]));
  }

  /**
   * Called whenever an application's health (status or message) changes: workloads are looked at
   * again on every pod change, so this follows what runs, not only the end of a sync.
   */
  onHealthChange(listener: (app: string) => void): () => void {
    this.healthListeners.add(listener);
    return () => this.healthListeners.delete(listener);
  }

  private tellHealth(app: string, run: AppRun): void {
    const h = this.health(app);
    const told = `${h.status}\0${h.message ?? ""}`;
    if (run.told === told) return;
    run.told = told;
    for (const l of this.healthListeners) l(app);
  }

  /** Resolves once no workload is queued or being reconciled (each has made its latest step). */
  idle(): Promise<void> {
    return this.queue.onIdle();
  }

  /** Resolves when the application's current sync is Healthy or Failed, or `timeoutMs` passes (Failed, reason Timeout). */
  waitForHealthy(app: string, timeoutMs: number): Promise<SyncOutcome> {
    const started = this.clock.now();
    return this.waitForRun(app, timeoutMs).then((o) => (o.status === "Superseded" ? this.waitForHealthy(app, Math.max(1, timeoutMs - (this.clock.now() - started))) : o));
  }

  /** Like `waitForHealthy` for the sync under way now, but resolves Superseded as soon as a newer sync replaces it. */
  waitForRun(app: string, timeoutMs: number): Promise<RunOutcome> {
    const run = this.runs.get(app);
    if (!run) return Promise.reject(new CapstanError("APPLICATION_NOT_FOUND", `application ${app} was not synced by this applier`));
    if (run.outcome?.status === "Failed" && run.rollback) {
      // The failure was answered by a rollback: wait for the revision it brings back.
      return run.rollback.then(() => (this.runs.get(app) === run ? (run.outcome as RunOutcome) : this.waitForHealthy(app, timeoutMs)));
    }
    if (run.outcome) return Promise.resolve(run.outcome);
    return new Promise((resolve) => {
      let settled = false;
      const timer = this.clock.setTimeout(() => {
        if (settled) return;
        settled = true;
        const h = this.health(app);
        resolve({ status: "Failed", commit: run.request.commit, reason: "Timeout", message: `not healthy after ${Math.round(timeoutMs / 1000)}s: ${h.status}: ${h.message ?? ""}` });
      }, timeoutMs);
      const current = this.runs.get(app) as AppRun;
      current.waiters.push((o) => {
        if (settled) return;
        settled = true;
        timer.cancel();
        resolve(o);
      });
    });
  }

  private evaluate(app: string): void {
    const run = this.runs.get(app);
    if (!run || run.outcome || run.failing) return;
    const failed = [...run.reports.entries()].find(([k, r]) => run.workloads.has(k) && r.failure);
    if (failed) {
      const [key, r] = failed;
      const failure = r.failure as { reason: string; message: string };
      run.failing = true;
      void this.fail(run, `${key.slice(app.length + 1)}: ${failure.message}`, failure.reason, r.kind === "Deployment");
      return;
    }
    const h = this.health(app);
    // A paused Deployment is settled as it is (Suspended), not a rollout that times out.
    if ((h.status !== "Healthy" && h.status !== "Suspended") || run.workloads.size !== run.reports.size) return;
    const outcome: SyncOutcome = { status: "Healthy", commit: run.request.commit };
    run.outcome = outcome;
    // A paused rollout is settled but not known healthy: it never becomes what a failure rolls back to.
    if (h.status === "Healthy") void this.markHealthy(run);
    for (const w of run.waiters.splice(0)) w(outcome);
  }

  /** Read-modify-write of an application's stored state, one at a time so updates are not lost. */
  private update(app: string, change: (state: AppState) => void): Promise<AppState> {
    const next = this.storeChain.then(async () => {
      const state = await this.store.load(app);
      change(state);
      await this.store.save(app, state);
      return state;
    });
    this.storeChain = next.catch(() => undefined);
    return next;
  }

  private async markHealthy(run: AppRun): Promise<void> {
    await this.update(run.request.app, (state) => {
      state.healthy = { commit: run.request.commit, objects: run.request.objects, at: this.clock.now() };
    });
    this.log({ msg: "healthy", app: run.request.app, commit: run.request.commit });
  }

  private async fail(run: AppRun, message: string, reason: string, rollout: boolean): Promise<void> {
    const app = run.request.app;
    const record: FailureRecord = { commit: run.request.commit, reason, message, at: this.clock.now() };
    let target: AppState["healthy"];
    let rollBack = false;
    await this.update(app, (state) => {
      target = state.healthy;
      rollBack = rollout && (run.request.autoRollback ?? true) && target !== undefined && target.commit !== run.request.commit && !run.rollingBackFrom;
      if (rollBack && target) record.rolledBackTo = target.commit;
      state.failures = [...state.failures, record].slice(-20);
    });
    const outcome: SyncOutcome = { status: "Failed", commit: run.request.commit, reason, message, ...(record.rolledBackTo ? { rolledBackTo: record.rolledBackTo } : {}) };
    run.outcome = outcome;
    this.log({ msg: "sync failed", app, commit: run.request.commit, reason, message, rolledBackTo: record.rolledBackTo });
    const healthy = target;
    if (rollBack && healthy) run.rollback = this.rollBack(run, healthy).catch((err: unknown) => this.log({ msg: "rollback failed", app, error: (err as Error).message }));
    for (const w of run.waiters.splice(0)) w(outcome);
  }

  private async rollBack(run: AppRun, target: NonNullable<AppState["healthy"]>): Promise<void> {
    const app = run.request.app;
    const restored = restoreSecrets(target.objects, run.request.objects, this.store.redactionKey);
    if (restored.missing.length > 0) this.log({ msg: "rollback keeps current values of Secrets changed since", app, secrets: restored.missing });
    const objects = restored.missing.length === 0 ? restored.objects : mergeCurrentSecrets(restored.objects, run.request.objects, run.request.namespace);
    for (const o of objects) if (o.kind === "Deployment") this.deployments.resetProgress(app, o.metadata.namespace || run.request.namespace, o.metadata.name);
    // Registering the new run happens before sync() first awaits anything slow; waves may take longer.
    const synced = this.sync({ ...run.request, commit: target.commit, objects, rollbackOf: run.request.commit });
    await Promise.race([synced, this.nextRun(app, run)]);
    synced.catch((err: unknown) => this.log({ msg: "rollback sync failed", app, error: (err as Error).message }));
  }

  /** Resolves once the application's run is no longer `run`. */
  private nextRun(app: string, run: AppRun): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (this.runs.get(app) !== run ? resolve() : this.clock.setTimeout(check, 20));
      check();
    });
  }

  /** The set of nodes changed (one added, cordoned, back to Ready): every DaemonSet looks again. */
  nodesChanged(): void {
    for (const run of this.runs.values()) {
      for (const key of run.workloads) if (key.split("/")[2] === "DaemonSet") this.queue.add(key);
    }
  }

  /** Removes everything Capstan made for the application (see `deleteApplication`). */
  async forget(app: string): Promise<void> {
    const run = this.runs.get(app);
    if (run) for (const key of run.workloads) this.queue.forget(key);
    this.runs.delete(app);
  }

  private async persistJobs(app: string): Promise<void> {
    await this.update(app, (state) => {
      state.jobs = this.jobState.get(app) ?? {};
    });
  }
}

function appOf(key: string): string {
  return key.slice(0, key.indexOf("/"));
}

function planOrThrow(request: SyncRequest, live: Parameters<typeof planSync>[1]): SyncTask[] {
  const plan = planSync(request.objects, live, {
    namespace: request.namespace,
    prune: request.prune,
    ...(request.podSecurity ? { podSecurity: request.podSecurity } : {}),
    ...(request.files ? { files: request.files } : {}),
  });
  if (!plan.ok) {
    const n = plan.errors.length;
    throw new CapstanError("MANIFEST_INVALID", `application ${request.app}: ${n === 1 ? "1 object is" : `${n} objects are`} refused (nothing was applied)`, {
      problems: plan.errors,
    });
  }
  return plan.value;
}

function mergeCurrentSecrets(objects: ManifestObject[], current: ManifestObject[], namespace: string): ManifestObject[] {
  const byKey = new Map(current.filter((o) => o.kind === "Secret").map((o) => [manifestKey(o, namespace), o]));
  return objects.map((o) => (o.kind === "Secret" ? (byKey.get(manifestKey(o, namespace)) ?? o) : o));
}
