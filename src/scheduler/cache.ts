import { addPorts, type PortSet } from "./filters/node-ports.js";
import { NOT_READY_TAINTS } from "./filters/taint-toleration.js";
import { compileTerm, termMatchesPod, type CompiledTerm, type WeightedTerm } from "./terms.js";
import type { ClusterSnapshot, PlacedPod, PodToSchedule, SchedulingNode, Taint } from "./types.js";

export const HOSTNAME_LABEL = "kubernetes.io/hostname";

/** Kubernetes counts a pod without requests as 100m CPU and 200Mi memory when scoring spread. */
export const NON_ZERO_CPU = 100;
export const NON_ZERO_MEMORY = 200 * 1024 * 1024;

export interface NodeRecord {
  name: string;
  labels: Record<string, string>;
  /** Configured taints, plus the not-ready ones while the node is not ready. */
  taints: Taint[];
  unschedulable: boolean;
  ready: boolean;
  images: Record<string, number>;
}

/** Pods that share namespace and labels (the replicas of one template), counted per node. */
export interface PodGroup {
  namespace: string;
  labels: Record<string, string>;
  terminating: boolean;
  /** node index → pods. */
  nodes: Map<number, number>;
}

/** Pods that carry pod affinity or anti-affinity terms, grouped by namespace, labels and terms. */
export interface TermHolder {
  namespace: string;
  nodes: Map<number, number>;
  requiredAffinity: CompiledTerm[];
  requiredAntiAffinity: CompiledTerm[];
  preferredAffinity: WeightedTerm[];
  preferredAntiAffinity: WeightedTerm[];
}

export interface TopologyIndex {
  key: string;
  /** node index → domain index, −1 when the node lacks the label. */
  domainOf: Int32Array;
  values: string[];
}

function labelKey(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  let s = "";
  for (const k of keys) s += `${k}\u0001${labels[k]}\u0002`;
  return s;
}

/** `nginx` → `nginx:latest`; references with a tag or digest are kept (Kubernetes' ImageLocality rule). */
export function normalizeImage(ref: string): string {
  if (ref.includes("@")) return ref;
  const slash = ref.lastIndexOf("/");
  return ref.slice(slash + 1).includes(":") ? ref : `${ref}:latest`;
}

function bump(map: Map<number, number>, idx: number, delta: number): void {
  const n = (map.get(idx) ?? 0) + delta;
  if (n > 0) map.set(idx, n);
  else map.delete(idx);
}

/**
 * The cluster as the scheduler keeps it between placements: per-node aggregates (requested
 * resources, host ports, pod counts) and pods grouped by label set, all updated in place by
 * `assume` and `forget`, so one placement costs a pass over the nodes, not over the pods.
 */
export class SchedulerCache {
  readonly nodes: NodeRecord[] = [];
  readonly index = new Map<string, number>();
  allocCpu = new Float64Array(0);
  allocMem = new Float64Array(0);
  allocPods = new Float64Array(0);
  reqCpu = new Float64Array(0);
  reqMem = new Float64Array(0);
  nzCpu = new Float64Array(0);
  nzMem = new Float64Array(0);
  podCount = new Int32Array(0);
  ports: (PortSet | undefined)[] = [];
  /** Bumped whenever a node's labels, taints, readiness, cordon or images change. */
  nodeVersion = 0;
  readonly groups: PodGroup[] = [];
  private readonly groupIndex = new Map<string, PodGroup>();
  readonly holders: TermHolder[] = [];
  private readonly holderIndex = new Map<string, TermHolder>();
  private topologies = new Map<string, TopologyIndex>();
  private readonly matchMemo = new Map<string, { groups: PodGroup[]; scanned: number; matches: (g: PodGroup) => boolean }>();
  /** Image reference → number of nodes holding it. */
  imageNodes = new Map<string, number>();
  namespaceLabels: Record<string, Record<string, string>> | undefined;
  /** Where the next search for feasible nodes starts (Kubernetes' nextStartNodeIndex). */
  nextStartNodeIndex = 0;

  constructor(snapshot: ClusterSnapshot) {
    this.namespaceLabels = snapshot.namespaceLabels;
    this.setNodes(snapshot.nodes);
    for (const pod of snapshot.pods) this.assume(pod, pod.node);
  }

  get size(): number {
    return this.nodes.length;
  }

