import { parseQuantity } from "../manifest/quantity.js";
import type { PodSpec } from "../manifest/schemas.js";
import type { Affinity, HostPort, PodToSchedule, ResourceAmounts, SchedulingNode, Taint } from "./types.js";

/** What Capstan keeps back on every node for the engine and itself (Kubernetes' system-reserved). */
export const DEFAULT_RESERVE: ResourceAmounts = { cpuMillis: 100, memoryBytes: 256 * 1024 * 1024 };

/** Capacity minus the reserve, never below zero. */
export function allocatable(capacity: ResourceAmounts, reserve: ResourceAmounts = DEFAULT_RESERVE): ResourceAmounts {
  return {
    cpuMillis: Math.max(0, capacity.cpuMillis - reserve.cpuMillis),
    memoryBytes: Math.max(0, capacity.memoryBytes - reserve.memoryBytes),
  };
}

/** CPU quantity in millicores (rounded up, as Kubernetes' MilliValue); 0 when absent. */
export function cpuMillis(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const parsed = parseQuantity(q);
  if (!parsed) return 0;
  const nano = parsed.nano;
  return Number((nano + 999_999n) / 1_000_000n);
}

/** Memory quantity in bytes (rounded up); 0 when absent. */
export function memoryBytes(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const parsed = parseQuantity(q);
  if (!parsed) return 0;
  return Number((parsed.nano + 999_999_999n) / 1_000_000_000n);
}

type ResourceList = { cpu?: string | number; memory?: string | number };
type ContainerLike = { image: string; resources?: { requests?: ResourceList; limits?: ResourceList }; ports?: { hostPort?: number; protocol?: "TCP" | "UDP" | "SCTP"; hostIP?: string }[] };

function containerRequests(c: ContainerLike): ResourceAmounts {
  // A limit without a request stands for the request, as the Kubernetes API defaults it.
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  return { cpuMillis: cpuMillis(req.cpu ?? lim.cpu), memoryBytes: memoryBytes(req.memory ?? lim.memory) };
}

/** A pod's requests: the sum over its containers, or the largest init container when that is more. */
export function podRequests(spec: Pick<PodSpec, "containers" | "initContainers">): ResourceAmounts {
  let cpu = 0;
  let mem = 0;
  for (const c of spec.containers) {
    const r = containerRequests(c);
    cpu += r.cpuMillis;
    mem += r.memoryBytes;
  }
  for (const c of spec.initContainers ?? []) {
    const r = containerRequests(c);
    cpu = Math.max(cpu, r.cpuMillis);
    mem = Math.max(mem, r.memoryBytes);
  }
  return { cpuMillis: cpu, memoryBytes: mem };
}

export function podHostPorts(spec: Pick<PodSpec, "containers" | "initContainers">): HostPort[] {
  const out: HostPort[] = [];
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (p.hostPort) out.push({ hostPort: p.hostPort, protocol: p.protocol ?? "TCP", ...(p.hostIP ? { hostIP: p.hostIP } : {}) });
    }
  }
  return out;
}

/** What the scheduler needs of a pod, read from its template (namespace and labels from its metadata). */
export function podToSchedule(input: { name?: string; namespace: string; labels?: Record<string, string>; spec: PodSpec }): PodToSchedule {
  const { spec } = input;
  return {
    ...(input.name ? { name: input.name } : {}),
    namespace: input.namespace,
    labels: input.labels ?? {},
    requests: podRequests(spec),
    hostPorts: podHostPorts(spec),
    ...(spec.nodeSelector ? { nodeSelector: spec.nodeSelector } : {}),
    // The manifest schema types weighted terms with a computed key; the shape is the same.
    ...(spec.affinity ? { affinity: spec.affinity as Affinity } : {}),
    ...(spec.tolerations ? { tolerations: spec.tolerations } : {}),
    ...(spec.topologySpreadConstraints ? { topologySpreadConstraints: spec.topologySpreadConstraints } : {}),
    images: [...(spec.initContainers ?? []), ...spec.containers].map((c) => c.image),
  };
}

/** A scheduling node from a node's configuration and measured capacity. */
export function schedulingNode(input: {
  name: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  capacity: ResourceAmounts;
  reserve?: ResourceAmounts;
  unschedulable?: boolean;
  ready?: boolean;
  images?: Record<string, number>;
  maxPods?: number;
}): SchedulingNode {
  const alloc = allocatable(input.capacity, input.reserve);
  return {
    name: input.name,
    labels: { "kubernetes.io/hostname": input.name, ...(input.labels ?? {}) },
    taints: input.taints ?? [],
    allocatable: input.maxPods === undefined ? alloc : { ...alloc, pods: input.maxPods },
    unschedulable: Boolean(input.unschedulable),
    ready: input.ready !== false,
    ...(input.images ? { images: input.images } : {}),
  };
}
