import { describe, expect, it } from "vitest";
import { schedulePod } from "../../../src/scheduler/index.js";
import type { ScheduleResult } from "../../../src/scheduler/types.js";
import { GI, MI, node, placed, pod } from "./helpers.js";

function reason(r: ScheduleResult): string {
  if (!("unschedulable" in r)) throw new Error(`expected Pending, got ${r.node}`);
  return r.reason;
}
function nodeOf(r: ScheduleResult): string {
  if ("unschedulable" in r) throw new Error(`expected a node, got: ${r.reason}`);
  return r.node;
}

describe("NodeUnschedulable", () => {
  it("keeps pods off a cordoned node", () => {
    expect(reason(schedulePod(pod(), { nodes: [node("a", { unschedulable: true })], pods: [] }))).toBe("0/1 nodes are available: 1 node(s) were unschedulable.");
  });
  it("lets a pod that tolerates the unschedulable taint onto a cordoned node", () => {
    const p = pod({ tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }] });
    expect(nodeOf(schedulePod(p, { nodes: [node("a", { unschedulable: true })], pods: [] }))).toBe("a");
  });
});

describe("TaintToleration", () => {
  const tainted = node("a", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] });
  it.each([
    ["no toleration", undefined, false],
    ["Equal with the same value", [{ key: "dedicated", operator: "Equal" as const, value: "gpu", effect: "NoSchedule" as const }], true],
    ["Equal by default", [{ key: "dedicated", value: "gpu" }], true],
    ["Equal with another value", [{ key: "dedicated", operator: "Equal" as const, value: "cpu" }], false],
    ["Exists on the key", [{ key: "dedicated", operator: "Exists" as const }], true],
    ["Exists on another effect", [{ key: "dedicated", operator: "Exists" as const, effect: "NoExecute" as const }], false],
    ["empty key with Exists (tolerates everything)", [{ operator: "Exists" as const }], true],
  ])("a NoSchedule taint with %s", (_name, tolerations, fits) => {
    const r = schedulePod(pod(tolerations ? { tolerations } : {}), { nodes: [tainted], pods: [] });
    if (fits) expect(nodeOf(r)).toBe("a");
    else expect(reason(r)).toBe("0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}.");
  });
  it("refuses NoExecute taints and ignores PreferNoSchedule ones when filtering", () => {
    const nodes = [node("a", { taints: [{ key: "k", effect: "NoExecute" }] }), node("b", { taints: [{ key: "soft", value: "x", effect: "PreferNoSchedule" }] })];
    expect(nodeOf(schedulePod(pod(), { nodes, pods: [] }))).toBe("b");
    expect(reason(schedulePod(pod(), { nodes: [nodes[0]!], pods: [] }))).toBe("0/1 nodes are available: 1 node(s) had untolerated taint {k: }.");
  });
  it("treats a node that is not ready as carrying the not-ready taint", () => {
    const nodes = [node("a", { ready: false }), node("b", { ready: false })];
    expect(reason(schedulePod(pod(), { nodes, pods: [] }))).toBe("0/2 nodes are available: 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.");
    const tolerant = pod({ tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists" }] });
    expect(nodeOf(schedulePod(tolerant, { nodes, pods: [] }))).toBe("a");
  });
});

describe("NodeAffinity", () => {
  const nodes = [
    node("a", { labels: { zone: "z1", disk: "ssd", cores: "8" } }),
    node("b", { labels: { zone: "z2", cores: "32" } }),
    node("c", { labels: { zone: "z3" } }),
  ];
  const placeable = (p: ReturnType<typeof pod>) => nodes.filter((n) => !("unschedulable" in schedulePod(p, { nodes: [n], pods: [] }))).map((n) => n.name);
  const required = (...terms: object[]) => pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms as never } } } });
  it.each([
    ["nodeSelector", pod({ nodeSelector: { disk: "ssd" } }), ["a"]],
    ["In", required({ matchExpressions: [{ key: "zone", operator: "In", values: ["z1", "z2"] }] }), ["a", "b"]],
    ["NotIn (a missing label matches)", required({ matchExpressions: [{ key: "disk", operator: "NotIn", values: ["ssd"] }] }), ["b", "c"]],
    ["Exists", required({ matchExpressions: [{ key: "cores", operator: "Exists" }] }), ["a", "b"]],
    ["DoesNotExist", required({ matchExpressions: [{ key: "cores", operator: "DoesNotExist" }] }), ["c"]],
    ["Gt", required({ matchExpressions: [{ key: "cores", operator: "Gt", values: ["16"] }] }), ["b"]],
    ["Lt", required({ matchExpressions: [{ key: "cores", operator: "Lt", values: ["16"] }] }), ["a"]],
    ["matchFields metadata.name", required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["c"] }] }), ["c"]],
    ["terms ORed", required({ matchExpressions: [{ key: "zone", operator: "In", values: ["z1"] }] }, { matchExpressions: [{ key: "zone", operator: "In", values: ["z3"] }] }), ["a", "c"]],
    ["expressions ANDed", required({ matchExpressions: [{ key: "zone", operator: "In", values: ["z1", "z2"] }, { key: "disk", operator: "DoesNotExist" }] }), ["b"]],
    ["an empty term matches nothing", required({}), []],
  ])("%s", (_name, p, expected) => {
    expect(placeable(p)).toEqual(expected);
  });
  it("reports nodes that do not match in Kubernetes' words", () => {
    expect(reason(schedulePod(pod({ nodeSelector: { disk: "nvme" } }), { nodes, pods: [] }))).toBe("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.");
  });
});