  private setNodes(nodes: readonly SchedulingNode[]): void {
    const sorted = [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const n = sorted.length;
    this.nodes.length = 0;
    this.index.clear();
    this.allocCpu = new Float64Array(n);
    this.allocMem = new Float64Array(n);
    this.allocPods = new Float64Array(n);
    this.reqCpu = new Float64Array(n);
    this.reqMem = new Float64Array(n);
    this.nzCpu = new Float64Array(n);
    this.nzMem = new Float64Array(n);
    this.podCount = new Int32Array(n);
    this.ports = new Array(n).fill(undefined);
    sorted.forEach((node, i) => {
      if (this.index.has(node.name)) throw new Error(`scheduler: node ${node.name} is listed twice`);
      this.index.set(node.name, i);
      this.nodes.push(this.record(node));
      this.allocCpu[i] = node.allocatable.cpuMillis;
      this.allocMem[i] = node.allocatable.memoryBytes;
      this.allocPods[i] = node.allocatable.pods ?? Number.POSITIVE_INFINITY;
    });
    this.nodesChanged();
  }

  private record(node: SchedulingNode): NodeRecord {
    const ready = node.ready !== false;
    const images: Record<string, number> = {};
    for (const [ref, size] of Object.entries(node.images ?? {})) images[normalizeImage(ref)] = size;
    return {
      name: node.name,
      labels: node.labels[HOSTNAME_LABEL] === undefined ? { ...node.labels, [HOSTNAME_LABEL]: node.name } : node.labels,
      taints: ready ? [...node.taints] : [...node.taints, ...NOT_READY_TAINTS],
      unschedulable: Boolean(node.unschedulable),
      ready,
      images,
    };
  }

  private nodesChanged(): void {
    this.nodeVersion++;
    this.topologies = new Map();
    this.imageNodes = new Map();
    for (const n of this.nodes) for (const ref of Object.keys(n.images)) this.imageNodes.set(ref, (this.imageNodes.get(ref) ?? 0) + 1);
  }

  /** Replaces one node's description (labels, taints, readiness, cordon, images, allocatable); its pods stay. */
  updateNode(node: SchedulingNode): void {
    const i = this.index.get(node.name);
    if (i === undefined) throw new Error(`scheduler: unknown node ${node.name}`);
    this.nodes[i] = this.record(node);
    this.allocCpu[i] = node.allocatable.cpuMillis;
    this.allocMem[i] = node.allocatable.memoryBytes;
    this.allocPods[i] = node.allocatable.pods ?? Number.POSITIVE_INFINITY;
    this.nodesChanged();
  }

  topology(key: string): TopologyIndex {
    let t = this.topologies.get(key);
    if (t) return t;
    const domainOf = new Int32Array(this.nodes.length);
    const values: string[] = [];
    const ids = new Map<string, number>();
    this.nodes.forEach((n, i) => {
      const v = n.labels[key];
      if (v === undefined) {
        domainOf[i] = -1;
        return;
      }
      let id = ids.get(v);
      if (id === undefined) {
        id = values.length;
        ids.set(v, id);
        values.push(v);
      }
      domainOf[i] = id;
    });
    t = { key, domainOf, values };
    this.topologies.set(key, t);
    return t;
  }

  /** Records a pod on a node: the next placement sees its requests, ports, labels and terms. */
  assume(pod: PodToSchedule, node: string): void {
    this.account(pod, node, 1);
  }

  /** Takes back what `assume` (or the snapshot) recorded for this pod on this node. */
  forget(pod: PodToSchedule, node: string): void {
    this.account(pod, node, -1);
  }

  private account(pod: PodToSchedule | PlacedPod, node: string, delta: 1 | -1): void {
    const i = this.index.get(node);
    if (i === undefined) return; // pods on nodes the snapshot does not know (removed from config) take no room
    const cpu = pod.requests.cpuMillis;
    const mem = pod.requests.memoryBytes;
    this.reqCpu[i] = (this.reqCpu[i] as number) + delta * cpu;
    this.reqMem[i] = (this.reqMem[i] as number) + delta * mem;
    this.nzCpu[i] = (this.nzCpu[i] as number) + delta * (cpu || NON_ZERO_CPU);
    this.nzMem[i] = (this.nzMem[i] as number) + delta * (mem || NON_ZERO_MEMORY);
    this.podCount[i] = (this.podCount[i] as number) + delta;
    if (pod.hostPorts?.length) {
      let set = this.ports[i];
      if (!set) this.ports[i] = set = new Map();
      addPorts(set, pod.hostPorts, delta);
    }
    const terminating = Boolean((pod as PlacedPod).terminating);
    const gk = `${pod.namespace}\u0000${terminating ? "T" : ""}\u0000${labelKey(pod.labels)}`;
    let g = this.groupIndex.get(gk);
    if (!g) {
      g = { namespace: pod.namespace, labels: { ...pod.labels }, terminating, nodes: new Map() };
      this.groupIndex.set(gk, g);
      this.groups.push(g);
    }
    bump(g.nodes, i, delta);
    const pa = pod.affinity?.podAffinity;
    const paa = pod.affinity?.podAntiAffinity;
    if (pa || paa) {
      const hk = `${pod.namespace}\u0000${labelKey(pod.labels)}\u0000${JSON.stringify([pa ?? null, paa ?? null])}`;
      let h = this.holderIndex.get(hk);
      if (!h) {
        const c = (t: Parameters<typeof compileTerm>[0]) => compileTerm(t, pod.namespace, this.namespaceLabels);
        h = {
          namespace: pod.namespace,
          nodes: new Map(),
          requiredAffinity: (pa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map(c),
          requiredAntiAffinity: (paa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map(c),
          preferredAffinity: (pa?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ weight: w.weight, term: c(w.podAffinityTerm) })),
          preferredAntiAffinity: (paa?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ weight: w.weight, term: c(w.podAffinityTerm) })),
        };
        this.holderIndex.set(hk, h);
        this.holders.push(h);
      }
      bump(h.nodes, i, delta);
    }
  }

  /** Groups whose pods a term selects; new groups are checked once, when first seen. */
  matchingGroups(id: string, matches: (g: PodGroup) => boolean): PodGroup[] {
    let m = this.matchMemo.get(id);
    if (!m) {
      if (this.matchMemo.size > 4096) this.matchMemo.clear();
      m = { groups: [], scanned: 0, matches };
      this.matchMemo.set(id, m);
    }
    for (; m.scanned < this.groups.length; m.scanned++) {
      const g = this.groups[m.scanned] as PodGroup;
      if (m.matches(g)) m.groups.push(g);
    }
    return m.groups;
  }

  groupsForTerm(t: CompiledTerm): PodGroup[] {
    return this.matchingGroups(`t:${t.id}`, (g) => termMatchesPod(t, g.namespace, g.labels));
  }
}
