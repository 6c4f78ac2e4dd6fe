import { join } from "node:path";
import { CapstanError } from "../../errors.js";
import type { PodTemplate, Probe } from "../../manifest/index.js";
import { LABEL, MANAGED_BY_VALUE } from "../../runtime/labels.js";
import type { ContainerDetails, ContainerRuntime, ContainerSummary, EventSubscription } from "../../runtime/types.js";
import { type Clock, type Timer, systemClock } from "../clock.js";
import { WorkQueue } from "../queue.js";
import { type BackoffPolicy, type BackoffState, DEFAULT_RESTART_BACKOFF, NO_BACKOFF, backoffDelay, recordFailure, waitLeft } from "./backoff.js";
import { removePodFiles, writePodFiles } from "./config-files.js";
import { containerDrift, describeDrift, sameDrift } from "./drift.js";
import { livePodFromContainer } from "./live.js";
import { type MaterializedPod, POD_LABEL, PodConfigError, containerName, materializePod, runsSpec } from "./materialize.js";
import { type ProbeExecutor, type ProbeKind, type ProbeState, ProbeWorker, runProbe } from "./probes.js";
import { StrayWatch } from "./stray-watch.js";
import type { DriftItem, PlacementPod, PlacementResult, PodEvent, PodIntent, PodManager, PodPlacer, PodReason, PodSelector, PodStatus } from "./types.js";

/**
 * Runs pods on Docker engines and keeps them as declared. Level-based: every engine event,
 * probe result, timer and periodic resync only enqueues the pod's key; `step` looks at the
 * container and makes one move (create, start, restart after back-off, replace, remove).
 */

export interface PodManagerOptions {
  /** Node name → engine. Without a placer, the first node is where pods go when the intent names none. */
  runtimes: Map<string, ContainerRuntime>;
  /**
   * Chooses the node of a new pod whose intent names none (the scheduler; see `createPlacer` in
   * src/nodes). A pod it cannot place stays Pending (reason Unschedulable) and is tried again
   * when a pod goes, when nodes change and on every resync.
   */
  placer?: PodPlacer;
  /** Root of Capstan's state; ConfigMap/Secret files are written under `<stateDir>/files/`. */
  stateDir: string;
  clock?: Clock;
  /** Full relist of every engine; events cover the time between. Default 30 s. */
  resyncPeriodMs?: number;
  /** Restart back-off; default 10 s doubling to 5 min, reset after 10 min running. */
  restartBackoff?: Partial<BackoffPolicy>;
  /** Runs one probe; default HTTP/TCP through 127.0.0.1 and exec through the engine. */
  probeExecutor?: ProbeExecutor;
  /** Labels put on everything the manager makes, and required on what it adopts (tests mark their run). */
  labels?: Record<string, string>;
  /** Pods worked on at once. Default 16 (a stop can take a pod's whole grace period). */
  concurrency?: number;
  /** Events kept per pod. Default 20. */
  eventsPerPod?: number;
  /** Structured log lines; never carries Secret values. */
  log?: (entry: Record<string, unknown>) => void;
}

interface ProbeRun {
  containerId: string;
  startedAt: string;
  startup?: ProbeWorker;
  readiness?: ProbeWorker;
  liveness?: ProbeWorker;
  startupDone: boolean;
  /** Probe periods count from the pod's creation, as the kubelet's prober ticks from pod admission. */
  tickerFrom: number;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

interface PodRecord {
  key: string;
  namespace: string;
  name: string;
  node: string;
  intent?: PodIntent;
  mat?: MaterializedPod;
  configError?: PodConfigError;
  /** From the container's label when adopted without an intent. */
  template?: PodTemplate;
  status: PodStatus;
  containerId?: string;
  run?: ProbeRun;
  /** Restarts after exits (CrashLoopBackOff). */
  backoff: BackoffState;
  /** Retries of a create that failed (ImagePullBackOff); separate so a container removed by hand comes back at once. */
  createBackoff: BackoffState;
  handledExit?: string;
  /** A probe asked for the container to be restarted. */
  kill?: { probe: ProbeKind; message: string };
  /** The current run was stopped because a probe failed: its exit counts as a failure whatever the code. */
  killedByProbe?: string;
  deleting?: { graceSeconds?: number };
  /** Bumped by create/delete; waiters resolve once a step that began after their request ends. */
  requestSeq: number;
  waiters: Waiter[];
  events: PodEvent[];
  lastEmitted: string;
  /** What the placer was last told of this pod; the same object while nothing in it changes. */
  placement?: PlacementPod;
  /**
   * The declared alias set last put on the container (made with it, or reconnected to it): a
   * new declared set is applied as declared; a live set that strays from an applied one is drift.
   */
  appliedAliases?: string;
}

const podKey = (namespace: string, name: string): string => `${namespace}/${name}`;
const ownerKey = (s: PodStatus): string => `${s.app}/${s.namespace}/${s.ownerKind}/${s.ownerName}`;
const aliasKey = (aliases: readonly string[] | undefined): string => [...new Set(aliases ?? [])].sort().join(",");

function isCode(err: unknown, code: string): boolean {
  return err instanceof CapstanError && err.code === code;
}

export class DockerPodManager implements PodManager {
  private readonly runtimes: Map<string, ContainerRuntime>;
  private readonly clock: Clock;
  private readonly stateDir: string;
  private readonly resyncPeriodMs: number;
  private readonly backoffPolicy: BackoffPolicy;
  private readonly probeExecutor: ProbeExecutor;
  private readonly extraLabels: Record<string, string>;
  private readonly eventsPerPod: number;
  private readonly log: (entry: Record<string, unknown>) => void;
  private readonly pods = new Map<string, PodRecord>();
  private readonly changeListeners = new Set<(pod: PodStatus) => void>();
  private readonly eventListeners = new Set<(event: PodEvent) => void>();
  private readonly queue: WorkQueue;
  private subscriptions: EventSubscription[] = [];
  private resyncTimer: Timer | undefined;
  private started = false;
  private readonly placer: PodPlacer | undefined;
  /** Placements run one at a time, so each sees the pods placed before it (the scheduler's assume). */
  private placing: Promise<unknown> = Promise.resolve();
  private retryQueued = false;
  private unsubscribePlacer: (() => void) | undefined;
  /** Nodes whose pods were given up; containers found there again are stale and removed, never adopted. */
  private readonly evictedNodes = new Set<string>();
  /** Nodes already relisted once: what a previous daemon left there has been adopted (see `resync`). */
  private readonly adoptedFrom = new Set<string>();
  /** Applications with selfHeal on. */
  private readonly selfHealing = new Set<string>();
  /** Owner → the pod self-heal is replacing: one per owner, the next once it is Ready. */
  private readonly healing = new Map<string, string>();
  private readonly strayWatch: StrayWatch;
  /** Namespace → its Services' names (the Service controller says). */
  private readonly serviceNames = new Map<string, string[]>();