describe("NodePorts", () => {
  it.each([
    ["same port, both on all addresses", { hostPort: 8080 }, { hostPort: 8080 }, false],
    ["same port, other protocol", { hostPort: 8080, protocol: "UDP" as const }, { hostPort: 8080 }, true],
    ["same port, two specific addresses", { hostPort: 8080, hostIP: "127.0.0.1" }, { hostPort: 8080, hostIP: "10.0.0.1" }, true],
    ["same port, specific against all", { hostPort: 8080, hostIP: "127.0.0.1" }, { hostPort: 8080 }, false],
    ["other port", { hostPort: 8081 }, { hostPort: 8080 }, true],
  ])("%s", (_name, existing, wanted, fits) => {
    const r = schedulePod(pod({ hostPorts: [wanted] }), { nodes: [node("a")], pods: [placed("a", { hostPorts: [existing] })] });
    if (fits) expect(nodeOf(r)).toBe("a");
    else expect(reason(r)).toBe("0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.");
  });
});

describe("NodeResourcesFit", () => {
  it("counts both short resources of a node and sorts the entries as the scheduler does", () => {
    const nodes = [
      node("a", { allocatable: { cpuMillis: 1000, memoryBytes: 1 * GI } }),
      node("b", { allocatable: { cpuMillis: 4000, memoryBytes: 1 * GI } }),
      node("c", { allocatable: { cpuMillis: 4000, memoryBytes: 8 * GI }, labels: { other: "x" } }),
    ];
    const p = pod({ requests: { cpuMillis: 2000, memoryBytes: 2 * GI }, nodeSelector: { pool: "main" } });
    const onlyFit = pod({ requests: { cpuMillis: 2000, memoryBytes: 2 * GI } });
    expect(reason(schedulePod(p, { nodes, pods: [] }))).toBe("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.");
    const r = schedulePod(onlyFit, { nodes: nodes.slice(0, 2), pods: [] });
    expect(reason(r)).toBe("0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.");
  });
  it("subtracts the requests of pods already on the node", () => {
    const nodes = [node("a", { allocatable: { cpuMillis: 1000, memoryBytes: 1 * GI } })];
    const r = schedulePod(pod({ requests: { cpuMillis: 600, memoryBytes: 100 * MI } }), { nodes, pods: [placed("a", { requests: { cpuMillis: 500, memoryBytes: 100 * MI } })] });
    expect(reason(r)).toBe("0/1 nodes are available: 1 Insufficient cpu.");
  });
  it("lets a pod without requests onto a full node, as Kubernetes", () => {
    const nodes = [node("a", { allocatable: { cpuMillis: 1000, memoryBytes: 1 * GI } })];
    const full = placed("a", { requests: { cpuMillis: 1000, memoryBytes: 1 * GI } });
    expect(nodeOf(schedulePod(pod({ requests: { cpuMillis: 0, memoryBytes: 0 } }), { nodes, pods: [full] }))).toBe("a");
  });
  it("bounds the number of pods when the node says so", () => {
    const nodes = [node("a", { allocatable: { cpuMillis: 4000, memoryBytes: 8 * GI, pods: 1 } })];
    expect(reason(schedulePod(pod(), { nodes, pods: [placed("a")] }))).toBe("0/1 nodes are available: 1 Too many pods.");
  });
});

