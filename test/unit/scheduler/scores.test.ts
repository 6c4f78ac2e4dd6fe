import { describe, expect, it } from "vitest";
import { numFeasibleNodesToFind, Scheduler, schedulePod } from "../../../src/scheduler/index.js";
import type { Placement, ScheduleResult, SchedulerOptions } from "../../../src/scheduler/types.js";
import { GI, MI, node, placed, pod } from "./helpers.js";

function placement(r: ScheduleResult): Placement {
  if ("unschedulable" in r) throw new Error(`expected a node, got: ${r.reason}`);
  return r;
}
const only = (name: keyof NonNullable<SchedulerOptions["weights"]>): SchedulerOptions => ({
  weights: { NodeResourcesFit: 0, NodeResourcesBalancedAllocation: 0, NodeAffinity: 0, InterPodAffinity: 0, PodTopologySpread: 0, TaintToleration: 0, ImageLocality: 0, [name]: 1 },
});

describe("NodeResourcesFit score", () => {
  it("LeastAllocated prefers the emptier node and scores (free share of CPU + free share of memory) / 2", () => {
    const r = placement(schedulePod(pod(), { nodes: [node("a"), node("b")], pods: [placed("a", { requests: { cpuMillis: 2000, memoryBytes: 4 * GI } })] }));
    expect(r.node).toBe("b");
    expect(r.scores.NodeResourcesFit).toBe(Math.floor((97 + 98) / 2));
  });
  it("MostAllocated packs pods onto the fuller node", () => {
    const r = placement(schedulePod(pod(), { nodes: [node("a"), node("b")], pods: [placed("a", { requests: { cpuMillis: 2000, memoryBytes: 4 * GI } })] }, { scoringStrategy: "MostAllocated" }));
    expect(r.node).toBe("a");
    expect(r.scores.NodeResourcesFit).toBe(Math.floor((52 + 51) / 2));
  });
  it("counts a pod without requests as 100m CPU and 200Mi memory", () => {
    const r = placement(schedulePod(pod({ requests: { cpuMillis: 0, memoryBytes: 0 } }), { nodes: [node("a")], pods: [] }));
    expect(r.scores.NodeResourcesFit).toBe(Math.floor((97 + Math.floor(((8192 - 200) * 100) / 8192)) / 2));
  });
});

describe("NodeResourcesBalancedAllocation score", () => {
  it("prefers the node where CPU and memory stay in proportion", () => {
    const nodes = [node("cpu-heavy"), node("even")];
    const pods = [placed("cpu-heavy", { requests: { cpuMillis: 3000, memoryBytes: 1 * GI } }), placed("even", { requests: { cpuMillis: 1000, memoryBytes: 1 * GI } })];
    const r = placement(schedulePod(pod({ requests: { cpuMillis: 1000, memoryBytes: 4 * GI } }), { nodes, pods }, only("NodeResourcesBalancedAllocation")));
    expect(r.node).toBe("even");
    // even: cpu 2000/4000 = 0.5, memory 5/8 = 0.625 → 100 × (1 − 0.0625)
    expect(r.scores.NodeResourcesBalancedAllocation).toBe(93);
  });
  it("does not score a pod without requests", () => {
    const r = placement(schedulePod(pod({ requests: { cpuMillis: 0, memoryBytes: 0 } }), { nodes: [node("a")], pods: [] }));
    expect(r.scores.NodeResourcesBalancedAllocation).toBe(0);
  });
});

describe("NodeAffinity score", () => {
  it("sums the weights of matching preferred terms and scales the best feasible node to 100", () => {
    const p = pod({
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 20, preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] } },
            { weight: 60, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["z1"] }] } },
          ],
        },
      },
    });
    const nodes = [node("a", { labels: { disk: "ssd" } }), node("b", { labels: { disk: "ssd", zone: "z1" } }), node("c")];
    const s = new Scheduler({ nodes, pods: [] }, only("NodeAffinity"));
    const r = placement(s.schedule(p));
    expect(r.node).toBe("b");
    expect(r.scores.NodeAffinity).toBe(100);
    // Scaling is over the feasible nodes only: with b cordoned, a's 20 is the best there is.
    const cordoned = [nodes[0]!, { ...nodes[1]!, unschedulable: true }, nodes[2]!];
    const onA = placement(new Scheduler({ nodes: cordoned, pods: [] }, only("NodeAffinity")).schedule(p));
    expect(onA.node).toBe("a");
    expect(onA.scores.NodeAffinity).toBe(100);
  });
});

describe("TaintToleration score", () => {
  const nodes = [node("a", { taints: [{ key: "spot", value: "yes", effect: "PreferNoSchedule" }] }), node("b")];
  it("prefers nodes with fewer untolerated PreferNoSchedule taints", () => {
    const r = placement(schedulePod(pod(), { nodes, pods: [placed("b"), placed("b")] }));
    expect(r.node).toBe("b");
    expect(r.scores.TaintToleration).toBe(100);
  });
  it("gives tolerated PreferNoSchedule taints no weight", () => {
    const p = pod({ tolerations: [{ key: "spot", operator: "Exists", effect: "PreferNoSchedule" }] });
    const r = placement(schedulePod(p, { nodes, pods: [placed("b"), placed("b")] }));
    expect(r.node).toBe("a");
    expect(r.scores.TaintToleration).toBe(100);
  });
});

