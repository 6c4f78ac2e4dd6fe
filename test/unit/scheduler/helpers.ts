import type { PlacedPod, PodToSchedule, SchedulingNode } from "../../../src/scheduler/types.js";

export const GI = 1024 ** 3;
export const MI = 1024 ** 2;

export function node(name: string, extra: Partial<SchedulingNode> = {}): SchedulingNode {
  return {
    name,
    labels: { "kubernetes.io/hostname": name, ...(extra.labels ?? {}) },
    taints: extra.taints ?? [],
    allocatable: extra.allocatable ?? { cpuMillis: 4000, memoryBytes: 8 * GI },
    ...(extra.unschedulable !== undefined ? { unschedulable: extra.unschedulable } : {}),
    ...(extra.ready !== undefined ? { ready: extra.ready } : {}),
    ...(extra.images ? { images: extra.images } : {}),
  };
}

export function pod(extra: Partial<PodToSchedule> = {}): PodToSchedule {
  return {
    namespace: "default",
    labels: { app: "web" },
    requests: { cpuMillis: 100, memoryBytes: 128 * MI },
    ...extra,
  };
}

export function placed(nodeName: string, extra: Partial<PodToSchedule> = {}): PlacedPod {
  return { ...pod(extra), node: nodeName };
}

/** Small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
