import { existsSync, statSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { loadApplicationSet, type Application, type InvalidApplicationFile, type RenderedObject } from "../application/index.js";
import type { CapstanConfig, ProjectConfig } from "../config/index.js";
import { configSchema, configuredNodes } from "../config/index.js";
import { Applier, deleteApplication, FileDesiredStore, planHasChanges, type DeleteReport, type RunOutcome } from "../controllers/apply/index.js";
import { canonicalJSON } from "../controllers/workloads/revision.js";
import type { Clock } from "../controllers/clock.js";
import { systemClock } from "../controllers/clock.js";
import { createPodManager } from "../controllers/pods/index.js";
import type { DaemonNode } from "../controllers/workloads/daemonset-step.js";
import { createPlacer, NodeHealthMonitor, NodeRegistry, type NodePlacer } from "../nodes/index.js";
import type { PodEvent, PodManager } from "../controllers/pods/types.js";
import { WorkQueue } from "../controllers/queue.js";
import { CapstanError, formatProblem } from "../errors.js";
import type { ManifestObject, Service } from "../manifest/index.js";
import { DockerRuntime } from "../runtime/docker.js";
import type { ContainerRuntime } from "../runtime/types.js";
import { DEFAULT_PROJECT, namespaceClaimant, namespaceProblems, projectOf, projectProblems, sharedObjectProblems } from "../security/index.js";
import { createRenderPool, type RenderPool } from "../render/index.js";
import { PrometheusMetrics, startServer, type DriftView, type RunningServer } from "../server/index.js";
import { ServiceController } from "../services/index.js";
import { createGitSource, gitSourceOptions, splitUserinfo, type GitSource, type ResolvedRevision } from "../source/index.js";
import {
  acquireDaemonLock,
  autoSyncDecision,
  ensureToken,
  installationLabels,
  manifestsDigest,
  openSqliteStateStore,
  ensureRedactionKey,
  type AppRecord,
  type DaemonLock,
  type Initiator,
  type RevisionSummary,
  type StateStore,
  type SyncStatus,
} from "../state/index.js";
import { secretFreeManifests } from "../state/manifests-text.js";
import { handleWebhook, matchRepos, schedulePoll, watchRepository, type PollSchedule, type RepoWatch } from "../triggers/index.js";
import type { RedactionKey } from "../diff/index.js";
import { revisionManifests } from "./manifests.js";
import { DaemonViewImpl, previousHealthy } from "./view.js";

/** One repository the daemon follows: where its Application files are and how changes are noticed. */
export interface DaemonRepository {
  /** A local path or a Git URL. */
  repo: string;
  /** Folder of Application files (default `apps`). */
  appsPath?: string;
  /** Cron schedule of Git polls (default: the daemon's `poll`, else every 30 s). */
  poll?: string;
  /** Watch a local repository's refs (default: the daemon's `watch`, else on for local paths). */
  watch?: boolean;
}

export interface DaemonOptions {
  stateDir: string;
  /** A local path or a URL holding `apps/` (and usually the charts); the common single-repository case. */
  repo?: string;
  appsPath?: string;
  /** Several repositories (`daemon.repositories` of the config file); used together with `repo` if both are given. */
  repositories?: DaemonRepository[];
  host?: string;
  /** Default 7420; 0 picks a free port (the address is written to `<stateDir>/daemon.json`). */
  port?: number;
  /** Cron schedule of Git polls (default every 30 s). */
  poll?: string;
  /** Secret for webhooks (GitHub, Gitea, generic HMAC; GitLab token). */
  webhookSecret?: string;
  config?: CapstanConfig;
  /** Where the config file is: relative secret paths in it (passwordFile, sshKeyPath) resolve here. */
  configDir?: string;
  /** Watch a local repository's refs (default: on for local paths). */
  watch?: boolean;
  /** Syncs run at once across applications. */
  concurrency?: number;
  /** How long one sync may take to become healthy before it counts as failed. */
  syncTimeoutMs?: number;
  /** Time budget of one chart render (default 10 s); over it, the revision is RenderFailed. */
  renderTimeoutMs?: number;
  clock?: Clock;
  log?: (entry: Record<string, unknown>) => void;
  env?: Record<string, string | undefined>;
  /** Tests mark what they make. */
  labels?: Record<string, string>;
  /** Restart back-off of pods (tests shorten it). */
  restartBackoff?: { baseMs?: number; maxMs?: number };
  resyncPeriodMs?: number;
  /** Engines by node name instead of the configured Docker nodes (benchmarks use the fake runtime). */
  runtimes?: Map<string, ContainerRuntime>;
  /** Node health: ping period, NotReady after the grace period, pods replaced elsewhere after the eviction timeout. */
  nodeHealth?: { periodMs?: number; gracePeriodMs?: number; evictionTimeoutMs?: number };
}

export interface RunningDaemon {
  url: string;
  token: string;
  daemon: Daemon;
  stop(): Promise<void>;
}

const AUTO_INITIATORS: ReadonlySet<Initiator> = new Set(["poll", "watch", "webhook"]);
/** Argo CD's resources finalizer, spelt for Capstan: removing the Application from Git prunes its objects. */
export const PRUNE_FINALIZER = "resources-finalizer.capstan.dev";
/** Pod events recorded on the application: what self-heal corrected and containers that were not Capstan's to keep. */
const DRIFT_EVENTS: ReadonlySet<string> = new Set(["SelfHealed", "StrayRemoved", "AliasReclaimed", "Drifted"]);

/** One drift as a line: `Pod/web-x spec.containers[0].resources.limits.memory: live 64Mi, desired 128Mi`. */
function driftText(d: DriftView): string {
  return `${d.object} ${d.field}: live ${d.live}, desired ${d.desired}`;
}

/** A followed repository, resolved: local paths are absolute. */
interface RepoState {
  url: string;
  local: boolean;
  appsPath: string;
  poll?: string;
  watch: boolean;
  /** Applications its head declared at the last good read. */
  apps: Set<string>;
  refreshing?: Promise<void>;
}

export interface AppEntry {
  app: Application;
  /** The repository holding the chart (the Application's repoURL, else the one declaring it). */
  repo: string;
  /** The repository whose Application file declares it. */
  declaredIn: string;
  /** Folder of Application files in `declaredIn`. */
  appsPath: string;
}

/**
 * The sync daemon: watches every Application of one repository and, on each trigger, runs
 * fetch → render → plan → apply → wait → record for it. Work per application is serialized, and
 * applications sync concurrently up to a limit; one application's failure never blocks another.
 */
export class Daemon {
  readonly store: StateStore;
  /** Secrets shown or stored anywhere are HMACs under this installation's key. */
  readonly redactionKey: RedactionKey;
  /** Charts render in worker threads with a time budget, so no commit can stall the daemon. */
  readonly renderer: RenderPool;
  readonly source: GitSource;
  readonly runtime: ContainerRuntime;
  readonly runtimes: Map<string, ContainerRuntime>;
  readonly pods: PodManager;
  readonly services: ServiceController;
  readonly applier: Applier;
  /** Node readiness (pings every engine) and pod placement over the configured nodes. */
  readonly nodeHealth: NodeHealthMonitor;
  readonly placer: NodePlacer;
  private registry: NodeRegistry | undefined;
  /** Opens while the daemon starts; the nodes view reads capacity and cordons from it, as the scheduler does. */
  readonly registryReady: Promise<NodeRegistry>;
  readonly metrics = new PrometheusMetrics();
  readonly repos: RepoState[];
  readonly apps = new Map<string, AppEntry>();
  private readonly queue: WorkQueue;
  private readonly pending = new Map<string, { initiator: Initiator; revision?: string }>();
  private readonly clock: Clock;
  private readonly log: (entry: Record<string, unknown>) => void;
  private readonly polls: PollSchedule[] = [];
  private readonly watches: RepoWatch[] = [];
  private stopping = false;
  /** Applications read per tree and apps path, most recent last (see `readApplications`). */
  private readonly appsRead = new Map<string, ReturnType<typeof loadApplicationSet>>();
  /** Settles when stop() begins: syncs waiting for health stop waiting (a restart resumes them). */
  private readonly halted: Promise<null>;
  private halt: () => void = () => {};
  readonly view: DaemonViewImpl;
  /** Object keys each application declared at its last applied revision: an object has one owner. */
  private readonly declared = new Map<string, Set<string>>();
  /** Namespace → who holds it (an application of the default project, or a configured project) and its applications there. */
  private readonly namespaces = new Map<string, { claimant: string; apps: Set<string> }>();
  /** The revision each application is rolling out now: a newer rendering supersedes it at once. */
  private readonly inflight = new Map<string, { revision: number; commit: string; digest: string; spec: string }>();
  /** What each application runs, as compared: the manifests digest and Application spec of its applied revision. */
  private readonly applied = new Map<string, { digest: string; spec: string }>();
  /** Sync status as Git says (before drift and kept objects are looked at), per application. */
  private readonly gitSync = new Map<string, { sync: SyncStatus; message: string }>();
  /** Why an application's repository or ref cannot be read now. */
  private readonly sourceErrors = new Map<string, string>();
  /** Outcomes being waited for in the background (a sync step returns once its rollout is under way). */
  private readonly settling = new Set<Promise<void>>();
  /** Applications held back by dependsOn, with the request to run once their dependencies are Healthy. */
  private readonly waiting = new Map<string, { initiator: Initiator; revision?: string }>();
  /** Each application's health as last written, so dependents can be told. */
  private readonly healthOf = new Map<string, string>();
  /** Applications whose file left Git and whose objects are kept. */
  private readonly orphaned = new Set<string>();
  /** Status recomputations asked for and not yet run, per application. */
  private readonly statusTimers = new Map<string, { cancel(): void }>();

  constructor(readonly options: DaemonOptions, readonly lock: DaemonLock) {
    this.clock = options.clock ?? systemClock;
    this.halted = new Promise<null>((resolve) => (this.halt = () => resolve(null)));
    this.log = options.log ?? (() => {});
    this.repos = followedRepositories(options);
    this.store = openSqliteStateStore(options.stateDir, { onWarning: (msg) => this.log({ level: "warning", component: "state", msg }) });
    this.redactionKey = ensureRedactionKey(options.stateDir);
    this.renderer = createRenderPool(options.renderTimeoutMs ? { timeoutMs: options.renderTimeoutMs } : {});
    // Credentials go only to URLs under their configured prefix; CAPSTAN_GIT_TOKEN and a URL's own
    // user:password only to the repositories the operator named for this daemon.
    this.source = createGitSource({
      ...gitSourceOptions(options.config ?? configSchema.parse({}), {
        stateDir: options.stateDir,
        env: options.env ?? process.env,
        ownRepos: [...(options.repo ? [options.repo] : []), ...(options.repositories ?? []).map((r) => r.repo)],
        ...(options.configDir ? { configDir: options.configDir } : {}),
      }),
      onEvent: (e) => void this.recordForAll("Warning", "ForcePushed", `${e.ref} moved from ${e.from.slice(0, 7)} to ${e.to.slice(0, 7)}, which does not contain it (force-push); following it`),
    });
    const configured = configuredNodes(options.config ?? configSchema.parse({}));
    this.runtimes =
      options.runtimes ?? new Map(configured.map((n) => [n.name, new DockerRuntime({ node: n.name, address: n.address, tlsCertPath: n.tlsCertPath, env: options.env })]));
    this.runtime = [...this.runtimes.values()][0] as ContainerRuntime;
    const nodeConfigs = configured.filter((n) => this.runtimes.has(n.name));
    const registry = NodeRegistry.open({ nodes: nodeConfigs, stateDir: options.stateDir, runtimeFor: (n) => this.runtimes.get(n.name) as ContainerRuntime, clock: this.clock });
    this.registryReady = registry;
    registry.catch(() => undefined); // reported by start()
    this.nodeHealth = new NodeHealthMonitor({
      nodes: [...this.runtimes].map(([name, rt]) => ({ name, ping: () => rt.ping() })),
      clock: this.clock,
      ...(options.nodeHealth?.periodMs ? { periodMs: options.nodeHealth.periodMs } : {}),
      ...(options.nodeHealth?.gracePeriodMs ? { gracePeriodMs: options.nodeHealth.gracePeriodMs } : {}),
      ...(options.nodeHealth?.evictionTimeoutMs ? { evictionTimeoutMs: options.nodeHealth.evictionTimeoutMs } : {}),
      onEvent: (e) => this.log({ component: "nodes", ...e }),
      onEvict: async (node) => void (await this.pods.evictNode?.(node)),
      onRecover: async (node) => void (await this.pods.removeStale?.(node)),
    });
    this.placer = createPlacer({ registry, health: this.nodeHealth });
    // What this state directory's daemon makes carries its installation id; only that is adopted.
    const labels = installationLabels(options.stateDir, options.labels);
    const basePods = createPodManager({
      placer: this.placer,
      runtimes: this.runtimes,
      stateDir: options.stateDir,
      clock: this.clock,
      labels,
      ...(options.restartBackoff ? { restartBackoff: options.restartBackoff } : {}),
      ...(options.resyncPeriodMs ? { resyncPeriodMs: options.resyncPeriodMs } : {}),
      log: (e) => this.log({ component: "pods", ...e }),
    });
    this.services = new ServiceController({
      pods: basePods,
      runtimes: this.runtimes,
      serveProxies: true,
      onWarning: (p) => this.log({ component: "services", level: "warning", msg: p.message }),
    });
    this.pods = this.services.pods;
    this.applier = new Applier({
      runtime: this.runtime,
      pods: this.pods,
      store: new FileDesiredStore(options.stateDir, { redactionKey: this.redactionKey }),
      runtimes: [...this.runtimes.values()],
      nodes: () => this.daemonNodes(),
      clock: this.clock,
      labels,
      log: (e) => this.log({ component: "applier", ...e }),
      queueObserver: this.metrics.queueObserver("workload", workloadController),
    });
    // Health and sync status follow what runs: every change of a workload's health or of a pod's drift.
    this.applier.onHealthChange((app) => this.statusSoon(app));
    this.pods.onChange((pod) => this.statusSoon(pod.app));
    this.pods.onEvent((e) => void this.podEvent(e));
    // A node added, uncordoned or Ready again: DaemonSets place their pods on it.
    this.placer.onNodesChanged(() => this.applier.nodesChanged());
    this.nodeHealth.subscribe(() => this.applier.nodesChanged());
    this.queue = new WorkQueue({
      clock: this.clock,
      concurrency: options.concurrency ?? 4,
      reconcile: (name) => this.syncStep(name),
      onError: (name, err) => this.log({ level: "error", app: name, msg: "sync failed", error: (err as Error).message }),
      ...this.metrics.queueObserver("application"),
    });
    this.view = new DaemonViewImpl(this);
    // Node figures are read from live state when Prometheus scrapes, not only when the dashboard asks.
    this.metrics.collectOnScrape(async () => void (await this.view.nodes()));
  }

  async start(): Promise<void> {
    this.registry = await this.registryReady;
    await this.pods.start();
    this.nodeHealth.start();
    this.applier.start();
    // The Applications are read (and their syncs queued) before resuming, so what was applied can
    // be declared again; the queue starts after, so a resumed rollback outranks the queued poll.
    await this.refresh("poll").catch((err: unknown) => this.log({ level: "warning", msg: "reading the repositories failed; resuming what is recorded", error: (err as Error).message }));
    await this.resumeApplied();
    this.queue.start();
    for (const r of this.repos) {
      this.polls.push(
        schedulePoll({
          repo: r.url,
          schedule: r.poll,
          onTick: () => this.refresh("poll", [r.url]),
          onError: (err) => this.log({ level: "warning", repo: r.url, msg: "poll failed", error: (err as Error).message }),
        }),
      );
      if (r.local && r.watch) {
        this.watches.push(
          await watchRepository(r.url, () => void this.refresh("watch", [r.url]).catch((err: unknown) => this.log({ level: "warning", repo: r.url, msg: "refresh failed", error: (err as Error).message })), {
            onError: (err) => this.log({ level: "warning", repo: r.url, msg: "watch failed", error: (err as Error).message }),
          }),
        );
      }
    }
  }

  /** Stop taking work, let running steps finish, release everything. Containers keep running. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.halt();
    for (const p of this.polls) await p.stop();
    for (const w of this.watches) await w.stop();
    // A render under way ends now: it is not the commit's failure (not recorded), and the next start renders it again.
    await this.renderer.close();
    await this.queue.stop();
    await Promise.allSettled([...this.settling]);
    for (const t of this.statusTimers.values()) t.cancel();
    this.statusTimers.clear();
    await this.applier.stop();
    this.nodeHealth.stop();
    this.placer.close();
    await this.services.close();
    await this.pods.stop();
    await this.store.close();
    this.lock.release();
  }

  /**
   * After a restart: containers were adopted by the pod manager. Each application's current
   * revision is declared again (its workloads reconciled, its Services served) without a new
   * history row, so pods of an unchanged template are kept, not replaced. A sync or rollback that
   * was under way continues where it was (pods already on its revision are kept) and is recorded
   * when it settles; an interrupted auto-rollback is left to the re-declared healthy revision.
   */
  private async resumeApplied(): Promise<void> {
    for (const rec of await this.store.listApps()) {
      const revisions = await this.store.listRevisions(rec.name);
      const unfinished = revisions.filter((r) => r.phase === "Running" || r.phase === "Pending");
      const last = unfinished.at(-1);
      let resumed = false;
      if (last && last.initiator !== "auto-rollback" && this.apps.has(rec.name)) {
        resumed = await this.resume(rec.name, last).catch((err: unknown) => {
          this.log({ level: "warning", app: rec.name, msg: "resuming the rollout under way failed", error: (err as Error).message });
          return false;
        });
      }
      for (const r of unfinished) {
        if (resumed && r === last) continue;
        await this.store.finishRevision(rec.name, r.id, {
          phase: "Failed",
          reason: "Interrupted",
          event: { type: "Warning", reason: "SyncInterrupted", message: `revision ${r.id} (${r.commit.slice(0, 7)}) was interrupted by a daemon restart; ${r.initiator === "auto-rollback" ? "restoring the last healthy revision" : "syncing again"}` },
        });
      }
      if (resumed) continue;
      const current = rec.status.currentRevision === null ? undefined : revisions.find((r) => r.id === rec.status.currentRevision);
      if (current) {
        await this.redeclare(rec.name, current).catch((err: unknown) =>
          this.log({ level: "warning", app: rec.name, msg: "declaring the current revision again failed", error: (err as Error).message }),
        );
      }
      if (!last) continue;
      if (last.initiator === "rollback") this.enqueue(rec.name, "rollback", last.commit);
      else if (last.initiator !== "auto-rollback" || !current) this.enqueue(rec.name, "cli");
    }
  }

  /** Declares a revision that was rolling out when the daemon stopped again, and waits for it as its sync would have. */
  private async resume(name: string, r: RevisionSummary): Promise<boolean> {
    const declared = await this.redeclare(name, r);
    if (!declared) return false;
    this.inflight.set(name, { revision: r.id, commit: r.commit, digest: r.manifestsDigest, spec: declared.spec });
    await this.store.recordEvent(name, { type: "Normal", reason: "SyncResumed", message: `revision ${r.id} (${r.commit.slice(0, 7)}) continues where it was before the restart` });
    const started = r.startedAt ? Date.parse(r.startedAt) : this.clock.now();
    this.settle(name, r.id, r.commit, declared.objects, started, r.initiator === "rollback");
    return true;
  }

  /**
   * Fetches a repository and reads the Applications of its head; a valid set replaces what the
   * repository declared before. An Application name two repositories declare stays with the one
   * listed first.
   */
  private async loadApps(r: RepoState): Promise<{
    head: ResolvedRevision;
    loaded: Awaited<ReturnType<typeof loadApplicationSet>>;
    clashes: { name: string; message: string }[];
    kept: { name: string; file: InvalidApplicationFile }[];
    removed: { name: string; entry: AppEntry }[];
  }> {
    await this.source.fetch(r.url);
    const head = await this.source.resolve(r.url, "HEAD", { fetch: "if-missing" });
    const tree = await this.source.checkout(r.url, head.sha);
    const loaded = await this.readApplications(tree, r.appsPath);
    const clashes: { name: string; message: string }[] = [];
    const kept: { name: string; file: InvalidApplicationFile }[] = [];
    const removed: { name: string; entry: AppEntry }[] = [];
    if (loaded.ok) {
      const declared = new Set<string>();
      // An application whose file is now invalid keeps its last good definition (and is told why);
      // the others sync on. Names come from the broken file, or from where the application was declared.
      for (const f of loaded.invalid) {
        // Just started: the last good definition is the one its current revision was applied from.
        for (const name of f.names) if (!this.apps.has(name)) await this.recoverDefinition(r, name);
        for (const [name, entry] of this.apps) {
          if (entry.declaredIn === r.url && (f.names.includes(name) || entry.app.origin.file === f.file) && !declared.has(name)) {
            declared.add(name);
            kept.push({ name, file: f });
          }
        }
      }
      for (const app of loaded.value) {
        const name = app.metadata.name;
        const other = this.apps.get(name);
        if (other && other.declaredIn !== r.url) {
          // The repository listed first keeps the name, whichever was read first.
          const first = this.repos.findIndex((x) => x.url === other.declaredIn) < this.repos.indexOf(r) ? other.declaredIn : r.url;
          const later = first === r.url ? this.repos.find((x) => x.url === other.declaredIn) : r;
          clashes.push({ name, message: `application ${name} is declared again in ${later?.url} (${later?.appsPath}); the declaration of ${first} is kept` });
          if (first !== r.url) continue;
          later?.apps.delete(name);
        }
        declared.add(name);
        const repo = app.spec.source.repoURL && app.spec.source.repoURL !== "." ? app.spec.source.repoURL : r.url;
        this.apps.set(name, { app, repo, declaredIn: r.url, appsPath: r.appsPath });
      }
      for (const gone of r.apps) {
        const entry = this.apps.get(gone);
        if (declared.has(gone) || entry?.declaredIn !== r.url) continue;
        this.apps.delete(gone);
        this.release(gone);
        removed.push({ name: gone, entry });
      }
      r.apps = declared;
    }
    return { head, loaded, clashes, kept, removed };
  }

  /**
   * An application whose file is invalid when the daemon starts gets back the definition its
   * current revision was applied with, so its workloads and Services are declared again as the
   * others' are. Without a current revision there is nothing to keep.
   */
  private async recoverDefinition(r: RepoState, name: string): Promise<void> {
    const rec = await this.store.getApp(name);
    const current = rec?.status.currentRevision == null ? undefined : (await this.store.listRevisions(name)).find((x) => x.id === rec.status.currentRevision);
    if (!rec || !current || rec.repo !== r.url) return;
    try {
      const tree = await this.source.checkout(r.url, current.commit);
      const read = await this.readApplications(tree, r.appsPath);
      const app = read.ok ? read.value.find((a) => a.metadata.name === name) : undefined;
      if (app) this.apps.set(name, { app, repo: r.url, declaredIn: r.url, appsPath: r.appsPath });
    } catch (err) {
      this.log({ level: "warning", app: name, msg: "the definition of the current revision could not be read", error: (err as Error).message });
    }
  }

  /**
   * The Applications of a checked-out tree. Trees are read-only, one per commit, so a commit's
   * Applications are read once for all of its applications (a repository of 100 applications
   * would otherwise be read 100 times per commit); the last 16 reads are kept.
   */
  private readApplications(tree: string, appsPath: string): ReturnType<typeof loadApplicationSet> {
    const key = `${tree}\0${appsPath}`;
    let read = this.appsRead.get(key);
    if (!read) {
      const fresh = loadApplicationSet(tree, { appsPath });
      // Only a good read is kept: a failed one (a file that could not be read just then) is tried again next time.
      const drop = () => this.appsRead.get(key) === fresh && this.appsRead.delete(key);
      fresh.then((r) => (r.ok && r.invalid.length === 0) || drop(), drop);
      read = fresh;
    }
    this.appsRead.delete(key);
    this.appsRead.set(key, read);
    for (const old of this.appsRead.keys()) {
      if (this.appsRead.size <= 16) break;
      this.appsRead.delete(old);
    }
    return read;
  }

  /** The Application as a commit of the repository declaring it says, else as last read from its branch head. */
  async applicationAt(entry: AppEntry, tree: string, name: string): Promise<Application> {
    if (entry.repo !== entry.declaredIn) return entry.app;
    const atCommit = await this.readApplications(tree, entry.appsPath);
    return (atCommit.ok ? atCommit.value.find((a) => a.metadata.name === name) : undefined) ?? entry.app;
  }

  /**
   * Tells the applier and the Service controller again what a recorded revision declares (after a
   * restart): renders its commit, re-declares its objects and Services, and records no revision.
   * Pods that match are adopted, not replaced. Returns what was declared, or undefined when the
   * revision may not be declared again.
   */
  private async redeclare(name: string, revision: RevisionSummary): Promise<{ spec: string; objects: unknown[] } | undefined> {
    const entry = this.apps.get(name);
    if (!entry) return undefined;
    const sha = revision.commit;
    const tree = await this.source.checkout(entry.repo, sha);
    const app = await this.applicationAt(entry, tree, name);
    const rendered = await this.renderer.renderApplication(tree, app);
    // What was applied before a config change or an upgrade is held to the same bounds.
    const denied = this.deniedByProject(name, entry, app, rendered.objects);
    if (denied) {
      this.log({ level: "error", app: name, msg: "the current revision is outside its project; not declared again", reason: denied.reason, detail: denied.detail });
      await this.store.recordEvent(name, { type: "Warning", reason: denied.reason, message: `the current revision ${sha.slice(0, 7)} is not declared again: ${denied.detail}` });
      return undefined;
    }
    const objects = rendered.objects.map((o) => o.object as unknown as ManifestObject);
    await this.services.setServices(name, objects.filter((o): o is Service => o.kind === "Service"));
    const selfHeal = app.spec.syncPolicy.automated?.selfHeal ?? false;
    this.pods.setSelfHeal?.(name, selfHeal);
    await this.applier.sync({
      app: name,
      namespace: app.spec.destination.namespace,
      commit: sha,
      objects,
      prune: false,
      selfHeal,
      autoRollback: app.spec.syncPolicy.autoRollback,
      podSecurity: this.projectFor(app).podSecurity,
    });
    const spec = specDigest(app);
    this.applied.set(name, { digest: revision.manifestsDigest, spec });
    this.log({ app: name, msg: "resumed", commit: sha });
    return { spec, objects: rendered.objects.map((o) => o.object) };
  }

  /**
   * Fetch the followed repositories (all, or those named), re-read their Applications, and queue a
   * sync step for each Application they declare or whose chart lives in a named repository.
   */
  async refresh(initiator: Initiator, only?: readonly string[]): Promise<void> {
    const chosen = only ? this.repos.filter((r) => only.includes(r.url)) : this.repos;
    const clashes: { name: string; message: string }[] = [];
    const results = await Promise.allSettled(
      chosen.map((r) => {
        r.refreshing ??= this.refreshRepo(r, initiator, clashes).finally(() => {
          r.refreshing = undefined;
        });
        return r.refreshing;
      }),
    );
    // Recorded once every repository is read, so the application the first declaration made exists.
    for (const clash of clashes) {
      this.log({ level: "error", msg: clash.message });
      if (await this.store.getApp(clash.name)) await this.store.recordEvent(clash.name, { type: "Warning", reason: "DeclaredTwice", message: clash.message });
    }
    if (only) {
      for (const [name, entry] of this.apps) if (only.includes(entry.repo) && !only.includes(entry.declaredIn)) this.enqueue(name, initiator);
    }
    const failed = results.find((x): x is PromiseRejectedResult => x.status === "rejected");
    if (failed) throw failed.reason;
  }

  private async refreshRepo(r: RepoState, initiator: Initiator, clashesOut: { name: string; message: string }[]): Promise<void> {
    if (this.stopping) return;
    let read;
    try {
      read = await this.loadApps(r);
    } catch (err) {
      // Unreachable, refused credentials, no default branch: every application it declares says so.
      if (err instanceof CapstanError) {
        const names = new Set([...this.apps].filter(([, e]) => e.declaredIn === r.url || e.repo === r.url).map(([n]) => n));
        // Just started: the applications recorded from this repository are known by the store alone.
        for (const rec of await this.store.listApps()) if (rec.repo === r.url && !this.apps.has(rec.name)) names.add(rec.name);
        for (const name of names) await this.sourceFailed(name, `${r.url}: ${err.message}`);
      }
      throw err;
    }
    const { head, loaded, clashes, kept, removed } = read;
    for (const { name, entry } of removed) await this.applicationRemoved(name, entry, head);
    for (const { name, file } of kept) {
      const message = `${file.file} at commit ${head.sha.slice(0, 7)} is invalid; application ${name} keeps its last good definition: ${file.problems.map(formatProblem).join("; ")}`;
      this.log({ level: "error", app: name, msg: "application file is invalid; keeping its last good definition", problems: message });
      if (await this.store.getApp(name)) {
        await this.store.recordEvent(name, { type: "Warning", reason: "ApplicationInvalid", message });
        await this.view.publish(name);
      }
    }
    if (loaded.ok) {
      // A file naming no application this daemon knows has nowhere to show: the log says why it was not read.
      for (const f of loaded.invalid) {
        if (kept.some((k) => k.file === f)) continue;
        this.log({ level: "error", repo: r.url, msg: "application file is invalid; not declared", file: f.file, problems: f.problems.map(formatProblem).join("; ") });
      }
    }
    if (!loaded.ok) {
      const message = loaded.errors.map((p) => `${p.file ?? ""}${p.line ? `:${p.line}` : ""}: ${p.field ? `${p.field}: ` : ""}${p.message}`).join("; ");
      this.log({ level: "error", repo: r.url, msg: "applications are invalid; keeping the last good set", commit: head.sha, problems: message });
      await this.recordForAll("Warning", "ApplicationsInvalid", `${r.url} commit ${head.sha.slice(0, 7)}: ${message}`, r.url);
      return;
    }
    clashesOut.push(...clashes);
    for (const app of loaded.value) {
      const entry = this.apps.get(app.metadata.name);
      if (entry?.declaredIn !== r.url) continue;
      await this.store.upsertApp({
        name: app.metadata.name,
        repo: entry.repo,
        path: app.spec.source.path,
        targetRevision: app.spec.source.targetRevision,
        revisionHistoryLimit: app.spec.syncPolicy.revisionHistoryLimit,
      });
      this.enqueue(app.metadata.name, initiator);
    }
  }

  /**
   * An Application file left Git. With Argo CD's finalizer (`resources-finalizer.capstan.dev`, or
   * its project's `pruneOnRemoval`) its objects are pruned and it is forgotten; otherwise it is
   * Orphaned: its objects keep running as they are, and it says so.
   */
  private async applicationRemoved(name: string, entry: AppEntry, head: ResolvedRevision): Promise<void> {
    this.inflight.delete(name);
    this.waiting.delete(name);
    this.sourceErrors.delete(name);
    if (entry.app.metadata.finalizers.includes(PRUNE_FINALIZER) || this.projectFor(entry.app).pruneOnRemoval) {
      const removed = await this.removeObjects(name, { volumes: false });
      this.gitSync.delete(name);
      this.healthOf.delete(name);
      await this.store.deleteApp(name);
      this.log({ app: name, msg: "application removed from Git; its objects were pruned", commit: head.sha, containers: removed.containers.length });
      this.view.deleted(name);
      return;
    }
    this.orphaned.add(name);
    await this.store.recordEvent(name, { type: "Warning", reason: "Orphaned", message: `the Application left Git at ${head.sha.slice(0, 7)}; its objects are kept (metadata.finalizers: [${PRUNE_FINALIZER}] prunes them on removal; capstan delete --app ${name} removes them now)` });
    await this.setGitSync(name, "Orphaned", `not in Git since ${head.sha.slice(0, 7)}; objects kept`);
  }

  /** Stops managing the application and removes everything Capstan made for it on every node. */
  private async removeObjects(name: string, options: { volumes: boolean }) {
    await this.applier.forget(name);
    this.pods.setSelfHeal?.(name, false);
    await this.services.setServices(name, []);
    await Promise.all(this.pods.list({ app: name }).map((p) => this.pods.delete(p.namespace, p.name)));
    return deleteApplication(name, {
      runtime: this.runtime,
      runtimes: [...this.runtimes.values()],
      store: new FileDesiredStore(this.options.stateDir, { redactionKey: this.redactionKey }),
      stateDir: this.options.stateDir,
      volumes: options.volumes,
      labels: installationLabels(this.options.stateDir, this.options.labels),
    });
  }

  /**
   * `capstan delete --app NAME` with the daemon running: everything the application made goes on
   * every node, and auto-sync is suspended so the daemon does not make it again; `capstan sync`
   * deploys it again, and `capstan resume` follows the branch again.
   */
  async deleteApp(name: string, options: { volumes?: boolean } = {}): Promise<DeleteReport> {
    if (!(await this.store.getApp(name))) throw new CapstanError("APPLICATION_NOT_FOUND", `application ${name} not found`);
    this.inflight.delete(name);
    const report = await this.removeObjects(name, { volumes: options.volumes ?? false });
    if (this.orphaned.delete(name) || !this.apps.has(name)) {
      // No longer in Git: nothing is left to show.
      await this.store.deleteApp(name);
      this.view.deleted(name);
      return report;
    }
    await this.updateStatus(name, { suspended: true, health: "Missing", healthMessage: `deleted by capstan delete; capstan sync ${name} deploys it again` });
    await this.store.recordEvent(name, { type: "Normal", reason: "Deleted", message: `${report.containers.length} containers and ${report.networks.length} networks removed; auto-sync is suspended` });
    await this.setGitSync(name, "OutOfSync", `deleted; capstan sync ${name} deploys it again (capstan resume ${name} follows the branch)`);
    await this.view.publish(name);
    return report;
  }

  /** Queue a sync step of one application; a manual request outranks an automatic one. */
  enqueue(name: string, initiator: Initiator, revision?: string): void {
    const before = this.pending.get(name);
    if (!before || AUTO_INITIATORS.has(before.initiator)) this.pending.set(name, { initiator, ...(revision ? { revision } : {}) });
    this.queue.add(name);
  }

  /** One level-based step for one application. */
  private async syncStep(name: string): Promise<void> {
    const request = this.pending.get(name) ?? { initiator: "poll" as Initiator };
    this.pending.delete(name);
    const entry = this.apps.get(name);
    const rec = await this.store.getApp(name);
    if (!entry || !rec) return;
    const repo = entry.repo;
    // A declaring repository was fetched by the refresh that queued this step; a chart living elsewhere is fetched here.
    const fetched = repo === entry.declaredIn && !this.repos.find((r) => r.url === repo)?.local;
    let head: ResolvedRevision;
    try {
      head = await this.source.resolve(repo, entry.app.spec.source.targetRevision, { fetch: fetched ? "if-missing" : "always" });
    } catch (err) {
      if (!(err instanceof CapstanError)) throw err;
      await this.sourceFailed(name, `${entry.app.spec.source.targetRevision} of ${repo}: ${err.message}`);
      return;
    }
    if (this.sourceErrors.delete(name)) this.statusSoon(name);
    const revisions = await this.store.listRevisions(name);
    const current = rec.status.currentRevision === null ? undefined : revisions.find((r) => r.id === rec.status.currentRevision);

    if (request.initiator === "rollback") {
      await this.rollbackTo(name, entry, rec, request.revision);
      return;
    }
    const automatic = AUTO_INITIATORS.has(request.initiator);
    if (automatic && !entry.app.spec.syncPolicy.automated) {
      // Manual sync policy: nothing is deployed, not even the first time, until someone asks.
      if (current) await this.compareOnly(name, head);
      else await this.setGitSync(name, "OutOfSync", `not deployed: automated sync is off (capstan sync ${name}, or the dashboard's Sync button)`);
      return;
    }
    // Flux's dependsOn: an application waits until each one it depends on is Healthy at its current revision.
    const waitingFor = this.waitingFor(entry.app);
    if (waitingFor) {
      await this.setGitSync(name, "OutOfSync", `Waiting for ${waitingFor}`);
      this.waiting.set(name, request);
      return;
    }
    const decision = autoSyncDecision(rec.status, head.sha, rec.status.syncedCommit ?? current?.commit ?? null);
    // A manual sync goes ahead while auto-sync is suspended (as in Argo CD); a pin holds both.
    if (!decision.sync && (automatic || decision.reason === "Pinned")) {
      if (decision.reason === "Pinned") await this.setGitSync(name, "OutOfSync", decision.message);
      else if (decision.reason === "FailedCommit") await this.setGitSync(name, "OutOfSync", decision.message);
      else if (decision.reason !== "AlreadyApplied") await this.setGitSync(name, head.sha === (rec.status.syncedCommit ?? current?.commit) ? "Synced" : "OutOfSync", decision.message);
      return;
    }
    await this.applyCommit(name, head, request.initiator);
  }

  /** The first application `app` depends on that is not Healthy at its current revision yet, else undefined. */
  private waitingFor(app: Application): string | undefined {
    for (const dep of app.spec.dependsOn) {
      const health = this.healthOf.get(dep);
      if (!this.apps.has(dep) || this.inflight.has(dep) || health !== "Healthy") return dep;
    }
    return undefined;
  }

  /** An application became Healthy: those waiting for it take their turn. */
  private dependencyReady(name: string): void {
    for (const [waiter, request] of this.waiting) {
      const entry = this.apps.get(waiter);
      if (!entry?.app.spec.dependsOn.includes(name)) continue;
      this.waiting.delete(waiter);
      this.enqueue(waiter, request.initiator, request.revision);
    }
  }

  /** The application does not sync automatically: its sync status says whether the head renders what runs. */
  private async compareOnly(name: string, head: ResolvedRevision): Promise<void> {
    const entry = this.apps.get(name);
    const running = this.applied.get(name);
    if (!entry || !running) return;
    try {
      const tree = await this.source.checkout(entry.repo, head.sha);
      const app = await this.applicationAt(entry, tree, name);
      const rendered = await this.renderer.renderApplication(tree, app);
      const digest = manifestsDigest(secretFreeManifests(name, revisionManifests(rendered.objects, { redactionKey: this.redactionKey }), this.redactionKey));
      if (digest === running.digest && specDigest(app) === running.spec) {
        await this.updateStatus(name, { syncedCommit: head.sha });
        await this.setGitSync(name, "Synced", "");
      } else {
        await this.setGitSync(name, "OutOfSync", `${head.sha.slice(0, 7)} changes what the application renders; automated sync is off (capstan sync ${name})`);
      }
    } catch (err) {
      if (!(err instanceof CapstanError)) throw err;
      await this.setGitSync(name, "OutOfSync", `${head.sha.slice(0, 7)} does not render: ${err.message}`);
    }
  }

  /** The repository or ref of the application cannot be read: its sync status is Unknown, saying why. */
  private async sourceFailed(name: string, message: string): Promise<void> {
    const before = this.sourceErrors.get(name);
    this.sourceErrors.set(name, message);
    this.log({ level: "warning", app: name, msg: "the source cannot be read", error: message });
    if (before !== message && (await this.store.getApp(name))) await this.store.recordEvent(name, { type: "Warning", reason: "ComparisonError", message });
    await this.refreshStatus(name);
  }

  private async setGitSync(name: string, sync: SyncStatus, message: string): Promise<void> {
    this.gitSync.set(name, { sync, message });
    await this.refreshStatus(name);
  }

  /** Recompute the application's status soon (changes of many pods at once make one write). */
  statusSoon(name: string): void {
    if (this.stopping || this.statusTimers.has(name) || (!this.apps.has(name) && !this.orphaned.has(name))) return;
    this.statusTimers.set(
      name,
      this.clock.setTimeout(() => {
        this.statusTimers.delete(name);
        this.refreshStatus(name).catch((err: unknown) => this.log({ level: "warning", app: name, msg: "status update failed", error: (err as Error).message }));
      }, 100),
    );
  }

  /** Drift of what runs from what the application's pods are declared as (pods and stray containers). */
  drift(name: string): DriftView[] {
    const pods = this.pods.list({ app: name }).flatMap((p) => (p.drift ?? []).map((d) => ({ ...d, namespace: p.namespace })));
    const strays = (this.pods.strays?.(name) ?? []).map((d) => ({ namespace: "", ...d }));
    return [...pods, ...strays];
  }

  /**
   * The application's status from what runs now: health is its workloads' live health, worst
   * wins; sync is Git's comparison, made OutOfSync by drift (named field by field) and by objects
   * Git dropped that pruning-off kept; Unknown while its repository or ref cannot be read.
   */
  async refreshStatus(name: string): Promise<void> {
    if (this.stopping) return;
    const rec = await this.store.getApp(name);
    const entry = this.apps.get(name);
    if (!rec) return;
    const next: Partial<AppRecord["status"]> = {};
    const sourceError = this.sourceErrors.get(name);
    const base = this.gitSync.get(name) ?? { sync: rec.status.sync, message: rec.status.syncMessage };
    let sync = base.sync;
    let syncMessage = base.message;
    if (sourceError) {
      sync = "Unknown";
      syncMessage = sourceError;
    } else if (sync === "Synced") {
      const drift = this.drift(name);
      const kept = this.applier.kept(name);
      const selfHeal = entry?.app.spec.syncPolicy.automated?.selfHeal ?? false;
      if (drift.length > 0) {
        sync = "OutOfSync";
        syncMessage = `${selfHeal ? "correcting drift" : "drift (selfHeal is off)"}: ${drift.map(driftText).join("; ")}`;
      } else if (kept.length > 0) {
        sync = "OutOfSync";
        syncMessage = kept.map((k) => `${k.kind}/${k.name}: not in Git (prune off)`).join("; ");
      }
    }
    if (sync !== rec.status.sync) next.sync = sync;
    if (syncMessage !== rec.status.syncMessage) next.syncMessage = syncMessage;
    if (this.applier.desired(name)) {
      const live = this.applier.health(name);
      const message = live.status === "Healthy" ? "" : (live.message ?? "");
      if (live.status !== rec.status.health) next.health = live.status;
      if (message !== rec.status.healthMessage) next.healthMessage = message;
    }
    const health = next.health ?? rec.status.health;
    const was = this.healthOf.get(name);
    this.healthOf.set(name, this.inflight.has(name) ? "Progressing" : health);
    if (was !== "Healthy" && this.healthOf.get(name) === "Healthy") this.dependencyReady(name);
    if (Object.keys(next).length === 0) return;
    if (next.health && next.health !== rec.status.health) {
      await this.store.recordEvent(name, {
        type: next.health === "Degraded" || next.health === "Unknown" ? "Warning" : "Normal",
        reason: `Health${next.health}`,
        message: `health ${rec.status.health} → ${next.health}${next.healthMessage ? `: ${next.healthMessage}` : ""}`,
      });
    }
    if (next.sync && next.sync !== rec.status.sync) {
      await this.store.recordEvent(name, { type: next.sync === "Synced" ? "Normal" : "Warning", reason: next.sync, message: `sync ${rec.status.sync} → ${next.sync}${syncMessage ? `: ${syncMessage}` : ""}` });
    }
    if (await this.updateStatus(name, next)) await this.view.publish(name);
  }

  /** Pod events the application's users need: corrections of drift and containers that were not Capstan's to keep. */
  private async podEvent(e: PodEvent): Promise<void> {
    if (!DRIFT_EVENTS.has(e.reason)) return;
    const app = this.pods.get(e.namespace, e.pod)?.app ?? [...(this.namespaces.get(e.namespace)?.apps ?? [])][0];
    if (!app || !(await this.store.getApp(app))) return;
    await this.store.recordEvent(app, { type: e.type, reason: e.reason, message: e.message, object: `Pod/${e.pod}` });
    await this.view.publish(app);
  }

  /**
   * Render the commit and compare it with what runs. A rendering and Application spec equal to the
   * applied revision's add no history row: the commit becomes the synced one. Otherwise apply it
   * as a new revision (superseding one still rolling out), and record how it ends in the background.
   */
  async applyCommit(name: string, commit: ResolvedRevision, initiator: Initiator, options: { pin?: boolean } = {}): Promise<void> {
    const entry = this.apps.get(name);
    if (!entry) throw new CapstanError("APPLICATION_NOT_FOUND", `application ${name} is not declared in ${this.repos.map((r) => r.url).join(", ")}`);
    const started = this.clock.now();
    const tree = await this.source.checkout(entry.repo, commit.sha);
    const app = await this.applicationAt(entry, tree, name);
    let rendered;
    try {
      rendered = await this.renderer.renderApplication(tree, app);
    } catch (err) {
      // Only the chart is blamed on the commit; a render worker that did not start, or a pool
      // closing for shutdown, is retried with back-off like any other failed step.
      if (!(err instanceof CapstanError)) throw err;
      await this.failWithoutApplying(name, commit, initiator, "RenderFailed", [err.message, ...err.problems.map(formatProblem)].join("; "));
      return;
    }
    const manifests = revisionManifests(rendered.objects, { redactionKey: this.redactionKey });
    const digest = manifestsDigest(secretFreeManifests(name, manifests, this.redactionKey));
    const spec = specDigest(app);
    const inflight = this.inflight.get(name);
    const running = inflight ?? this.applied.get(name);
    const rec = await this.store.getApp(name);
    const pinnedElsewhere = !options.pin && rec?.status.pinned;
    if (running && running.digest === digest && running.spec === spec && !options.pin && !pinnedElsewhere) {
      // Nothing this application renders changed: no new revision, unless a manual sync finds something to apply.
      const objects = rendered.objects.map((o) => o.object as unknown as ManifestObject);
      const changes =
        initiator === "cli" && !inflight
          ? planHasChanges(await this.applier.plan({ app: name, namespace: app.spec.destination.namespace, commit: commit.sha, objects, prune: app.spec.syncPolicy.automated?.prune ?? false }).catch(() => []))
          : false;
      if (!changes) {
        await this.updateStatus(name, { syncedCommit: commit.sha });
        await this.setGitSync(name, inflight ? "OutOfSync" : "Synced", inflight ? `rolling out ${inflight.commit.slice(0, 7)}` : "");
        return;
      }
    }
    const denied = this.deniedByProject(name, entry, app, rendered.objects);
    if (denied) {
      await this.failWithoutApplying(name, commit, initiator, denied.reason, denied.detail);
      return;
    }
    const rev = await this.store.beginRevision(name, {
      commit: commit.sha,
      message: commit.message.split("\n")[0] ?? "",
      author: commit.author,
      commitTime: commit.time,
      manifests,
      initiator,
      phase: "Running",
    });
    if (inflight) {
      await this.store.recordEvent(name, { type: "Normal", reason: "Superseding", message: `revision ${rev.id} (${commit.sha.slice(0, 7)}) replaces revision ${inflight.revision} (${inflight.commit.slice(0, 7)}), still rolling out` });
    }
    this.inflight.set(name, { revision: rev.id, commit: commit.sha, digest, spec });
    this.metrics.rolloutStarted(name);
    await this.store.recordEvent(name, { type: "Normal", reason: "SyncStarted", message: `revision ${rev.id}: syncing ${commit.sha.slice(0, 7)} "${rev.message}" (${initiator})` });
    await this.updateStatus(name, { syncedCommit: commit.sha });
    this.gitSync.set(name, { sync: "OutOfSync", message: `rolling out ${commit.sha.slice(0, 7)}` });
    await this.view.publish(name);

    const objects = rendered.objects.map((o) => o.object as unknown as ManifestObject);
    const services = objects.filter((o): o is Service => o.kind === "Service");
    for (const p of await this.services.setServices(name, services)) {
      await this.store.recordEvent(name, { type: "Warning", reason: p.severity === "warning" ? "ServicePortNotTranslated" : "ServiceInvalid", message: p.message, object: "Service" });
    }
    const selfHeal = app.spec.syncPolicy.automated?.selfHeal ?? false;
    this.pods.setSelfHeal?.(name, selfHeal);
    try {
      await this.applier.sync({
        app: name,
        namespace: app.spec.destination.namespace,
        commit: commit.sha,
        objects,
        prune: app.spec.syncPolicy.automated?.prune ?? false,
        selfHeal,
        autoRollback: app.spec.syncPolicy.autoRollback,
        podSecurity: this.projectFor(app).podSecurity,
      });
    } catch (err) {
      const outcome = { status: "Failed" as const, commit: commit.sha, reason: (err as CapstanError).code ?? "SyncFailed", message: (err as Error).message };
      await this.record(name, rev.id, commit.sha, rendered.objects.map((o) => o.object), started, options.pin ?? false, outcome);
      return;
    }
    // A Service Git dropped while pruning is off keeps serving, as the object it is kept as.
    const keptServices = this.applier.kept(name).flatMap((k) => (k.kind === "Service" && k.object ? [k.object as Service] : []));
    if (keptServices.length > 0) await this.services.setServices(name, [...services, ...keptServices]);
    await this.refreshStatus(name);
    this.settle(name, rev.id, commit.sha, rendered.objects.map((o) => o.object), started, options.pin ?? false);
  }

  /** Waits in the background for the revision's rollout to settle, then records it (the queue goes on meanwhile). */
  private settle(name: string, revision: number, sha: string, objects: unknown[], started: number, pin: boolean): void {
    const waiting = Promise.race([this.applier.waitForRun(name, this.options.syncTimeoutMs ?? 10 * 60_000), this.halted])
      .then(async (outcome) => {
        // Stopping: the revision stays Running, and the next start resumes it.
        if (outcome === null) return;
        await this.record(name, revision, sha, objects, started, pin, outcome);
      })
      .catch((err: unknown) => this.log({ level: "error", app: name, msg: "recording the sync failed", revision, error: (err as Error).message }))
      .finally(() => this.settling.delete(waiting));
    this.settling.add(waiting);
  }

  /** Records how a revision's rollout ended. */
  private async record(name: string, revision: number, sha: string, objects: unknown[], started: number, pin: boolean, outcome: RunOutcome): Promise<void> {
    const flight = this.inflight.get(name);
    const mine = flight?.revision === revision;
    if (mine) this.inflight.delete(name);
    const durationMs = this.clock.now() - started;
    if (outcome.status === "Superseded") {
      await this.store.finishRevision(name, revision, {
        phase: "Superseded",
        reason: `superseded by ${outcome.by.slice(0, 7)} before it was healthy`,
        event: { type: "Normal", reason: "Superseded", message: `revision ${revision} (${sha.slice(0, 7)}) was replaced by ${outcome.by.slice(0, 7)} while rolling out` },
      });
      await this.view.publish(name);
      return;
    }
    const pinned = pin ? { id: revision, sha } : undefined;
    if (outcome.status === "Healthy") {
      const row = (await this.store.listRevisions(name)).find((r) => r.id === revision);
      const entry = this.apps.get(name);
      if (row) this.applied.set(name, { digest: row.manifestsDigest, spec: flight && mine ? flight.spec : entry ? specDigest(entry.app) : "" });
      const rec = await this.store.getApp(name);
      await this.store.finishRevision(name, revision, {
        phase: "Succeeded",
        ...(rec
          ? {
              status: {
                expectedVersion: rec.version,
                next: {
                  sync: pinned || rec.status.pinned ? "OutOfSync" : "Synced",
                  syncMessage: "",
                  currentRevision: revision,
                  lastFailedCommit: null,
                  ...(pinned ? { pinned } : {}),
                },
              },
            }
          : {}),
        healthyObjects: objects,
        event: { type: "Normal", reason: "SyncSucceeded", message: `revision ${revision} (${sha.slice(0, 7)}) is healthy after ${Math.round(durationMs / 100) / 10}s` },
      });
      this.gitSync.set(name, pinned || rec?.status.pinned ? { sync: "OutOfSync", message: `pinned at ${(pinned ?? rec?.status.pinned)?.sha.slice(0, 7)}; capstan unpin ${name} to follow the branch` } : { sync: "Synced", message: "" });
      this.metrics.rolloutSucceeded(name);
    } else {
      const reason = `${outcome.reason}: ${outcome.message}`;
      await this.store.finishRevision(name, revision, {
        phase: "Failed",
        reason,
        event: { type: "Warning", reason: "SyncFailed", message: `revision ${revision} (${sha.slice(0, 7)}) failed: ${reason}` },
      });
      this.metrics.rolloutFailed(name);
      this.gitSync.set(name, { sync: "OutOfSync", message: `${sha.slice(0, 7)} failed: ${reason}` });
      if (outcome.rolledBackTo) {
        // Remembered before the rollback is recorded, so a restart in between does not retry the commit.
        await this.updateStatus(name, { lastFailedCommit: sha });
        await this.recordRollback(name, revision, outcome.rolledBackTo, sha);
      } else {
        await this.updateStatus(name, { lastFailedCommit: sha });
      }
    }
    await this.refreshStatus(name);
    await this.view.publish(name);
  }

  /** The applier re-applied the last healthy sync: record it as its own revision and remember the failed commit. */
  private async recordRollback(name: string, failedId: number, healthyCommit: string, failedCommit: string): Promise<void> {
    const revisions = await this.store.listRevisions(name);
    const healthy = [...revisions].reverse().find((r) => r.commit === healthyCommit && r.phase !== "Failed");
    const full = healthy ? await this.store.getRevision(name, healthy.id) : null;
    const rev = await this.store.beginRevision(name, {
      commit: healthyCommit,
      message: full?.message ?? "",
      author: full?.author ?? "",
      commitTime: full?.commitTime ?? new Date(this.clock.now()).toISOString(),
      manifests: full?.manifests ?? "",
      initiator: "auto-rollback",
      phase: "Running",
    });
    const outcome = await Promise.race([this.applier.waitForRun(name, this.options.syncTimeoutMs ?? 10 * 60_000).catch(() => undefined), this.halted]);
    if (outcome === null) return;
    if (outcome?.status === "Superseded") {
      await this.record(name, rev.id, healthyCommit, [], this.clock.now(), false, outcome);
      return;
    }
    const entry = this.apps.get(name);
    if (outcome?.status === "Healthy" && full) this.applied.set(name, { digest: full.manifestsDigest, spec: this.applied.get(name)?.spec ?? (entry ? specDigest(entry.app) : "") });
    const rec = await this.store.getApp(name);
    await this.store.finishRevision(name, rev.id, {
      phase: "RolledBack",
      reason: `revision ${failedId} (${failedCommit.slice(0, 7)}) failed; restored ${healthyCommit.slice(0, 7)}${healthy ? ` from revision ${healthy.id}` : ""}`,
      ...(rec
        ? {
            status: {
              expectedVersion: rec.version,
              next: {
                sync: "OutOfSync",
                currentRevision: rev.id,
                lastFailedCommit: failedCommit,
              },
            },
          }
        : {}),
      event: { type: "Warning", reason: "RolledBack", message: `rolled back to ${healthyCommit.slice(0, 7)}; ${failedCommit.slice(0, 7)} will not be retried until a newer commit arrives` },
    });
    this.gitSync.set(name, { sync: "OutOfSync", message: `${failedCommit.slice(0, 7)} failed and was rolled back to ${healthyCommit.slice(0, 7)}; waiting for a newer commit` });
    this.metrics.rolloutRolledBack(name);
  }

  /** The Application's project from the config file (the default project when it names none). */
  private projectFor(app: Application): ProjectConfig {
    const found = projectOf(app, this.options.config);
    return found.ok ? found.value : DEFAULT_PROJECT;
  }

  /**
   * Why a rendered commit may not be applied at all: its project's bounds (repositories,
   * namespaces, pod security), a namespace another application or project holds, or objects
   * another application declares. When nothing stands in the way, its objects and namespaces are
   * claimed at once, before any await, so two applications syncing together cannot both pass.
   */
  private deniedByProject(name: string, entry: AppEntry, app: Application, objects: readonly RenderedObject[]): { reason: string; detail: string } | undefined {
    const subjects = objects.map((o) => ({ object: o.object as unknown as ManifestObject, ...(o.file ? { file: o.file } : {}) }));
    const found = projectOf(app, this.options.config);
    const project = found.ok ? found.value : DEFAULT_PROJECT;
    const namespaces = [app.spec.destination.namespace, ...objects.map((o) => o.namespace)];
    const denied = [
      ...projectProblems(app, entry.declaredIn, this.options.config, subjects),
      ...namespaceProblems(app, project, this.options.config, namespaces, (ns) => this.namespaces.get(ns)?.claimant),
    ];
    if (denied.length > 0) return { reason: "ProjectDenied", detail: denied.map(formatProblem).join("; ") };
    const owner = (key: string) => [...this.declared].find(([other, keys]) => other !== name && keys.has(key))?.[0];
    const shared = sharedObjectProblems(name, objects.map((o) => ({ key: o.key, ...(o.file ? { file: o.file } : {}) })), owner);
    if (shared.length > 0) return { reason: "SharedResource", detail: shared.map(formatProblem).join("; ") };
    this.declared.set(name, new Set(objects.map((o) => o.key)));
    const claimant = namespaceClaimant(project);
    for (const ns of namespaces) {
      // A project taking a namespace its destinations name takes it over from whoever held it.
      const held = this.namespaces.get(ns);
      if (held?.claimant === claimant) held.apps.add(name);
      else this.namespaces.set(ns, { claimant, apps: new Set([name]) });
    }
    return undefined;
  }

  /** An application no longer declared lets go of its objects and namespaces. */
  private release(name: string): void {
    this.declared.delete(name);
    for (const [ns, held] of this.namespaces) {
      held.apps.delete(name);
      if (held.apps.size === 0) this.namespaces.delete(ns);
    }
  }

  private async failWithoutApplying(name: string, commit: ResolvedRevision, initiator: Initiator, reason: string, message: string): Promise<void> {
    const rev = await this.store.beginRevision(name, {
      commit: commit.sha,
      message: commit.message.split("\n")[0] ?? "",
      author: commit.author,
      commitTime: commit.time,
      manifests: "",
      initiator,
      phase: "Running",
    });
    await this.store.finishRevision(name, rev.id, {
      phase: "Failed",
      reason: `${reason}: ${message}`,
      event: { type: "Warning", reason, message: `revision ${rev.id} (${commit.sha.slice(0, 7)}) was not applied; the last good revision keeps running: ${message}` },
    });
    await this.updateStatus(name, { lastFailedCommit: commit.sha });
    this.metrics.rolloutFailed(name);
    await this.setGitSync(name, "OutOfSync", `${commit.sha.slice(0, 7)} was not applied: ${reason}`);
    await this.view.publish(name);
  }

  /** `capstan rollback`: re-apply a stored revision's commit and pin the application there. */
  private async rollbackTo(name: string, entry: AppEntry, rec: AppRecord, which: string | undefined): Promise<void> {
    const revisions = await this.store.listRevisions(name);
    let target;
    if (which === undefined) {
      target = previousHealthy(revisions, rec.status.currentRevision);
    } else if (/^\d+$/.test(which)) {
      target = revisions.find((r) => r.id === Number(which));
    } else {
      target = [...revisions].reverse().find((r) => r.commit.startsWith(which.toLowerCase()));
    }
    if (!target) {
      await this.store.recordEvent(name, { type: "Warning", reason: "RollbackFailed", message: `no stored revision ${which ?? "before the current one"} to roll back to` });
      await this.view.publish(name);
      return;
    }
    const commit = await this.source.resolve(entry.repo, target.commit, { fetch: "if-missing" });
    await this.applyCommit(name, commit, "rollback", { pin: true });
  }

  /** Nodes DaemonSets run on: every configured node with its labels, taints, cordon and readiness. */
  private daemonNodes(): DaemonNode[] {
    const registry = this.registry;
    if (!registry) return [...this.runtimes.keys()].map((name) => ({ name }));
    return registry.names().map((name) => {
      const c = registry.config(name);
      return { name, labels: c.labels, taints: c.taints, unschedulable: registry.isCordoned(name), ready: this.nodeHealth.isReady(name) };
    });
  }

  /** Writes `next` over the application's status, re-reading after a version conflict; false when it is gone or kept changing. */
  async updateStatus(name: string, next: Partial<AppRecord["status"]>): Promise<boolean> {
    for (let i = 0; i < 5; i++) {
      const rec = await this.store.getApp(name);
      if (!rec) return false;
      if ((await this.store.casAppStatus(name, rec.version, next)).ok) return true;
    }
    return false;
  }

  /** Records an event on every application (of one repository, when named). */
  private async recordForAll(type: "Normal" | "Warning", reason: string, message: string, declaredIn?: string): Promise<void> {
    for (const rec of await this.store.listApps()) {
      if (declaredIn && this.apps.get(rec.name)?.declaredIn !== declaredIn) continue;
      await this.store.recordEvent(rec.name, { type, reason, message });
      await this.view.publish(rec.name);
    }
  }

  /** Webhook: verify, then refresh when a configured repository was pushed. */
  async webhook(headers: Record<string, string | string[] | undefined>, body: Buffer): Promise<{ status: number; body: unknown }> {
    let answer: { status: number; body: unknown };
    try {
      answer = this.judgeWebhook(headers, body);
    } catch (err) {
      this.metrics.webhookRequest("error");
      throw err;
    }
    this.metrics.webhookAnswered(answer.status, answer.body);
    return answer;
  }

  private judgeWebhook(headers: Record<string, string | string[] | undefined>, body: Buffer): { status: number; body: unknown } {
    const secret = this.options.webhookSecret;
    const result = handleWebhook({ headers, body }, { secrets: secret ? { github: secret, gitlab: secret, gitea: secret, generic: secret } : {} });
    if (result.status === 202) {
      const configured = [...new Set([...this.repos.map((r) => r.url), ...[...this.apps.values()].map((e) => e.repo)])];
      const matched = matchRepos(configured, result.repos);
      // A push names remote URLs; local repositories cannot be matched by URL, so they are refreshed on any push.
      const local = this.repos.filter((r) => r.local).map((r) => r.url);
      if (matched.length > 0 || local.length > 0) {
        void this.refresh("webhook", [...matched, ...local]).catch((err: unknown) => this.log({ level: "warning", msg: "refresh failed", error: (err as Error).message }));
      }
      return { status: 202, body: { accepted: true, repos: matched, ref: result.ref } };
    }
    if (result.status === 204) return { status: 204, body: null };
    return { status: result.status, body: { code: result.code, message: result.message } };
  }
}


/** What of an Application, besides its rendering, makes a new revision when it changes. */
function specDigest(app: Application): string {
  return canonicalJSON(app.spec);
}

/** The controller a workload key of the applier (`app/namespace/Kind/name`) belongs to: `deployment`, `statefulset`… */
function workloadController(key: string): string {
  return key.split("/")[2]?.toLowerCase() ?? "workload";
}

function followedRepositories(options: DaemonOptions): RepoState[] {
  const list: DaemonRepository[] = [...(options.repo ? [{ repo: options.repo, ...(options.appsPath ? { appsPath: options.appsPath } : {}) }] : []), ...(options.repositories ?? [])];
  if (list.length === 0) throw new CapstanError("USAGE", "the daemon needs a repository: --repo URL|PATH, or daemon.repositories in the --config file");
  const seen = new Set<string>();
  return list.flatMap((r) => {
    const local = isLocalPath(r.repo);
    // A user:password in the URL is a credential for that repository alone; it is never stored or shown.
    const url = local ? resolve(r.repo) : splitUserinfo(r.repo).url;
    if (seen.has(url)) return [];
    seen.add(url);
    const poll = r.poll ?? options.poll;
    return [{ url, local, appsPath: r.appsPath ?? options.appsPath ?? "apps", ...(poll ? { poll } : {}), watch: r.watch ?? options.watch ?? true, apps: new Set<string>() }];
  });
}

function isLocalPath(repo: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/]+@[^/]+:/.test(repo)) return false;
  return existsSync(repo) && statSync(repo).isDirectory();
}