  constructor(options: PodManagerOptions) {
    if (options.runtimes.size === 0) throw new CapstanError("CONFIG_INVALID", "pod manager: no nodes configured (add at least one Docker engine)");
    this.runtimes = options.runtimes;
    this.clock = options.clock ?? systemClock;
    this.stateDir = options.stateDir;
    this.resyncPeriodMs = options.resyncPeriodMs ?? 30_000;
    this.backoffPolicy = { ...DEFAULT_RESTART_BACKOFF, ...options.restartBackoff };
    this.probeExecutor = options.probeExecutor ?? runProbe;
    this.extraLabels = options.labels ?? {};
    this.eventsPerPod = options.eventsPerPod ?? 20;
    this.log = options.log ?? (() => {});
    this.placer = options.placer;
    this.strayWatch = new StrayWatch({
      runtimes: this.runtimes,
      clock: this.clock,
      isOurs: (labels) => this.isOurs(labels),
      keeps: (node, c) => this.keepsContainer(node, c),
      takenNames: () => this.takenNames(),
      appsIn: (namespace) => new Set([...this.pods.values()].filter((r) => r.namespace === namespace && r.status.app).map((r) => r.status.app)),
      selfHealing: (app) => this.selfHealing.has(app),
      onEvent: (ev) => {
        this.log({ msg: ev.message, container: ev.pod, reason: ev.reason, type: ev.type });
        for (const l of this.eventListeners) this.notify(() => l({ ...ev }));
      },
      log: this.log,
    });
    this.subscribePlacer();
    this.placer?.countPods?.(() => this.placementPods());
    this.queue = new WorkQueue({
      clock: this.clock,
      concurrency: options.concurrency ?? 16,
      reconcile: (key) => this.step(key),
      onError: (key, error, info) => this.log({ msg: "pod step failed", pod: key, error: (error as Error).message, retryInMs: info.retryInMs }),
    });
    this.queue.start();
  }

  // ---- public surface -------------------------------------------------------------------

  list(selector: PodSelector = {}): PodStatus[] {
    const out: PodStatus[] = [];
    for (const r of this.pods.values()) {
      const s = r.status;
      if (selector.app !== undefined && s.app !== selector.app) continue;
      if (selector.namespace !== undefined && s.namespace !== selector.namespace) continue;
      if (selector.ownerKind !== undefined && s.ownerKind !== selector.ownerKind) continue;
      if (selector.ownerName !== undefined && s.ownerName !== selector.ownerName) continue;
      if (selector.revision !== undefined && s.revision !== selector.revision) continue;
      out.push(structuredClone(s));
    }
    return out.sort((a, b) => (a.namespace === b.namespace ? a.name.localeCompare(b.name) : a.namespace.localeCompare(b.namespace)));
  }

  get(namespace: string, name: string): PodStatus | undefined {
    const r = this.pods.get(podKey(namespace, name));
    return r ? structuredClone(r.status) : undefined;
  }

  events(namespace: string, name: string): PodEvent[] {
    return [...(this.pods.get(podKey(namespace, name))?.events ?? [])];
  }