describe("ImageLocality score", () => {
  it("prefers a node that already has the image, scaled by how many nodes have it", () => {
    const nodes = [node("a"), node("b", { images: { "docker.io/web:1": 500 * MI } })];
    const r = placement(schedulePod(pod({ images: ["docker.io/web:1"] }), { nodes, pods: [] }, only("ImageLocality")));
    expect(r.node).toBe("b");
    expect(r.scores.ImageLocality).toBe(Math.floor((100 * (250 - 23)) / (1000 - 23)));
  });
  it("reads an untagged reference as :latest", () => {
    const nodes = [node("a"), node("b", { images: { "web:latest": 2000 * MI } })];
    const r = placement(schedulePod(pod({ images: ["web"] }), { nodes, pods: [] }, only("ImageLocality")));
    expect(r.node).toBe("b");
    expect(r.scores.ImageLocality).toBe(100);
  });
});

describe("InterPodAffinity score", () => {
  const nodes = [node("a", { labels: { zone: "z1" } }), node("b", { labels: { zone: "z2" } })];
  it("prefers the zone of pods the pod has preferred affinity to", () => {
    const p = pod({ affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { topologyKey: "zone", labelSelector: { matchLabels: { app: "db" } } } }] } } });
    const r = placement(schedulePod(p, { nodes, pods: [placed("b", { labels: { app: "db" } }), placed("b", { labels: { app: "db" } })] }));
    expect(r.node).toBe("b");
    expect(r.scores.InterPodAffinity).toBe(100);
  });
  it("avoids nodes with pods the pod has preferred anti-affinity to", () => {
    const p = pod({ affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "web" } } } }] } } });
    const r = placement(schedulePod(p, { nodes, pods: [placed("b")] }, only("InterPodAffinity")));
    expect(r.node).toBe("a");
  });
  it("honours existing pods' preferences towards the incoming pod (symmetry)", () => {
    const lonely = placed("b", { labels: { app: "cache" }, affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: "zone", labelSelector: { matchLabels: { app: "web" } } } }] } } });
    const r = placement(schedulePod(pod(), { nodes, pods: [lonely] }, only("InterPodAffinity")));
    expect(r.node).toBe("b");
    const hard = placed("b", { labels: { app: "cache" }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "zone", labelSelector: { matchLabels: { app: "web" } } }] } } });
    expect(placement(schedulePod(pod(), { nodes, pods: [hard] }, only("InterPodAffinity"))).node).toBe("b");
  });
});

describe("PodTopologySpread score", () => {
  it("prefers the node whose domain has fewer matching pods (ScheduleAnyway)", () => {
    const p = pod({ topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: "web" } } }] });
    const r = placement(schedulePod(p, { nodes: [node("a"), node("b")], pods: [placed("a"), placed("a")] }, only("PodTopologySpread")));
    expect(r.node).toBe("b");
    expect(r.scores.PodTopologySpread).toBe(100);
  });
  it("gives 0 to nodes that lack the topology key", () => {
    const p = pod({ topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: "web" } } }] });
    const r = placement(schedulePod(p, { nodes: [node("a", { labels: { zone: "z1" } }), node("b")], pods: [placed("a"), placed("a"), placed("a")] }, only("PodTopologySpread")));
    expect(r.node).toBe("a");
  });
});

describe("tie-break", () => {
  it("picks the node with fewer pods, then the name that sorts first", () => {
    const nodes = [node("c"), node("b"), node("a")];
    const zeroRequests = { requests: { cpuMillis: 0, memoryBytes: 0 } };
    const s = new Scheduler({ nodes, pods: [placed("a", zeroRequests)] }, only("TaintToleration"));
    expect(placement(s.schedule(pod())).node).toBe("b");
    s.assume(pod(zeroRequests), "b");
    expect(placement(s.schedule(pod())).node).toBe("c");
    s.assume(pod(zeroRequests), "c");
    expect(placement(s.schedule(pod())).node).toBe("a");
  });
  it("places identical replicas on identical nodes one after another in name order", () => {
    const s = new Scheduler({ nodes: [node("n3"), node("n1"), node("n2")], pods: [] });
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = placement(s.schedule(pod()));
      order.push(r.node);
      s.assume(pod(), r.node);
    }
    expect(order).toEqual(["n1", "n2", "n3", "n1", "n2", "n3"]);
  });
});

describe("share of nodes searched (percentageOfNodesToScore)", () => {
  it.each([
    [20, 0, 20],
    [100, 0, 100],
    [1000, 0, 420],
    [5000, 0, 500],
    [6000, 0, 300],
    [5000, 100, 5000],
    [5000, 1, 100],
  ])("%i nodes at %i%% → %i feasible nodes looked for", (nodes, pct, expected) => {
    expect(numFeasibleNodesToFind(nodes, pct)).toBe(expected);
  });
  it("stops the search once enough feasible nodes are found and starts the next search after them", () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => node(`n${String(i).padStart(4, "0")}`));
    const s = new Scheduler({ nodes, pods: [] });
    const r = placement(s.schedule(pod()));
    expect(r.feasibleNodes).toBe(420);
    expect(r.evaluatedNodes).toBe(420);
    expect(s.cache.nextStartNodeIndex).toBe(420);
    const all = placement(new Scheduler({ nodes, pods: [] }, { percentageOfNodesToScore: 100 }).schedule(pod()));
    expect(all.feasibleNodes).toBe(1000);
  });
  it("looks at every node before saying a pod is Pending", () => {
    const nodes = Array.from({ length: 300 }, (_, i) => node(`n${i}`, { allocatable: { cpuMillis: 100, memoryBytes: GI } }));
    const r = new Scheduler({ nodes, pods: [] }).schedule(pod({ requests: { cpuMillis: 200, memoryBytes: MI } }));
    expect(r).toMatchObject({ unschedulable: true, reason: "0/300 nodes are available: 300 Insufficient cpu." });
  });
});