describe("PodTopologySpread (DoNotSchedule)", () => {
  const zones = [node("a", { labels: { zone: "z1" } }), node("b", { labels: { zone: "z1" } }), node("c", { labels: { zone: "z2" } }), node("d")];
  const spread = (extra: object = {}) =>
    pod({ topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "web" } }, ...extra }] });
  it("keeps the skew between zones within maxSkew and names nodes without the key", () => {
    const r = schedulePod(spread(), { nodes: zones, pods: [placed("a"), placed("c"), placed("b")] });
    expect(nodeOf(r)).toBe("c");
    const blocked = schedulePod(spread(), { nodes: zones, pods: [placed("a"), placed("b")] });
    expect(nodeOf(blocked)).toBe("c");
    const none = schedulePod(spread(), { nodes: zones.slice(0, 3).concat(zones[3]!), pods: [placed("a"), placed("b"), placed("c"), placed("c")] });
    expect(nodeOf(none)).toMatch(/^[ab]$/);
    const full = schedulePod(spread(), {
      nodes: [zones[0]!, zones[2]!, zones[3]!].map((n) => ({ ...n, allocatable: { ...n.allocatable } })),
      pods: [placed("a"), placed("a")],
    });
    expect(nodeOf(full)).toBe("c");
    const stuck = schedulePod(spread(), { nodes: [zones[0]!, zones[3]!, node("e", { labels: { zone: "z2" }, taints: [] })], pods: [placed("a"), placed("e"), placed("e")] });
    expect(nodeOf(stuck)).toBe("a");
  });
  it("explains a node with too much skew and a node missing the topology label", () => {
    const nodes = [node("a", { labels: { zone: "z1" } }), node("c", { labels: { zone: "z2" }, allocatable: { cpuMillis: 0, memoryBytes: 0 } }), node("d")];
    const r = schedulePod(spread(), { nodes, pods: [placed("a")] });
    expect(reason(r)).toBe(
      "0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) didn't match pod topology spread constraints, 1 node(s) didn't match pod topology spread constraints (missing required label).",
    );
  });
  it("counts only pods in the pod's namespace that the selector matches, and not terminating ones", () => {
    const nodes = [node("a", { labels: { zone: "z1" } }), node("c", { labels: { zone: "z2" } })];
    const others = [placed("a", { namespace: "other" }), placed("a", { labels: { app: "db" } }), { ...placed("a"), terminating: true }];
    const onA = { ...spread({ nodeAffinityPolicy: "Ignore" }), nodeSelector: { "kubernetes.io/hostname": "a" } };
    expect(nodeOf(schedulePod(onA, { nodes, pods: others }))).toBe("a");
    expect(reason(schedulePod(onA, { nodes, pods: [placed("a")] }))).toBe(
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) didn't match pod topology spread constraints.",
    );
  });
  it("treats the global minimum as 0 while there are fewer domains than minDomains", () => {
    const nodes = [node("a", { labels: { zone: "z1" } }), node("c", { labels: { zone: "z2" } })];
    const r = schedulePod(spread({ minDomains: 3 }), { nodes, pods: [placed("a"), placed("c")] });
    expect(reason(r)).toBe("0/2 nodes are available: 2 node(s) didn't match pod topology spread constraints.");
  });
  it("ignores domains whose nodes the pod's node selector excludes (nodeAffinityPolicy Honor)", () => {
    const nodes = [node("a", { labels: { zone: "z1", pool: "x" } }), node("c", { labels: { zone: "z2" } })];
    const r = schedulePod({ ...spread(), nodeSelector: { pool: "x" } }, { nodes, pods: [placed("a"), placed("a")] });
    expect(nodeOf(r)).toBe("a");
  });
  it("counts tainted nodes' domains unless nodeTaintsPolicy is Honor", () => {
    const nodes = [node("a", { labels: { zone: "z1" } }), node("c", { labels: { zone: "z2" }, taints: [{ key: "t", effect: "NoSchedule" }] })];
    expect(reason(schedulePod(spread(), { nodes, pods: [placed("a")] }))).toBe(
      "0/2 nodes are available: 1 node(s) didn't match pod topology spread constraints, 1 node(s) had untolerated taint {t: }.",
    );
    expect(nodeOf(schedulePod(spread({ nodeTaintsPolicy: "Honor" }), { nodes, pods: [placed("a")] }))).toBe("a");
  });
  it("adds matchLabelKeys values of the incoming pod to the selector", () => {
    const nodes = [node("a", { labels: { zone: "z1" } }), node("c", { labels: { zone: "z2" } })];
    const p = pod({
      labels: { app: "web", rev: "2" },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "web" } }, matchLabelKeys: ["rev"] }],
    });
    const old = [placed("a", { labels: { app: "web", rev: "1" } }), placed("a", { labels: { app: "web", rev: "1" } })];
    expect(nodeOf(schedulePod(p, { nodes, pods: [...old, placed("c", { labels: { app: "web", rev: "2" } })] }))).toBe("a");
  });
});

