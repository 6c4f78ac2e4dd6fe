import { POD_LABEL, claimVolumeName } from "../controllers/pods/materialize.js";
import type { PlacementPod, PlacementRequest, PlacementResult, PodIntent, PodPlacer } from "../controllers/pods/types.js";
import { LABEL } from "../runtime/labels.js";
import { isUnschedulable, podToSchedule, schedulePod, Scheduler, SchedulerCache, unschedulableMessage } from "../scheduler/index.js";
import type { ClusterSnapshot, PlacedPod, PodToSchedule, SchedulerOptions, SchedulingNode } from "../scheduler/index.js";
import type { NodeHealthMonitor } from "./health.js";
import type { NodeRegistry } from "./registry.js";
import { nodeUsage, type NodeUsage } from "./usage.js";

/** Kubernetes' VolumeBinding reason for nodes that do not hold a pod's local volume. */
export const REASON_VOLUME_NODE_CONFLICT = "node(s) had volume node affinity conflict";

export interface PlacerOptions {
  /** Nodes, their capacity, labels, taints and cordon state (a promise: `NodeRegistry.open(…)` from a synchronous constructor). */
  registry: NodeRegistry | Promise<NodeRegistry>;
  /** Readiness of each node; without it each placement pings every engine. */
  health?: NodeHealthMonitor;
  /** Scoring strategy and weights. */
  scheduler?: SchedulerOptions;
  /** Namespace labels, for affinity terms with a namespaceSelector. */
  namespaceLabels?: () => Record<string, Record<string, string>>;
  /** Read nodes.json before each placement, so `capstan cordon` from another process counts at once (default true). */
  reloadCordons?: boolean;
}

/** The scheduler as the pod manager's placer, over the registry's nodes and the manager's pods. */
export interface NodePlacer extends PodPlacer {
  onNodesChanged(listener: () => void): () => void;
  /** The cluster as the scheduler sees it: the registry's nodes and the given pods. */
  snapshot(pods: readonly PlacementPod[]): Promise<ClusterSnapshot>;
  /** Tell the placer that nodes changed in a way it cannot see (a node added to the configuration). */
  nodesChanged(): void;
  /**
   * Where to read every pod kept on a node (the pod manager's pods, as it passes them to `place`),
   * so `nodeUsage` is current between placements and after a restart, not as of the last placement.
   */
  countPods(source: () => readonly PlacementPod[]): void;
  /**
   * Requests of the pods on each node, summed as the scheduler sums them (nodes without pods are
   * absent); undefined until `countPods` has been told where the pods are.
   */
  nodeUsage(): Map<string, NodeUsage> | undefined;
  /** Stops listening to the registry and the health monitor. */
  close(): void;
}

/** What the scheduler counts of a pod the manager keeps. */
export function placedPod(p: PlacementPod): PlacedPod {
  const base: PodToSchedule = p.template
    ? podToSchedule({ name: p.name, namespace: p.namespace, labels: p.labels, spec: p.template.spec })
    : { name: p.name, namespace: p.namespace, labels: p.labels, requests: { cpuMillis: 0, memoryBytes: 0 } };
  return { ...base, node: p.node, ...(p.terminating ? { terminating: true } : {}) };
}

/** What the scheduler needs of a pod to place, from its intent. */
export function intentToSchedule(intent: Pick<PodIntent, "name" | "namespace" | "template">): PodToSchedule {
  return podToSchedule({ name: intent.name, namespace: intent.namespace, labels: intent.template.metadata?.labels ?? {}, spec: intent.template.spec });
}

/**
 * Places pods with `schedulePod` over a snapshot of the registry's nodes (readiness from the
 * health monitor, cordons from nodes.json) and the manager's pods. A pod whose
 * persistentVolumeClaim volume already exists on a node goes to that node or nowhere (Docker
 * volumes are local, as Kubernetes' local PersistentVolumes are), so a StatefulSet ordinal stays
 * with its data. A pod whose container vanished keeps its node while that node still fits.
 */
