import { describe, expect, it } from "vitest";
import { Scheduler } from "../../../src/scheduler/index.js";
import type { PlacedPod, PodToSchedule, SchedulingNode } from "../../../src/scheduler/types.js";
import { GI, MI, rng } from "./helpers.js";
import { referenceSchedule } from "./reference.js";

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

function randomCluster(rand: () => number): SchedulingNode[] {
  const count = 3 + Math.floor(rand() * 10);
  return Array.from({ length: count }, (_, i) => {
    const labels: Record<string, string> = {};
    if (rand() < 0.85) labels.zone = pick(rand, ["z1", "z2", "z3"]);
    if (rand() < 0.4) labels.disk = "ssd";
    const taints: SchedulingNode["taints"] = [];
    if (rand() < 0.15) taints.push({ key: "dedicated", value: pick(rand, ["a", "b"]), effect: pick(rand, ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const) });
    return {
      name: `node-${i}`,
      labels,
      taints,
      allocatable: { cpuMillis: pick(rand, [1000, 2000, 4000]), memoryBytes: pick(rand, [1, 2, 4]) * GI, ...(rand() < 0.1 ? { pods: 3 } : {}) },
      unschedulable: rand() < 0.1,
      ready: rand() > 0.1,
      ...(rand() < 0.5 ? { images: { "web:1": pick(rand, [50, 400, 900]) * MI } } : {}),
    };
  });
}

function randomPod(rand: () => number): PodToSchedule {
  const app = pick(rand, ["web", "api", "db"]);
  const p: PodToSchedule = {
    namespace: pick(rand, ["default", "default", "team"]),
    labels: { app },
    requests: { cpuMillis: pick(rand, [0, 100, 250, 500]), memoryBytes: pick(rand, [0, 64, 256, 512]) * MI },
    images: rand() < 0.5 ? ["web:1"] : [],
  };
  if (rand() < 0.1) p.hostPorts = [{ hostPort: pick(rand, [80, 443]), ...(rand() < 0.3 ? { hostIP: "127.0.0.1" } : {}) }];
  if (rand() < 0.15) p.nodeSelector = { disk: "ssd" };
  if (rand() < 0.15) p.tolerations = [{ key: "dedicated", operator: "Exists" }];
  const term = (key: string, target: string) => ({ topologyKey: key, labelSelector: { matchLabels: { app: target } } });
  const r = rand();
  if (r < 0.15) p.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(pick(rand, ["kubernetes.io/hostname", "zone"]), app)] } };
  else if (r < 0.25) p.affinity = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term("zone", pick(rand, ["web", "db"]))] } };
  else if (r < 0.4)
    p.affinity = {
      podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 30, podAffinityTerm: term("zone", "db") }] },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 70, podAffinityTerm: term("kubernetes.io/hostname", app) }] },
    };
  else if (r < 0.45)
    p.affinity = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 40, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["z1"] }] } }] } };
  if (rand() < 0.3) {
    p.topologySpreadConstraints = [
      { maxSkew: pick(rand, [1, 2]), topologyKey: pick(rand, ["zone", "kubernetes.io/hostname"]), whenUnsatisfiable: pick(rand, ["DoNotSchedule", "ScheduleAnyway"] as const), labelSelector: { matchLabels: { app } } },
    ];
    if (rand() < 0.3) p.topologySpreadConstraints.push({ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app } }, minDomains: 2 });
  }
  return p;
}

describe("SchedulerCache", () => {
  it("places every pod where a from-scratch computation over all pods would, on random clusters", () => {
    let placements = 0;
    let pendings = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const rand = rng(seed);
      const nodes = randomCluster(rand);
      const pods: PlacedPod[] = [];
      const scheduler = new Scheduler({ nodes, pods: [] }, { percentageOfNodesToScore: 100 });
      for (let step = 0; step < 40; step++) {
        if (pods.length > 0 && rand() < 0.15) {
          const [gone] = pods.splice(Math.floor(rand() * pods.length), 1);
          scheduler.forget(gone!, gone!.node);
          continue;
        }
        const pod = randomPod(rand);
        const got = scheduler.schedule(pod);
        const want = referenceSchedule(pod, nodes, pods);
        expect(got, `seed ${seed} step ${step}`).toEqual(want);
        if ("node" in got) {
          scheduler.assume(pod, got.node);
          pods.push({ ...pod, node: got.node });
          placements++;
        } else pendings++;
      }
    }
    // The random clusters exercise both outcomes.
    expect(placements).toBeGreaterThan(500);
    expect(pendings).toBeGreaterThan(50);
  });

  it("gives the same answer when built from a snapshot as when the same pods were assumed one by one", () => {
    const rand = rng(7);
    const nodes = randomCluster(rand);
    const incremental = new Scheduler({ nodes, pods: [] }, { percentageOfNodesToScore: 100 });
    const pods: PlacedPod[] = [];
    for (let i = 0; i < 30; i++) {
      const pod = randomPod(rand);
      const r = incremental.schedule(pod);
      if ("node" in r) {
        incremental.assume(pod, r.node);
        pods.push({ ...pod, node: r.node });
      }
    }
    const fresh = new Scheduler({ nodes, pods }, { percentageOfNodesToScore: 100 });
    for (let i = 0; i < 20; i++) {
      const pod = randomPod(rand);
      expect(fresh.schedule(pod)).toEqual(incremental.schedule(pod));
    }
  });

  it("sees a node's new readiness, cordon and labels at the next placement", () => {
    const nodes: SchedulingNode[] = [
      { name: "a", labels: {}, taints: [], allocatable: { cpuMillis: 1000, memoryBytes: GI } },
      { name: "b", labels: {}, taints: [], allocatable: { cpuMillis: 1000, memoryBytes: GI } },
    ];
    const s = new Scheduler({ nodes, pods: [] });
    const pod: PodToSchedule = { namespace: "default", labels: {}, requests: { cpuMillis: 100, memoryBytes: MI }, nodeSelector: { role: "edge" } };
    expect(s.schedule(pod)).toMatchObject({ unschedulable: true });
    s.cache.updateNode({ ...nodes[1]!, labels: { role: "edge" } });
    expect(s.schedule(pod)).toMatchObject({ node: "b" });
    s.cache.updateNode({ ...nodes[1]!, labels: { role: "edge" }, ready: false });
    expect(s.schedule(pod)).toMatchObject({
      reason: "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.",
    });
    s.cache.updateNode({ ...nodes[1]!, labels: { role: "edge" }, unschedulable: true });
    expect(s.schedule(pod)).toMatchObject({ reason: "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable." });
  });
});