/** Starts a daemon: takes the state directory's lock, serves the API and dashboard, begins watching. */
export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  await mkdir(options.stateDir, { recursive: true, mode: 0o700 });
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 7420;
  const lock = acquireDaemonLock(options.stateDir, { apiAddress: `${host}:${port}` });
  let daemon: Daemon | undefined;
  let server: RunningServer | undefined;
  try {
    const token = ensureToken(options.stateDir);
    daemon = new Daemon(options, lock);
    server = await startServer({ view: daemon.view, token, host, port, metrics: daemon.metrics });
    // Written whole then renamed: the CLI never reads half a file.
    const infoFile = join(options.stateDir, "daemon.json");
    await writeFile(`${infoFile}.${process.pid}.tmp`, `${JSON.stringify({ url: server.url, pid: process.pid }, null, 2)}\n`, { mode: 0o600 });
    await rename(`${infoFile}.${process.pid}.tmp`, infoFile);
    await daemon.start();
    const running = daemon;
    const srv = server;
    return {
      url: server.url,
      token,
      daemon,
      stop: async () => {
        await srv.close();
        await running.stop();
        await rm(join(options.stateDir, "daemon.json"), { force: true });
      },
    };
  } catch (err) {
    await server?.close().catch(() => undefined);
    if (daemon) await daemon.stop().catch(() => undefined);
    else lock.release();
    throw err;
  }
}

export { manifestsDigest };