export function createPlacer(options: PlacerOptions): NodePlacer {
  const { health } = options;
  const registryReady = Promise.resolve(options.registry);
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const l of listeners) l();
  };
  let closed = false;
  let podSource: (() => readonly PlacementPod[]) | undefined;
  const unsubscribes = [...(health ? [health.subscribe((e) => e.reason === "NodeReady" && notify())] : [])];
  void registryReady.then(
    (registry) => {
      if (closed) return;
      unsubscribes.push(
        registry.onChange((node) => {
          if (!registry.isCordoned(node)) notify();
        }),
      );
    },
    () => {},
  );

  async function nodes(): Promise<SchedulingNode[]> {
    const registry = await registryReady;
    // Cordons made by `capstan cordon` in another process: nodes.json is read again when it changed.
    if (options.reloadCordons !== false) await registry.reloadIfChanged().catch(() => []);
    return registry.schedulingNodes(health ? (n) => health.isReady(n) : undefined);
  }

  async function snapshot(pods: readonly PlacementPod[], known?: SchedulingNode[]): Promise<ClusterSnapshot> {
    const ns = options.namespaceLabels?.();
    return { nodes: known ?? (await nodes()), pods: pods.filter((p) => p.node).map(placedPod), ...(ns ? { namespaceLabels: ns } : {}) };
  }

  /** The node holding one of the pod's claim volumes, if any does. */
  async function claimNode(intent: PodIntent, ready: SchedulingNode[]): Promise<string | undefined> {
    const registry = await registryReady;
    const claims = (intent.template.spec.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : []));
    for (const claim of claims) {
      const volume = claimVolumeName(intent.namespace, claim);
      const answers = await Promise.all(
        ready.map(async (n) => {
          try {
            const vols = await registry.runtime(n.name).listVolumes({ [POD_LABEL.claim]: claim, [LABEL.namespace]: intent.namespace });
            return { node: n.name, answered: true, has: vols.some((v) => v.name === volume) };
          } catch {
            return { node: n.name, answered: false, has: false };
          }
        }),
      );
      const found = answers.find((a) => a.has);
      if (found) {
        await remember(volume, found.node);
        return found.node;
      }
      // Where the volume was last seen or put is the answer while that node does not answer.
      const remembered = registry.claimNode(volume);
      if (remembered !== undefined) {
        // Gone from a node that answered, or its node is no longer configured: the claim is gone.
        // Else its node is away: wait for it.
        const gone = !registry.names().includes(remembered) || answers.some((a) => a.node === remembered && a.answered);
        if (gone) await remember(volume, undefined);
        else return remembered;
      }
    }
    return undefined;
  }

  /**
   * Records where a claim volume lives. Best effort: the volume on its node is what decides while
   * that node answers, so a state directory that cannot be written never fails a placement.
   */
  async function remember(volume: string, node: string | undefined): Promise<void> {
    const registry = await registryReady;
    await registry.setClaimNode(volume, node).catch(() => undefined);
  }

  async function rememberClaims(intent: PodIntent, node: string): Promise<void> {
    for (const v of intent.template.spec.volumes ?? []) {
      if (v.persistentVolumeClaim) await remember(claimVolumeName(intent.namespace, v.persistentVolumeClaim.claimName), node);
    }
  }

  /**
   * The scheduler's cache kept from one placement to the next, so a placement costs a pass over
   * the nodes and over the pods that changed, not a count of every pod: pods are assumed when they
   * first come, forgotten and assumed again when their object changes (see PlacementRequest), and
   * forgotten when they are no longer listed. Made anew when the nodes or namespace labels change,
   * and once forgotten pods outnumber the kept ones (label sets of old revisions stay in the cache).
   */
  interface KeptPod {
    key: string;
    pod: PlacementPod;
    placed: PlacedPod;
    /** The placement that last listed the pod. */
    seen: number;
  }
  let kept: { nodesKey: string; cache: SchedulerCache; scheduler: Scheduler; pods: Map<string, KeptPod>; byObject: Map<PlacementPod, KeptPod>; forgotten: number } | undefined;
  let generation = 0;

  function keptScheduler(all: SchedulingNode[], pods: readonly PlacementPod[]): Scheduler {
    const ns = options.namespaceLabels?.();
    const nodesKey = JSON.stringify([all, ns ?? null]);
    if (!kept || kept.nodesKey !== nodesKey || kept.forgotten > kept.pods.size + 256) {
      const cache = new SchedulerCache({ nodes: all, pods: [], ...(ns ? { namespaceLabels: ns } : {}) });
      kept = { nodesKey, cache, scheduler: new Scheduler(cache, options.scheduler), pods: new Map(), byObject: new Map(), forgotten: 0 };
    }
    const k = kept;
    const seen = ++generation;
    for (const p of pods) {
      if (!p.node) continue;
      const same = k.byObject.get(p);
      if (same) {
        same.seen = seen;
        continue;
      }
      const key = `${p.namespace}/${p.name}`;
      const had = k.pods.get(key);
      if (had) {
        k.cache.forget(had.placed, had.placed.node);
        k.forgotten++;
        k.byObject.delete(had.pod);
      }
      const entry = { key, pod: p, placed: placedPod(p), seen };
      k.cache.assume(entry.placed, entry.placed.node);
      k.pods.set(key, entry);
      k.byObject.set(p, entry);
    }
    for (const [key, had] of k.pods) {
      if (had.seen === seen) continue;
      k.cache.forget(had.placed, had.placed.node);
      k.forgotten++;
      k.pods.delete(key);
      k.byObject.delete(had.pod);
    }
    return k.scheduler;
  }

  async function place(request: PlacementRequest): Promise<PlacementResult> {
    const all = await nodes();
    const pod = intentToSchedule(request.intent);
    const only = async (name: string) => ({ ...(await snapshot(request.pods, all)), nodes: all.filter((n) => n.name === name) });

    const pinned = await claimNode(request.intent, all.filter((n) => n.ready !== false));
    if (pinned !== undefined) {
      const r = schedulePod(pod, await only(pinned), options.scheduler);
      if (!isUnschedulable(r)) return { node: r.node };
      const others = all.filter((n) => n.name !== pinned).length;
      const reasons = { ...r.reasons };
      if (others > 0) reasons[REASON_VOLUME_NODE_CONFLICT] = (reasons[REASON_VOLUME_NODE_CONFLICT] ?? 0) + others;
      return { unschedulable: true, message: unschedulableMessage(all.length, reasons) };
    }
    if (request.current !== undefined) {
      const r = schedulePod(pod, await only(request.current), options.scheduler);
      if (!isUnschedulable(r)) return { node: r.node };
    }
    const r = keptScheduler(all, request.pods).schedule(pod);
    if (isUnschedulable(r)) return { unschedulable: true, message: r.reason };
    await rememberClaims(request.intent, r.node);
    return { node: r.node };
  }

  return {
    place,
    snapshot: (pods) => snapshot(pods),
    onNodesChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    nodesChanged: notify,
    countPods(source) {
      podSource = source;
    },
    nodeUsage: () => (podSource ? nodeUsage(podSource()) : undefined),
    close() {
      closed = true;
      for (const u of unsubscribes) u();
      listeners.clear();
    },
  };
}