  onChange(listener: (pod: PodStatus) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onEvent(listener: (event: PodEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  setSelfHeal(app: string, on: boolean): void {
    if (on === this.selfHealing.has(app)) return;
    this.log({ msg: on ? "self-heal on" : "self-heal off", app });
    if (!on) {
      this.selfHealing.delete(app);
      return;
    }
    this.selfHealing.add(app);
    for (const r of this.pods.values()) if (r.status.app === app && r.status.drift.length > 0) this.queue.add(r.key);
    void this.strayWatch.heal().catch((err: unknown) => this.log({ msg: "self-heal of stray containers failed", app, error: (err as Error).message }));
  }

  strays(app?: string): DriftItem[] {
    return this.strayWatch.items(app);
  }

  setServiceNames(namespace: string, names: string[]): void {
    if (names.length === 0) this.serviceNames.delete(namespace);
    else this.serviceNames.set(namespace, [...new Set(names)].sort());
  }

  async create(intent: PodIntent): Promise<PodStatus> {
    const key = podKey(intent.namespace, intent.name);
    let rec = this.pods.get(key);
    if (rec?.deleting) {
      await this.waitForStep(rec).catch(() => {});
      rec = this.pods.get(key);
      if (rec?.deleting) throw new CapstanError("RUNTIME_ERROR", `pod ${key} is still being deleted on node ${rec.node}; try again once it is gone`);
    }
    if (!rec) {
      // "" = not placed yet: the placer decides below.
      const node = intent.node ?? (this.placer ? "" : (this.runtimes.keys().next().value as string));
      rec = this.newRecord(intent.namespace, intent.name, node, intent);
      this.pods.set(key, rec);
    } else if (!rec.node && intent.node) {
      rec.node = intent.node;
      rec.status.node = intent.node;
    }
    rec.intent = intent;
    rec.status.adopted = false;
    rec.status.app = intent.app;
    rec.status.ownerKind = intent.ownerKind;
    rec.status.ownerName = intent.ownerName;
    rec.status.revision = intent.revision;
    rec.status.commit = intent.commit;
    rec.status.labels = { ...(intent.template.metadata?.labels ?? {}) };
    rec.status.image = intent.template.spec.containers[0]?.image ?? rec.status.image;
    if (!rec.node) {
      const placed = await this.placeRecord(rec);
      const now = this.pods.get(key);
      if (!placed || !now || now !== rec) return structuredClone(now?.status ?? rec.status);
    }
    this.materialize(rec, intent);
    if (!this.runtimes.has(rec.node)) {
      this.setStatus(rec, { phase: "Pending", reason: "Unschedulable", message: `node ${rec.node} is not configured (known nodes: ${[...this.runtimes.keys()].join(", ")})` });
    }
    await this.waitForStep(rec).catch(() => {});
    return structuredClone(this.pods.get(key)?.status ?? rec.status);
  }

  /**
   * Gives up every pod on the node that could run elsewhere (it stayed NotReady past the eviction timeout): each is
   * marked NodeUnavailable and removed from the manager, so its owner creates a replacement,
   * which the placer puts on another node. What is left on the node is removed when it answers
   * again (`removeStale`, or the next resync).
   */
  async evictNode(node: string): Promise<string[]> {
    this.evictedNodes.add(node);
    const gone: string[] = [];
    for (const rec of [...this.pods.values()]) {
      if (rec.node !== node) continue;
      if (rec.intent?.node === node) {
        // Bound to this node (a DaemonSet's pod): nowhere else to go, so it waits for the node, as
        // Kubernetes' DaemonSet pods tolerate not-ready and unreachable nodes.
        this.setStatus(rec, { reason: "NodeUnavailable", message: `node ${node} does not answer; the pod waits for it`, ready: false, readySince: null });
        continue;
      }
      this.stopProbes(rec);
      const message = `node ${node} has not answered for longer than the eviction timeout; the pod is given up and its owner replaces it on another node`;
      this.event(rec, "Warning", "NodeUnavailable", message);
      this.setStatus(rec, { reason: "NodeUnavailable", message, ready: false, readySince: null });
      this.pods.delete(rec.key);
      rec.status.terminating = true;
      this.emitIfChanged(rec, true);
      this.settleWaiters(rec, Number.MAX_SAFE_INTEGER);
      gone.push(rec.key);
    }
    this.log({ msg: "node evicted", node, pods: gone.length });
    this.schedulePendingRetry();
    return gone.sort();
  }

  /**
   * Removes the containers on the node that belong to pods the manager does not keep there (an
   * evicted node is back: its pods run elsewhere now). Throws when the node does not answer.
   */
  async removeStale(node: string): Promise<string[]> {
    const rt = this.runtimes.get(node);
    if (!rt) return [];
    const containers = await rt.list({ [LABEL.managedBy]: MANAGED_BY_VALUE, ...this.extraLabels });
    const removed = await this.removeStaleContainers(node, rt, containers);
    this.evictedNodes.delete(node);
    return removed;
  }

  /** Whether the container belongs to a pod the manager keeps on that node. */
  private keptOn(node: string, c: ContainerSummary): boolean {
    const live = livePodFromContainer(node, c);
    return live !== undefined && this.pods.get(podKey(live.namespace, live.name))?.node === node;
  }

  private async removeStaleContainers(node: string, rt: ContainerRuntime, containers: ContainerSummary[]): Promise<string[]> {
    const removed: string[] = [];
    for (const c of containers) {
      const live = livePodFromContainer(node, c);
      if (!live || this.keptOn(node, c)) continue;
      const key = podKey(live.namespace, live.name);
      await rt.remove(c.id, { force: true }).catch((err: unknown) => {
        if (!isCode(err, "CONTAINER_NOT_FOUND")) throw err;
      });
      for (const v of await this.emptyDirVolumes(rt, live.namespace, live.name)) await rt.removeVolume(v.name).catch(() => {});
      this.log({ msg: "removed a stale container of a pod given up on this node", node, pod: key, container: c.name });
      removed.push(key);
    }
    return [...new Set(removed)].sort();
  }

  /**
   * Whether a pod the manager keeps owns the container: the one named for a pod kept on the node
   * (made for it, or being made), or a kept pod's under another name (renamed: that is the pod's
   * drift). Adopted pods are kept pods, declared again or not, so their containers are never
   * strays; see `resync` for why a container the manager has no pod for is not adopted later.
   */
  private keepsContainer(node: string, c: Pick<ContainerSummary, "id" | "name" | "labels">): boolean {
    const namespace = c.labels[LABEL.namespace];
    const pod = c.labels[LABEL.pod];
    if (namespace && pod && c.name === containerName(namespace, pod) && this.pods.get(podKey(namespace, pod))?.node === node) return true;
    for (const r of this.pods.values()) if (r.containerId === c.id && r.node === node) return true;
    return false;
  }

  private isOurs(labels: Record<string, string>): boolean {
    return labels[LABEL.managedBy] === MANAGED_BY_VALUE && Object.entries(this.extraLabels).every(([k, v]) => labels[k] === v);
  }

  /** Per namespace with pods: the pods' and Services' names there. */
  private takenNames(): Map<string, Map<string, string>> {
    const out = new Map<string, Map<string, string>>();
    for (const r of this.pods.values()) {
      let names = out.get(r.namespace);
      if (!names) {
        names = new Map((this.serviceNames.get(r.namespace) ?? []).map((n) => [n, `Service ${r.namespace}/${n}`]));
        out.set(r.namespace, names);
      }
      names.set(r.name, `pod ${r.key}`);
    }
    return out;
  }

  async delete(namespace: string, name: string, options: { graceSeconds?: number } = {}): Promise<void> {
    const rec = this.pods.get(podKey(namespace, name));
    if (!rec) return;
    rec.deleting = { graceSeconds: options.graceSeconds };
    this.setStatus(rec, { terminating: true, ready: false, readySince: null, reason: "Terminating", message: undefined });
    await this.waitForStep(rec);
  }

  async resync(): Promise<void> {
    const seen = new Map<string, ContainerSummary>();
    const answered = new Set<string>();
    const adopted = new Set<string>();
    /** Containers carrying this installation's labels: never foreign. */
    const ownIds = new Set<string>();
    for (const [node, rt] of this.runtimes) {
      let containers;
      try {
        containers = await rt.list({ [LABEL.managedBy]: MANAGED_BY_VALUE, ...this.extraLabels });
      } catch (err) {
        this.log({ msg: "resync: node does not answer", node, error: (err as Error).message });
        for (const r of this.pods.values()) {
          if (r.node === node) this.setStatus(r, { reason: "NodeUnavailable", message: (err as Error).message, ready: false, readySince: null });
        }
        continue;
      }
      answered.add(node);
      for (const c of containers) ownIds.add(c.id);
      if (this.evictedNodes.has(node)) {
        // Back after its pods were given up: what is still there runs elsewhere now.
        await this.removeStaleContainers(node, rt, containers).catch((err: unknown) => this.log({ msg: "resync: removing stale containers failed", node, error: (err as Error).message }));
        this.evictedNodes.delete(node);
        containers = containers.filter((c) => this.keptOn(node, c));
      }
      // What a previous daemon left is adopted at the node's first relist (its owners declare it
      // again, or keep it undeclared: a Deployment's old revision, a Job's finished pods). After
      // that the manager makes containers only for pods it already keeps, so one it finds without
      // a pod was made by someone else: a stray, never adopted (see keepsContainer).
      const adopting = !this.adoptedFrom.has(node);
      this.adoptedFrom.add(node);
      for (const c of containers) {
        const live = livePodFromContainer(node, c);
        if (!live || live.containerName !== containerName(live.namespace, live.name)) continue;
        const key = podKey(live.namespace, live.name);
        if (seen.has(key)) continue;
        if (!this.pods.has(key) && !adopting) continue;
        seen.set(key, c);
        if (!this.pods.has(key)) {
          const rec = this.newRecord(live.namespace, live.name, node, undefined);
          rec.template = live.template;
          Object.assign(rec.status, {
            app: live.app,
            ownerKind: live.ownerKind,
            ownerName: live.ownerName,
            revision: live.revision,
            commit: live.commit,
            image: live.image,
            labels: live.podLabels,
            containerIds: [live.containerId],
            adopted: true,
          });
          rec.containerId = live.containerId;
          this.pods.set(key, rec);
          adopted.add(key);
          this.event(rec, "Normal", "Adopted", `found container ${live.containerName} on node ${node}`);
        }
      }
      this.strayWatch.observeNode(node, containers);
    }
    // A declared pod gets a step (one inspect) to compare its container with its template: drift
    // from `docker update`/`rename` arrives as engine events, the rest (and what events missed) here.
    // An adopted pod that no owner declared has no template to compare, so it gets a step only when
    // its container disagrees with what the manager believes. A resync costs one list per node and
    // at most one inspect per pod.
    for (const [key, rec] of this.pods) {
      if (!answered.has(rec.node)) continue;
      const c = seen.get(key);
      const stale =
        adopted.has(key) ||
        !c ||
        c.id !== rec.containerId ||
        (rec.mat !== undefined && !runsSpec(c.labels, rec.mat)) ||
        (c.status === "running") !== (rec.run !== undefined) ||
        rec.status.reason === "NodeUnavailable" ||
        rec.deleting !== undefined;
      if (stale || rec.mat) this.queue.add(key);
    }
    await this.queue.onIdle();
    await this.retryPending();
    await this.strayWatch.observeForeign(answered, ownIds);
    await this.strayWatch.heal();
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.subscribePlacer();
    for (const rt of this.runtimes.values()) {
      this.subscriptions.push(
        rt.subscribe(
          (ev) => {
            const ns = ev.labels[LABEL.namespace];
            const pod = ev.labels[LABEL.pod];
            if (!ns || !pod) return;
            if (this.pods.has(podKey(ns, pod))) this.queue.add(podKey(ns, pod));
          },
          (err) => this.log({ msg: "engine events interrupted", node: rt.node, error: err.message }),
        ),
      );
    }
    await this.resync();
    this.scheduleResync();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.resyncTimer?.cancel();
    this.unsubscribePlacer?.();
    this.unsubscribePlacer = undefined;
    for (const s of this.subscriptions) s.close();
    this.subscriptions = [];
    await this.queue.stop();
    for (const r of this.pods.values()) {
      this.stopProbes(r);
      const waiters = r.waiters;
      r.waiters = [];
      for (const w of waiters) w.reject(new CapstanError("RUNTIME_ERROR", `pod ${r.key}: the pod manager stopped`));
    }
  }

  // ---- internals ------------------------------------------------------------------------

  private subscribePlacer(): void {
    if (this.unsubscribePlacer || !this.placer?.onNodesChanged) return;
    this.unsubscribePlacer = this.placer.onNodesChanged(() => this.schedulePendingRetry());
  }

  private materialize(rec: PodRecord, intent: PodIntent): void {
    try {
      const previous = rec.mat?.digest;
      rec.mat = materializePod(intent, { stateDir: this.stateDir, extraLabels: this.extraLabels, node: rec.node });
      rec.configError = undefined;
      if (rec.mat.digest !== previous) for (const w of rec.mat.warnings) this.event(rec, "Warning", "Unsupported", w);
    } catch (err) {
      if (!(err instanceof PodConfigError)) throw err;
      rec.mat = undefined;
      rec.configError = err;
    }
  }

  /**
   * Asks the placer for the pod's node (one placement at a time). Without `current`, places a
   * pod that has no node; with it, checks that the node the pod is on still fits and moves it
   * when not. Returns whether the pod has a node now; when not it is Pending (Unschedulable).
   */
  private placeRecord(rec: PodRecord, current?: string): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      const placer = this.placer;
      const intent = rec.intent;
      if (!placer || !intent || rec.deleting || this.pods.get(rec.key) !== rec) return false;
      if (current === undefined && rec.node) return true;
      const pods: PlacementPod[] = [];
      for (const r of this.pods.values()) {
        if (r === rec || !r.node) continue;
        pods.push(this.placement(r));
      }
      let result: PlacementResult;
      try {
        result = await placer.place({ intent, pods, ...(current !== undefined ? { current } : {}) });
      } catch (err) {
        result = { unschedulable: true, message: `the scheduler failed: ${(err as Error).message}` };
      }
      if (this.pods.get(rec.key) !== rec || rec.deleting) return false;
      if ("node" in result && !this.runtimes.has(result.node)) {
        result = { unschedulable: true, message: `node ${result.node} has no engine configured (known nodes: ${[...this.runtimes.keys()].join(", ")})` };
      }
      if ("node" in result) {
        if (result.node === current) return true;
        rec.node = result.node;
        this.event(rec, "Normal", "Scheduled", `Successfully assigned ${rec.key} to ${result.node}`);
        this.setStatus(rec, { node: result.node, phase: "Pending", reason: "ContainerCreating", message: undefined });
        return true;
      }
      rec.node = "";
      rec.containerId = undefined;
      this.event(rec, "Warning", "FailedScheduling", result.message);
      this.setStatus(rec, { node: "", phase: "Pending", ready: false, readySince: null, reason: "Unschedulable", message: result.message, containerIds: [], hostPorts: [] });
      return false;
    };
    const p = this.placing.then(run);
    this.placing = p.catch(() => undefined);
    return p;
  }

  /** Tries the Pending pods again, oldest first, once the current turn of the event loop is done. */
  private schedulePendingRetry(): void {
    if (!this.placer || this.retryQueued) return;
    this.retryQueued = true;
    void Promise.resolve()
      .then(() => {
        this.retryQueued = false;
        return this.retryPending();
      })
      .catch((err: unknown) => this.log({ msg: "placing pending pods failed", error: (err as Error).message }));
  }

  private async retryPending(): Promise<void> {
    if (!this.placer) return;
    const pending = [...this.pods.values()]
      .filter((r) => !r.node && r.intent && !r.deleting)
      .sort((a, b) => a.status.createdAt - b.status.createdAt || a.key.localeCompare(b.key));
    for (const rec of pending) {
      if (!(await this.placeRecord(rec)) || !rec.intent) continue;
      this.materialize(rec, rec.intent);
      this.queue.add(rec.key);
    }
  }

  private scheduleResync(): void {
    if (!this.started) return;
    this.resyncTimer = this.clock.setTimeout(() => {
      void this.resync()
        .catch((err) => this.log({ msg: "resync failed", error: (err as Error).message }))
        .finally(() => this.scheduleResync());
    }, this.resyncPeriodMs);
  }

  private newRecord(namespace: string, name: string, node: string, intent: PodIntent | undefined): PodRecord {
    const now = this.clock.now();
    const c = intent?.template.spec.containers[0];
    return {
      key: podKey(namespace, name),
      namespace,
      name,
      node,
      status: {
        name,
        namespace,
        app: intent?.app ?? "",
        ownerKind: intent?.ownerKind ?? "",
        ownerName: intent?.ownerName ?? "",
        revision: intent?.revision ?? "",
        commit: intent?.commit ?? "",
        node,
        image: c?.image ?? "",
        labels: { ...(intent?.template.metadata?.labels ?? {}) },
        containerIds: [],
        phase: "Pending",
        ready: false,
        readySince: null,
        restarts: 0,
        reason: "ContainerCreating",
        hostPorts: [],
        createdAt: now,
        terminating: false,
        adopted: intent === undefined,
        drift: [],
      },
      backoff: NO_BACKOFF,
      createBackoff: NO_BACKOFF,
      requestSeq: 0,
      waiters: [],
      events: [],
      lastEmitted: "",
    };
  }

  /** Enqueues the pod and resolves when a step begun after this call has finished (rejects if it failed). */
  private waitForStep(rec: PodRecord): Promise<void> {
    const seq = ++rec.requestSeq;
    const p = new Promise<void>((resolve, reject) => rec.waiters.push({ seq, resolve, reject }));
    this.queue.add(rec.key);
    return p;
  }

  private settleWaiters(rec: PodRecord, upTo: number, error?: unknown): void {
    const keep: Waiter[] = [];
    for (const w of rec.waiters) {
      if (w.seq > upTo) keep.push(w);
      else if (error === undefined) w.resolve();
      else w.reject(error);
    }
    rec.waiters = keep;
  }

  private event(rec: PodRecord, type: PodEvent["type"], reason: string, message: string): void {
    const ev: PodEvent = { time: this.clock.now(), namespace: rec.namespace, pod: rec.name, type, reason, message };
    const last = rec.events[rec.events.length - 1];
    if (last && last.reason === reason && last.message === message) {
      last.time = ev.time;
    } else {
      rec.events.push(ev);
      if (rec.events.length > this.eventsPerPod) rec.events.splice(0, rec.events.length - this.eventsPerPod);
    }
    this.log({ msg: message, pod: rec.key, reason, type });
    for (const l of this.eventListeners) this.notify(() => l({ ...ev }));
  }

  private setStatus(rec: PodRecord, patch: Partial<PodStatus>): void {
    const s = rec.status;
    Object.assign(s, patch);
    for (const k of Object.keys(patch) as (keyof PodStatus)[]) if (patch[k] === undefined && k in s) delete s[k];
    this.emitIfChanged(rec);
  }

  private emitIfChanged(rec: PodRecord, removed = false): void {
    this.releaseHealTurn(rec);
    const snapshot = JSON.stringify(rec.status);
    if (!removed && snapshot === rec.lastEmitted) return;
    rec.lastEmitted = snapshot;
    for (const l of this.changeListeners) this.notify(() => l(structuredClone(rec.status)));
  }

  /** A listener's failure is its own: it must not fail the pod's step. */
  private notify(call: () => void): void {
    try {
      call();
    } catch (err) {
      this.log({ msg: "pod listener failed", error: (err as Error).message });
    }
  }

  /**
   * Whose the container is when it is not this pod's (by its namespace and pod labels, and this
   * manager's own labels: installation, test run); undefined when it is this pod's.
   */
  private otherOwner(rec: PodRecord, c: { labels: Record<string, string> }): string | undefined {
    const ns = c.labels[LABEL.namespace];
    if (!ns) return "a container Capstan did not make";
    if (ns !== rec.namespace || c.labels[LABEL.pod] !== rec.name) return `pod ${ns}/${c.labels[LABEL.pod] ?? "?"}`;
    const differ = Object.entries(this.extraLabels).filter(([k, v]) => c.labels[k] !== v);
    if (differ.length === 0) return undefined;
    return `the same pod of another Capstan installation (${differ.map(([k]) => `${k}=${c.labels[k] ?? "(none)"}`).join(", ")})`;
  }

  /** The pod's emptyDir volumes on an engine: those this manager made (its labels) for that namespace and pod. */
  private emptyDirVolumes(rt: ContainerRuntime, namespace: string, pod: string): ReturnType<ContainerRuntime["listVolumes"]> {
    return rt.listVolumes({ [POD_LABEL.emptyDirOf]: pod, [LABEL.namespace]: namespace, ...this.extraLabels });
  }

  /** The pod as the placer counts it, made anew only when its node, labels, template or termination changed. */
  /** Every pod on a node, as the placer counts requests. */
  private placementPods(): PlacementPod[] {
    const out: PlacementPod[] = [];
    for (const r of this.pods.values()) if (r.node) out.push(this.placement(r));
    return out;
  }

  private placement(r: PodRecord): PlacementPod {
    const template = this.template(r);
    const p = r.placement;
    if (p && p.node === r.node && p.labels === r.status.labels && p.template === template && p.terminating === r.status.terminating) return p;
    r.placement = { namespace: r.namespace, name: r.name, node: r.node, labels: r.status.labels, ...(template ? { template } : {}), terminating: r.status.terminating };
    return r.placement;
  }

  private template(rec: PodRecord): PodTemplate | undefined {
    return rec.intent?.template ?? rec.template;
  }

  private graceSeconds(rec: PodRecord): number {
    return rec.deleting?.graceSeconds ?? this.template(rec)?.spec.terminationGracePeriodSeconds ?? 30;
  }

  /** One step for one pod; the queue never runs two for the same key at once. */
  private async step(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const rec = this.pods.get(key);
    if (!rec) return;
    const seq = rec.requestSeq;
    try {
      const r = await this.stepPod(rec);
      this.settleWaiters(rec, seq);
      return r;
    } catch (err) {
      const message = (err as Error).message;
      if (isCode(err, "RUNTIME_UNAVAILABLE")) this.setStatus(rec, { reason: "NodeUnavailable", message, ready: false, readySince: null });
      else if (this.pods.has(key)) {
        this.event(rec, "Warning", "Failed", message);
        this.setStatus(rec, { message });
      }
      this.settleWaiters(rec, seq, err);
      throw err;
    }
  }

  private async inspect(rt: ContainerRuntime, name: string): Promise<ContainerDetails | undefined> {
    try {
      return await rt.inspect(name);
    } catch (err) {
      if (isCode(err, "CONTAINER_NOT_FOUND")) return undefined;
      throw err;
    }
  }

  private async stepPod(rec: PodRecord): Promise<{ requeueAfterMs?: number } | void> {
    const rt = this.runtimes.get(rec.node);
    if (!rt) {
      // Never placed (Pending): nothing runs anywhere, so deleting it is forgetting it.
      if (rec.deleting) this.forget(rec);
      return;
    }
    if (rec.deleting) return this.remove(rec, rt);
    let c = (await this.inspect(rt, containerName(rec.namespace, rec.name))) ?? (await this.renamedContainer(rec, rt));
    const takenBy = c && this.otherOwner(rec, c);
    if (c && takenBy) {
      this.setStatus(rec, {
        phase: "Pending",
        reason: "Error",
        message: `container name ${c.name} on node ${rec.node} is taken by ${takenBy}; rename the pod or remove that container`,
      });
      return { requeueAfterMs: this.resyncPeriodMs };
    }
    if (c && rec.intent && rec.mat && !runsSpec(c.labels, rec.mat)) {
      this.event(rec, "Normal", "Replaced", `container ${c.name} does not match the pod spec (digest ${c.labels[LABEL.specDigest] ?? "none"}, want ${rec.mat.digest}); replacing it`);
      this.stopProbes(rec);
      await rt.remove(c.id, { force: true });
      rec.handledExit = undefined;
      rec.containerId = undefined;
      c = undefined;
    }
    if (c && rec.mat) {
      c = await this.syncAliases(rec, rt, c, rec.mat);
      c = await this.observeDrift(rec, rt, c, rec.mat);
    }
    if (!c) {
      this.stopProbes(rec);
      if (!rec.intent) {
        // Adopted and never re-declared: nothing to recreate it from; the owner decides.
        this.event(rec, "Warning", "Missing", `container ${containerName(rec.namespace, rec.name)} is gone from node ${rec.node}`);
        if (this.pods.get(rec.key) === rec) this.pods.delete(rec.key);
        rec.status.terminating = true;
        this.emitIfChanged(rec, true);
        this.schedulePendingRetry();
        return;
      }
      if (rec.containerId && this.placer && rec.intent.node === undefined) {
        // The container went (drained, removed by hand): make it again where the pod still fits.
        const from = rec.node;
        if (!(await this.placeRecord(rec, from))) return;
        if (rec.node !== from) {
          rec.containerId = undefined;
          const old = this.runtimes.get(from);
          if (old) {
            for (const v of await this.emptyDirVolumes(old, rec.namespace, rec.name).catch(() => [])) await old.removeVolume(v.name).catch(() => {});
          }
          this.materialize(rec, rec.intent);
          return { requeueAfterMs: 0 };
        }
      }
      const made = await this.make(rec, rt);
      if (made !== undefined) return made;
      c = await this.inspect(rt, containerName(rec.namespace, rec.name));
      if (!c) return { requeueAfterMs: 0 };
      if (rec.mat) this.setDrift(rec, this.driftOf(rec.name, c, rec.mat));
    }
    rec.containerId = c.id;
    const statusBase: Partial<PodStatus> = {
      containerIds: [c.id],
      image: c.image,
      hostPorts: this.publishedPorts(rec, c),
    };
    if (c.running) return this.observeRunning(rec, rt, c, statusBase);
    return this.observeStopped(rec, rt, c, statusBase);
  }

  /**
   * Declared aliases (Services come and go) change without replacing the container: a new set is
   * put on it by reconnecting. Returns the container as it is after that.
   */
  private async syncAliases(rec: PodRecord, rt: ContainerRuntime, c: ContainerDetails, mat: MaterializedPod): Promise<ContainerDetails> {
    const net = mat.container.network;
    const want = aliasKey(net?.aliases);
    if (!net || rec.appliedAliases === want) return c;
    rec.appliedAliases = want;
    const live = c.networks.find((n) => n.name === net.name);
    if (live && aliasKey(live.aliases) === want) return c;
    const next = await this.reconnect(rt, c, net.name, net.aliases ?? []);
    this.event(rec, "Normal", "Aliases", `container ${c.name} answers on network ${net.name} as ${want.split(",").join(", ")}`);
    return next;
  }

  private async reconnect(rt: ContainerRuntime, c: ContainerDetails, network: string, aliases: readonly string[]): Promise<ContainerDetails> {
    const want = [...new Set(aliases)].sort();
    if (c.networks.some((n) => n.name === network)) await rt.disconnectNetwork(c.id, network);
    await rt.connectNetwork(c.id, network, want);
    return { ...c, networks: [...c.networks.filter((n) => n.name !== network), { name: network, aliases: want }] };
  }

  private driftOf(pod: string, c: ContainerDetails, mat: MaterializedPod): DriftItem[] {
    return containerDrift(mat.container, c, { object: `Pod/${pod}`, secretEnv: mat.secretEnv });
  }

  private setDrift(rec: PodRecord, drift: DriftItem[]): void {
    if (sameDrift(drift, rec.status.drift)) return;
    if (drift.length > 0) this.event(rec, "Warning", "Drifted", `container ${containerName(rec.namespace, rec.name)} differs from its pod template: ${describeDrift(drift)}`);
    this.setStatus(rec, { drift });
  }

  /**
   * Compares the container with the pod's template and, under selfHeal, corrects it: aliases are
   * put back in place; anything else replaces the container (removed here, made again by the
   * caller), one pod per owner at a time. A Deployment's pods are only reported: its rollout
   * replaces drifted pods within maxSurge/maxUnavailable. Returns the container, or undefined
   * once it has been removed.
   */
  private async observeDrift(rec: PodRecord, rt: ContainerRuntime, c: ContainerDetails, mat: MaterializedPod): Promise<ContainerDetails | undefined> {
    const drift = this.driftOf(rec.name, c, mat);
    this.setDrift(rec, drift);
    if (drift.length === 0 || !this.selfHealing.has(rec.status.app) || rec.status.ownerKind === "Deployment" || !c.running) return c;
    const net = mat.container.network;
    if (net && drift.every((d) => d.field === `networks[${net.name}].aliases`)) {
      const healed = await this.reconnect(rt, c, net.name, net.aliases ?? []);
      this.event(rec, "Normal", "SelfHealed", `corrected ${describeDrift(drift)} on container ${c.name} by reconnecting it`);
      this.setDrift(rec, this.driftOf(rec.name, healed, mat));
      return healed;
    }
    const owner = ownerKey(rec.status);
    const turn = this.healing.get(owner);
    // Another pod of the owner is being replaced: this one waits until that one is Ready.
    if (turn !== undefined && turn !== rec.key && this.pods.has(turn)) return c;
    this.healing.set(owner, rec.key);
    this.event(rec, "Normal", "SelfHealed", `replacing container ${c.name} to correct ${describeDrift(drift)}`);
    this.stopProbes(rec);
    this.setStatus(rec, { ready: false, readySince: null });
    if (c.running) await rt.stop(c.id, { graceSeconds: this.graceSeconds(rec) });
    await rt.remove(c.id, { force: true });
    rec.handledExit = undefined;
    rec.containerId = undefined;
    return undefined;
  }

  /** The pod being replaced by self-heal is Ready (or gone, or finished): the owner's next drifted pod may go. */
  private releaseHealTurn(rec: PodRecord): void {
    if (this.healing.size === 0) return;
    const owner = ownerKey(rec.status);
    if (this.healing.get(owner) !== rec.key) return;
    const s = rec.status;
    const done = (s.ready && rec.containerId !== undefined) || s.phase === "Succeeded" || s.phase === "Failed" || s.terminating || this.pods.get(rec.key) !== rec;
    if (!done) return;
    this.healing.delete(owner);
    for (const r of this.pods.values()) if (r !== rec && ownerKey(r.status) === owner && r.status.drift.length > 0) this.queue.add(r.key);
  }

  /** The pod's container under another name (`docker rename`): found by the id the manager knows, when its labels still say it is this pod's. */
  private async renamedContainer(rec: PodRecord, rt: ContainerRuntime): Promise<ContainerDetails | undefined> {
    if (!rec.containerId) return undefined;
    const c = await this.inspect(rt, rec.containerId);
    return c && !this.otherOwner(rec, c) ? c : undefined;
  }

  /** Creates and starts the container; returns a requeue when it could not (yet). */
  private async make(rec: PodRecord, rt: ContainerRuntime): Promise<{ requeueAfterMs?: number } | void> {
    if (rec.configError) {
      const err = rec.configError;
      this.event(rec, "Warning", "Failed", err.message);
      this.setStatus(rec, { phase: "Pending", ready: false, readySince: null, reason: err.reason, message: err.message, containerIds: [] });
      return;
    }
    const mat = rec.mat as MaterializedPod;
    const wait = waitLeft(rec.createBackoff, this.clock.now());
    if (wait > 0) return { requeueAfterMs: wait };
    if (rec.containerId) this.event(rec, "Warning", "Recreated", `container ${mat.container.name} was removed outside Capstan; recreating it`);
    await rt.ensureNetwork(mat.network.name, mat.network.labels);
    for (const v of mat.volumes) await rt.ensureVolume(v.name, v.labels);
    try {
      await writePodFiles(mat, secretOwner(mat.container.user));
    } catch (err) {
      if (!(err instanceof PodConfigError)) throw err;
      rec.configError = err;
      return this.make(rec, rt);
    }
    try {
      await rt.create(mat.container);
    } catch (err) {
      if (isCode(err, "IMAGE_NOT_FOUND")) {
        rec.createBackoff = recordFailure(rec.createBackoff, this.clock.now(), undefined, this.backoffPolicy);
        const delay = waitLeft(rec.createBackoff, this.clock.now());
        const message = `image ${mat.container.image} is not present on node ${rec.node} (Capstan never pulls: build or load it there); retrying in ${Math.round(delay / 1000)} s`;
        this.event(rec, "Warning", "ImagePullBackOff", message);
        this.setStatus(rec, { phase: "Pending", ready: false, readySince: null, reason: "ImagePullBackOff", message, containerIds: [] });
        return { requeueAfterMs: delay };
      }
      if (err instanceof CapstanError && /already in use|Conflict/i.test(err.message)) return { requeueAfterMs: 0 };
      throw err;
    }
    rec.createBackoff = NO_BACKOFF;
    rec.backoff = NO_BACKOFF;
    rec.handledExit = undefined;
    rec.appliedAliases = aliasKey(mat.container.network?.aliases);
    this.event(rec, "Normal", "Created", `created container ${mat.container.name} (${mat.container.image}) on node ${rec.node}`);
    await rt.start(mat.container.name);
    this.event(rec, "Normal", "Started", `started container ${mat.container.name}`);
    return undefined;
  }

  private async observeRunning(rec: PodRecord, rt: ContainerRuntime, c: ContainerDetails, base: Partial<PodStatus>): Promise<{ requeueAfterMs?: number } | void> {
    const startedAt = c.startedAt?.toISOString() ?? "";
    if (rec.kill && rec.run?.containerId === c.id && rec.run.startedAt === startedAt) {
      const { probe, message } = rec.kill;
      this.event(rec, "Normal", "Killing", `container ${c.name} failed its ${probe} probe (${message}); restarting it`);
      this.stopProbes(rec);
      rec.kill = undefined;
      rec.killedByProbe = `${probe} probe failed`;
      this.setStatus(rec, { ready: false, readySince: null });
      await rt.stop(c.id, { graceSeconds: this.graceSeconds(rec) });
      return { requeueAfterMs: 0 };
    }
    rec.kill = undefined;
    if (!rec.run || rec.run.containerId !== c.id || rec.run.startedAt !== startedAt) this.startProbes(rec, rt, c, startedAt);
    const ready = this.isReady(rec);
    this.setStatus(rec, {
      ...base,
      phase: "Running",
      ready,
      readySince: ready ? (rec.status.readySince ?? this.clock.now()) : null,
      reason: undefined,
      message: rec.configError ? `kept running the previous spec: ${rec.configError.message}` : ready ? undefined : this.notReadyMessage(rec),
    });
    return undefined;
  }

  private async observeStopped(rec: PodRecord, rt: ContainerRuntime, c: ContainerDetails, base: Partial<PodStatus>): Promise<{ requeueAfterMs?: number } | void> {
    this.stopProbes(rec);
    const policy = this.template(rec)?.spec.restartPolicy ?? "Always";
    if (c.status === "created" && !c.finishedAt) {
      await rt.start(c.id);
      this.event(rec, "Normal", "Started", `started container ${c.name}`);
      return { requeueAfterMs: 0 };
    }
    const exitCode = c.exitCode ?? 0;
    const exitKey = `${c.id}@${c.finishedAt?.toISOString() ?? ""}`;
    const killed = rec.killedByProbe;
    const failed = exitCode !== 0 || killed !== undefined;
    const restart = policy === "Always" || (policy === "OnFailure" && failed);
    const reason: PodReason = c.oomKilled ? "OOMKilled" : failed ? "Error" : "Completed";
    if (rec.handledExit !== exitKey) {
      rec.handledExit = exitKey;
      rec.killedByProbe = undefined;
      if (!restart) {
        const phase = failed ? "Failed" : "Succeeded";
        const message = killed ? `${killed}; exited with code ${exitCode}` : `exited with code ${exitCode}`;
        this.event(rec, failed ? "Warning" : "Normal", reason, `container ${c.name} ${message}`);
        this.setStatus(rec, { ...base, phase, ready: false, readySince: null, reason, message, exitCode });
        return;
      }
      const ranFor = c.startedAt && c.finishedAt ? c.finishedAt.getTime() - c.startedAt.getTime() : undefined;
      rec.backoff = recordFailure(rec.backoff, this.clock.now(), ranFor, this.backoffPolicy);
      const delay = backoffDelay(rec.backoff.failures, this.backoffPolicy);
      const message = `back-off ${formatSeconds(delay)} restarting container ${c.name} (${killed ? `${killed}; ` : ""}exited with code ${exitCode}${c.oomKilled ? ", OOMKilled" : ""})`;
      this.event(rec, "Warning", "BackOff", message);
      this.setStatus(rec, { ...base, phase: rec.status.phase === "Pending" ? "Running" : rec.status.phase, ready: false, readySince: null, reason: "CrashLoopBackOff", message, exitCode });
    }
    if (!restart) return;
    const wait = waitLeft(rec.backoff, this.clock.now());
    if (wait > 0) return { requeueAfterMs: wait };
    await rt.start(c.id);
    this.setStatus(rec, { restarts: rec.status.restarts + 1 });
    this.event(rec, "Normal", "Started", `restarted container ${c.name} (restart ${rec.status.restarts})`);
    return { requeueAfterMs: 0 };
  }

  private async remove(rec: PodRecord, rt: ContainerRuntime): Promise<void> {
    this.stopProbes(rec);
    const name = containerName(rec.namespace, rec.name);
    const c = (await this.inspect(rt, name)) ?? (await this.renamedContainer(rec, rt));
    if (c && this.otherOwner(rec, c)) {
      // Never remove a container that is not this pod's (another pod's, or another installation's).
    } else if (c) {
      this.event(rec, "Normal", "Killing", `stopping container ${c.name} (grace ${this.graceSeconds(rec)} s)`);
      if (c.running) await rt.stop(c.id, { graceSeconds: this.graceSeconds(rec) });
      await rt.remove(c.id, { force: true });
    }
    for (const v of await this.emptyDirVolumes(rt, rec.namespace, rec.name)) {
      await rt.removeVolume(v.name);
    }
    await removePodFiles(join(this.stateDir, "files", rec.namespace, rec.name));
    if (this.pods.get(rec.key) === rec) this.pods.delete(rec.key);
    this.event(rec, "Normal", "Deleted", `pod ${rec.key} removed`);
    this.setStatus(rec, { containerIds: [], ready: false, readySince: null });
    this.emitIfChanged(rec, true);
    this.schedulePendingRetry();
  }

  /** Drops a pod that never ran anywhere. */
  private forget(rec: PodRecord): void {
    this.stopProbes(rec);
    if (this.pods.get(rec.key) === rec) this.pods.delete(rec.key);
    this.event(rec, "Normal", "Deleted", `pod ${rec.key} removed (it was never placed on a node)`);
    rec.status.terminating = true;
    this.emitIfChanged(rec, true);
  }

  private probesOf(rec: PodRecord): { startup?: Probe; readiness?: Probe; liveness?: Probe } {
    if (rec.mat) return rec.mat.probes;
    const c = this.template(rec)?.spec.containers[0];
    return { startup: c?.startupProbe, readiness: c?.readinessProbe, liveness: c?.livenessProbe };
  }

  private namedPorts(rec: PodRecord): Record<string, number> {
    if (rec.mat) return rec.mat.namedPorts;
    const out: Record<string, number> = {};
    for (const p of this.template(rec)?.spec.containers[0]?.ports ?? []) if (p.name) out[p.name] = p.containerPort;
    return out;
  }

  /** Where the container's ports are published, with the template's port names (Services' named targetPorts). */
  private publishedPorts(rec: PodRecord, c: ContainerDetails): PodStatus["hostPorts"] {
    const names = new Map(Object.entries(this.namedPorts(rec)).map(([name, port]) => [port, name]));
    return c.ports
      .filter((p) => p.protocol === "tcp" || p.protocol === "udp")
      .map((p) => {
        const name = names.get(p.containerPort);
        return { containerPort: p.containerPort, hostPort: p.hostPort, ...(name ? { name } : {}) };
      });
  }

  private startProbes(rec: PodRecord, rt: ContainerRuntime, c: ContainerDetails, startedAt: string): void {
    this.stopProbes(rec);
    const probes = this.probesOf(rec);
    const target = {
      runtime: rt,
      containerId: c.id,
      hostPorts: c.ports.map((p) => ({ containerPort: p.containerPort, hostPort: p.hostPort })),
      namedPorts: this.namedPorts(rec),
    };
    const run: ProbeRun = { containerId: c.id, startedAt, startupDone: !probes.startup, tickerFrom: rec.status.createdAt };
    rec.run = run;
    const make = (kind: ProbeKind, probe: Probe): ProbeWorker =>
      new ProbeWorker(kind, probe, this.clock, (p, timeoutMs) => this.probeExecutor(p, target, timeoutMs), (state, prev) => this.onProbe(rec, run, state, prev));
    if (probes.startup) run.startup = make("startup", probes.startup);
    if (probes.readiness) run.readiness = make("readiness", probes.readiness);
    if (probes.liveness) run.liveness = make("liveness", probes.liveness);
    if (run.startup) run.startup.start({ tickerFrom: run.tickerFrom });
    else this.startMainProbes(run);
  }

  private startMainProbes(run: ProbeRun): void {
    run.readiness?.start({ tickerFrom: run.tickerFrom });
    run.liveness?.start({ tickerFrom: run.tickerFrom });
  }

  private onProbe(rec: PodRecord, run: ProbeRun, state: ProbeState, prev: ProbeState): void {
    if (rec.run !== run) return;
    if (state.kind === "startup") {
      if (state.result === "success" && !run.startupDone) {
        run.startupDone = true;
        run.startup?.stop();
        this.startMainProbes(run);
        this.refreshReady(rec);
      } else if (state.result === "failure") {
        this.requestKill(rec, "startup", state.message ?? "failed");
      }
      return;
    }
    if (state.kind === "liveness") {
      if (state.result === "failure") this.requestKill(rec, "liveness", state.message ?? "failed");
      else if (!state.successes && state.failures > 0) this.event(rec, "Warning", "Unhealthy", `liveness probe failed: ${state.message ?? ""}`);
      return;
    }
    if (state.result !== prev.result) {
      if (state.result === "failure") this.event(rec, "Warning", "Unhealthy", `readiness probe failed: ${state.message ?? ""}`);
      this.refreshReady(rec);
    } else if (state.result === "failure" && state.failures > 0 && state.failures % 6 === 1) {
      this.setStatus(rec, { message: `readiness probe failed: ${state.message ?? ""}` });
    }
  }

  private requestKill(rec: PodRecord, probe: ProbeKind, message: string): void {
    if (rec.kill) return;
    this.event(rec, "Warning", "Unhealthy", `${probe} probe failed: ${message}`);
    rec.kill = { probe, message };
    this.queue.add(rec.key);
  }

  private isReady(rec: PodRecord): boolean {
    const run = rec.run;
    if (!run || rec.kill || rec.deleting) return false;
    if (!run.startupDone) return false;
    return run.readiness ? run.readiness.state.result === "success" : true;
  }

  private notReadyMessage(rec: PodRecord): string | undefined {
    const run = rec.run;
    if (!run) return undefined;
    if (!run.startupDone) return "waiting for the startup probe";
    if (run.readiness && run.readiness.state.result !== "success") return run.readiness.state.message ? `readiness probe: ${run.readiness.state.message}` : "waiting for the readiness probe";
    return undefined;
  }

  private refreshReady(rec: PodRecord): void {
    if (rec.status.phase !== "Running") return;
    const ready = this.isReady(rec);
    this.setStatus(rec, {
      ready,
      readySince: ready ? (rec.status.readySince ?? this.clock.now()) : null,
      message: ready ? undefined : this.notReadyMessage(rec),
      reason: undefined,
    });
  }

  private stopProbes(rec: PodRecord): void {
    const run = rec.run;
    if (!run) return;
    run.startup?.stop();
    run.readiness?.stop();
    run.liveness?.stop();
    rec.run = undefined;
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

function secretOwner(user: string | undefined): { uid: number; gid: number } | undefined {
  if (!user) return undefined;
  const [u, g] = user.split(":");
  const uid = Number(u);
  const gid = g === undefined ? uid : Number(g);
  return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
}

export function createPodManager(options: PodManagerOptions): PodManager {
  return new DockerPodManager(options);
}