describe("InterPodAffinity (required)", () => {
  const nodes = [node("a", { labels: { zone: "z1" } }), node("b", { labels: { zone: "z1" } }), node("c", { labels: { zone: "z2" } })];
  const anti = (key = "kubernetes.io/hostname") => pod({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: key, labelSelector: { matchLabels: { app: "web" } } }] } } });
  const aff = (key: string, app: string) => pod({ labels: { app: "web" }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: key, labelSelector: { matchLabels: { app } } }] } } });

  it("anti-affinity by hostname keeps replicas on different nodes", () => {
    expect(nodeOf(schedulePod(anti(), { nodes, pods: [placed("a"), placed("c")] }))).toBe("b");
    expect(reason(schedulePod(anti(), { nodes, pods: [placed("a"), placed("b"), placed("c")] }))).toBe("0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.");
  });
  it("anti-affinity by a node label keeps replicas in different zones", () => {
    expect(nodeOf(schedulePod(anti("zone"), { nodes, pods: [placed("a")] }))).toBe("c");
  });
  it("anti-affinity of existing pods refuses a pod they select (symmetry)", () => {
    const guard = placed("a", { labels: { app: "db" }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "zone", labelSelector: { matchLabels: { app: "web" } } }] } } });
    const r = schedulePod(pod({ nodeSelector: { zone: "z1" } }), { nodes, pods: [guard] });
    expect(reason(r)).toBe("0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) didn't satisfy existing pods anti-affinity rules.");
  });
  it("affinity places a pod in the zone of the pods it follows", () => {
    expect(nodeOf(schedulePod(aff("zone", "db"), { nodes, pods: [placed("c", { labels: { app: "db" } })] }))).toBe("c");
    expect(nodeOf(schedulePod(aff("kubernetes.io/hostname", "db"), { nodes, pods: [placed("b", { labels: { app: "db" } })] }))).toBe("b");
  });
  it("affinity with no matching pod anywhere is Pending, unless the pod matches its own term", () => {
    expect(reason(schedulePod(aff("zone", "db"), { nodes, pods: [] }))).toBe("0/3 nodes are available: 3 node(s) didn't match pod affinity rules.");
    expect(nodeOf(schedulePod(aff("zone", "web"), { nodes, pods: [] }))).toBe("a");
  });
  it("affinity terms select pods of the pod's own namespace unless namespaces are listed", () => {
    const elsewhere = placed("c", { namespace: "data", labels: { app: "db" } });
    expect(reason(schedulePod(aff("zone", "db"), { nodes, pods: [elsewhere] }))).toBe("0/3 nodes are available: 3 node(s) didn't match pod affinity rules.");
    const listed = pod({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "zone", namespaces: ["data"], labelSelector: { matchLabels: { app: "db" } } }] } } });
    expect(nodeOf(schedulePod(listed, { nodes, pods: [elsewhere] }))).toBe("c");
    const all = pod({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "zone", namespaceSelector: {}, labelSelector: { matchLabels: { app: "db" } } }] } } });
    expect(nodeOf(schedulePod(all, { nodes, pods: [elsewhere] }))).toBe("c");
    const byLabel = pod({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "zone", namespaceSelector: { matchLabels: { team: "data" } }, labelSelector: { matchLabels: { app: "db" } } }] } } });
    expect(nodeOf(schedulePod(byLabel, { nodes, pods: [elsewhere], namespaceLabels: { data: { team: "data" } } }))).toBe("c");
  });
  it("matchExpressions in a label selector", () => {
    const p = pod({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname", labelSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] } }] } } });
    expect(nodeOf(schedulePod(p, { nodes, pods: [placed("a", { labels: { app: "api" } }), placed("b", { labels: { app: "web" } })] }))).toBe("c");
  });
});

describe("filter order", () => {
  it("reports each node's first failing filter only", () => {
    const nodes = [node("a", { unschedulable: true, taints: [{ key: "t", effect: "NoSchedule" }] }), node("b", { taints: [{ key: "t", effect: "NoSchedule" }], labels: { x: "1" } })];
    expect(reason(schedulePod(pod({ nodeSelector: { y: "1" } }), { nodes, pods: [] }))).toBe("0/2 nodes are available: 1 node(s) had untolerated taint {t: }, 1 node(s) were unschedulable.");
  });
  it("says so when there are no nodes at all", () => {
    expect(reason(schedulePod(pod(), { nodes: [], pods: [] }))).toBe("no nodes available to schedule pods");
  });
});
