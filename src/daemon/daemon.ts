import { existsSync, statSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { loadApplicationSet, type Application, type InvalidApplicationFile, type RenderedObject } from "../application/index.js";
import type { CapstanConfig, ProjectConfig } from "../config/index.js";
import { configSchema, configuredNodes } from "../config/index.js";
import { Applier, FileDesiredStore } from "../controllers/apply/index.js";
import type { Clock } from "../controllers/clock.js";
import { systemClock } from "../controllers/clock.js";
import { createPodManager } from "../controllers/pods/index.js";
import type { DaemonNode } from "../controllers/workloads/daemonset-step.js";
import { createPlacer, NodeHealthMonitor, NodeRegistry, type NodePlacer } from "../nodes/index.js";
import type { PodManager } from "../controllers/pods/types.js";
import { WorkQueue } from "../controllers/queue.js";
import { CapstanError, formatProblem } from "../errors.js";
import type { ManifestObject, Service } from "../manifest/index.js";
import { DockerRuntime } from "../runtime/docker.js";
import type { ContainerRuntime } from "../runtime/types.js";
import { DEFAULT_PROJECT, namespaceClaimant, namespaceProblems, projectOf, projectProblems, sharedObjectProblems } from "../security/index.js";
import { createRenderPool, type RenderPool } from "../render/index.js";
import { PrometheusMetrics, startServer, type RunningServer } from "../server/index.js";
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
  type StateStore,
} from "../state/index.js";
import { handleWebhook, matchRepos, schedulePoll, watchRepository, type PollSchedule, type RepoWatch } from "../triggers/index.js";
import type { RedactionKey } from "../diff/index.js";
import { revisionManifests } from "./manifests.js";
import { DaemonViewImpl } from "./view.js";

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
  private readonly registryReady: Promise<NodeRegistry>;
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
    });
    // A node added, uncordoned or Ready again: DaemonSets place their pods on it.
    this.placer.onNodesChanged(() => this.applier.nodesChanged());
    this.nodeHealth.subscribe(() => this.applier.nodesChanged());
    this.queue = new WorkQueue({
      clock: this.clock,
      concurrency: options.concurrency ?? 4,
      reconcile: (name) => this.syncStep(name),
      onError: (name, err) => this.log({ level: "error", app: name, msg: "sync failed", error: (err as Error).message }),
    });
    this.view = new DaemonViewImpl(this);
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
   * history row; a sync that was under way is recorded as interrupted and run again, a rollback
   * as a rollback, and an interrupted auto-rollback is left to the re-declared healthy revision.
   */
  private async resumeApplied(): Promise<void> {
    for (const rec of await this.store.listApps()) {
      const revisions = await this.store.listRevisions(rec.name);
      const unfinished = revisions.filter((r) => r.phase === "Running" || r.phase === "Pending");
      for (const r of unfinished) {
        await this.store.finishRevision(rec.name, r.id, {
          phase: "Failed",
          reason: "Interrupted",
          event: { type: "Warning", reason: "SyncInterrupted", message: `revision ${r.id} (${r.commit.slice(0, 7)}) was interrupted by a daemon restart; ${r.initiator === "auto-rollback" ? "restoring the last healthy revision" : "syncing again"}` },
        });
      }
      const current = rec.status.currentRevision === null ? undefined : revisions.find((r) => r.id === rec.status.currentRevision);
      if (current) {
        await this.redeclare(rec.name, current.commit).catch((err: unknown) =>
          this.log({ level: "warning", app: rec.name, msg: "declaring the current revision again failed", error: (err as Error).message }),
        );
      }
      const last = unfinished.at(-1);
      if (!last) continue;
      if (last.initiator === "rollback") this.enqueue(rec.name, "rollback", last.commit);
      else if (last.initiator !== "auto-rollback" || !current) this.enqueue(rec.name, "cli");
    }
  }

  /**
   * Fetches a repository and reads the Applications of its head; a valid set replaces what the
   * repository declared before. An Application name two repositories declare stays with the one
   * listed first.
   */
  private async loadApps(r: RepoState): Promise<{ head: ResolvedRevision; loaded: Awaited<ReturnType<typeof loadApplicationSet>>; clashes: { name: string; message: string }[]; kept: { name: string; file: InvalidApplicationFile }[] }> {
    await this.source.fetch(r.url);
    const head = await this.source.resolve(r.url, "HEAD", { fetch: "if-missing" });
    const tree = await this.source.checkout(r.url, head.sha);
    const loaded = await this.readApplications(tree, r.appsPath);
    const clashes: { name: string; message: string }[] = [];
    const kept: { name: string; file: InvalidApplicationFile }[] = [];
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
        if (declared.has(gone) || this.apps.get(gone)?.declaredIn !== r.url) continue;
        this.apps.delete(gone);
        this.release(gone);
      }
      r.apps = declared;
    }
    return { head, loaded, clashes, kept };
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
   * Tells the applier and the Service controller again what an applied commit declares (after a
   * restart): renders it, re-declares its objects and Services, and records no revision. Pods that
   * match are adopted, not replaced.
   */
  private async redeclare(name: string, sha: string): Promise<void> {
    const entry = this.apps.get(name);
    if (!entry) return;
    const tree = await this.source.checkout(entry.repo, sha);
    const app = await this.applicationAt(entry, tree, name);
    const rendered = await this.renderer.renderApplication(tree, app);
    // What was applied before a config change or an upgrade is held to the same bounds.
    const denied = this.deniedByProject(name, entry, app, rendered.objects);
    if (denied) {
      this.log({ level: "error", app: name, msg: "the current revision is outside its project; not declared again", reason: denied.reason, detail: denied.detail });
      await this.store.recordEvent(name, { type: "Warning", reason: denied.reason, message: `the current revision ${sha.slice(0, 7)} is not declared again: ${denied.detail}` });
      return;
    }
    const objects = rendered.objects.map((o) => o.object as unknown as ManifestObject);
    await this.services.setServices(name, objects.filter((o): o is Service => o.kind === "Service"));
    await this.applier.sync({
      app: name,
      namespace: app.spec.destination.namespace,
      commit: sha,
      objects,
      prune: false,
      autoRollback: app.spec.syncPolicy.autoRollback,
      podSecurity: this.projectFor(app).podSecurity,
    });
    this.log({ app: name, msg: "resumed", commit: sha });
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
    const { head, loaded, clashes, kept } = await this.loadApps(r);
    for (const { name, file } of kept) {
      const message = `${file.file} at commit ${head.sha.slice(0, 7)} is invalid; application ${name} keeps its last good definition: ${file.problems.map(formatProblem).join("; ")}`;
      this.log({ level: "error", app: name, msg: "application file is invalid; keeping its last good definition", problems: message });
      if (await this.store.getApp(name)) {
        await this.store.recordEvent(name, { type: "Warning", reason: "ApplicationInvalid", message });
        await this.view.publish(name);
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
    const head = await this.source.resolve(repo, entry.app.spec.source.targetRevision, { fetch: fetched ? "if-missing" : "always" });
    const revisions = await this.store.listRevisions(name);
    const current = rec.status.currentRevision === null ? undefined : revisions.find((r) => r.id === rec.status.currentRevision);

    if (request.initiator === "rollback") {
      await this.rollbackTo(name, entry, rec, request.revision);
      return;
    }
    const automatic = AUTO_INITIATORS.has(request.initiator);
    if (automatic && !entry.app.spec.syncPolicy.automated && current) {
      await this.setSyncStatus(name, head.sha === current.commit ? "Synced" : "OutOfSync");
      return;
    }
    const decision = autoSyncDecision(rec.status, head.sha, current?.commit ?? null);
    if (!decision.sync && (automatic || decision.reason === "Pinned" || decision.reason === "Suspended")) {
      if (decision.reason !== "AlreadyApplied") await this.setSyncStatus(name, head.sha === current?.commit ? "Synced" : "OutOfSync");
      return;
    }
    await this.applyCommit(name, head, request.initiator);
  }

  private async setSyncStatus(name: string, sync: "Synced" | "OutOfSync"): Promise<void> {
    const rec = await this.store.getApp(name);
    if (!rec || rec.status.sync === sync) return;
    if (await this.updateStatus(name, { sync })) await this.view.publish(name);
  }

  /** Render the commit, apply it, wait until healthy or failed, and record the revision. */
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
    const denied = this.deniedByProject(name, entry, app, rendered.objects);
    if (denied) {
      await this.failWithoutApplying(name, commit, initiator, denied.reason, denied.detail);
      return;
    }
    const manifests = revisionManifests(rendered.objects, { redactionKey: this.redactionKey });
    const rev = await this.store.beginRevision(name, {
      commit: commit.sha,
      message: commit.message.split("\n")[0] ?? "",
      author: commit.author,
      commitTime: commit.time,
      manifests,
      initiator,
      phase: "Running",
    });
    this.metrics.rolloutStarted(name);
    await this.store.recordEvent(name, { type: "Normal", reason: "SyncStarted", message: `revision ${rev.id}: syncing ${commit.sha.slice(0, 7)} "${rev.message}" (${initiator})` });
    await this.updateStatus(name, { health: "Progressing", healthMessage: `rolling out ${commit.sha.slice(0, 7)}` });
    await this.view.publish(name);

    const objects = rendered.objects.map((o) => o.object as unknown as ManifestObject);
    const services = objects.filter((o): o is Service => o.kind === "Service");
    for (const p of await this.services.setServices(name, services)) {
      await this.store.recordEvent(name, { type: "Warning", reason: p.severity === "warning" ? "ServicePortNotTranslated" : "ServiceInvalid", message: p.message, object: "Service" });
    }
    let outcome;
    try {
      await this.applier.sync({
        app: name,
        namespace: app.spec.destination.namespace,
        commit: commit.sha,
        objects,
        prune: app.spec.syncPolicy.automated?.prune ?? false,
        autoRollback: app.spec.syncPolicy.autoRollback,
        podSecurity: this.projectFor(app).podSecurity,
      });
      outcome = await Promise.race([this.applier.waitForHealthy(name, this.options.syncTimeoutMs ?? 10 * 60_000), this.halted]);
    } catch (err) {
      outcome = { status: "Failed" as const, commit: commit.sha, reason: (err as CapstanError).code ?? "SyncFailed", message: (err as Error).message };
    }
    // Stopping: the revision stays Running, and the next start records it as interrupted and syncs again.
    if (outcome === null) return;
    const durationMs = this.clock.now() - started;
    const pinned = options.pin ? { id: rev.id, sha: commit.sha } : undefined;
    if (outcome.status === "Healthy") {
      const rec = await this.store.getApp(name);
      await this.store.finishRevision(name, rev.id, {
        phase: "Succeeded",
        ...(rec
          ? {
              status: {
                expectedVersion: rec.version,
                next: {
                  sync: pinned || rec.status.pinned ? "OutOfSync" : "Synced",
                  health: "Healthy",
                  healthMessage: "",
                  currentRevision: rev.id,
                  lastFailedCommit: null,
                  ...(pinned ? { pinned } : {}),
                },
              },
            }
          : {}),
        healthyObjects: rendered.objects.map((o) => o.object),
        event: { type: "Normal", reason: "SyncSucceeded", message: `revision ${rev.id} (${commit.sha.slice(0, 7)}) is healthy after ${Math.round(durationMs / 100) / 10}s` },
      });
      this.metrics.rolloutSucceeded(name);
    } else {
      const reason = `${outcome.reason}: ${outcome.message}`;
      await this.store.finishRevision(name, rev.id, {
        phase: "Failed",
        reason,
        event: { type: "Warning", reason: "SyncFailed", message: `revision ${rev.id} (${commit.sha.slice(0, 7)}) failed: ${reason}` },
      });
      this.metrics.rolloutFailed(name);
      if (outcome.rolledBackTo) {
        // Remembered before the rollback is recorded, so a restart in between does not retry the commit.
        await this.updateStatus(name, { lastFailedCommit: commit.sha });
        await this.recordRollback(name, rev.id, outcome.rolledBackTo, commit.sha);
      } else {
        await this.updateStatus(name, { health: "Degraded", healthMessage: reason, lastFailedCommit: commit.sha, sync: "OutOfSync" });
      }
    }
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
    const outcome = await Promise.race([this.applier.waitForHealthy(name, this.options.syncTimeoutMs ?? 10 * 60_000).catch(() => undefined), this.halted]);
    if (outcome === null) return;
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
                health: outcome?.status === "Healthy" ? "Healthy" : "Degraded",
                healthMessage: outcome?.status === "Healthy" ? "" : "rollback did not become healthy",
                currentRevision: rev.id,
                lastFailedCommit: failedCommit,
              },
            },
          }
        : {}),
      event: { type: "Warning", reason: "RolledBack", message: `rolled back to ${healthyCommit.slice(0, 7)}; ${failedCommit.slice(0, 7)} will not be retried until a newer commit arrives` },
    });
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
    await this.updateStatus(name, { sync: "OutOfSync", lastFailedCommit: commit.sha });
    this.metrics.rolloutFailed(name);
    await this.view.publish(name);
  }

  /** `capstan rollback`: re-apply a stored revision's commit and pin the application there. */
  private async rollbackTo(name: string, entry: AppEntry, rec: AppRecord, which: string | undefined): Promise<void> {
    const revisions = await this.store.listRevisions(name);
    let target;
    if (which === undefined) {
      const currentSha = revisions.find((r) => r.id === rec.status.currentRevision)?.commit;
      target = [...revisions].reverse().find((r) => r.phase === "Succeeded" && r.id !== rec.status.currentRevision && r.commit !== currentSha);
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
      this.metrics.webhookRequest?.("accepted");
      return { status: 202, body: { accepted: true, repos: matched, ref: result.ref } };
    }
    if (result.status === 204) return { status: 204, body: null };
    return { status: result.status, body: { code: result.code, message: result.message } };
  }
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
