import { describe, expect, it } from "vitest";
import { previewPlacers, printPlan, type PlanReport } from "../../../src/cli/commands/plan.js";
import { previewRollout } from "../../../src/controllers/workloads/preview.js";
import type { PodTemplate } from "../../../src/manifest/index.js";
import { placedPod } from "../../../src/nodes/index.js";
import { schedulingNode } from "../../../src/scheduler/index.js";
import { antiAffinity } from "./cluster.js";

const GiB = 1024 ** 3;
const nodes = ["node-1", "node-2", "node-3"].map((name) => schedulingNode({ name, capacity: { cpuMillis: 2000, memoryBytes: GiB } }));
const template = (extra: Partial<PodTemplate["spec"]> = {}): PodTemplate => ({
  metadata: { labels: { app: "web" } },
  spec: { containers: [{ name: "web", image: "capstan-demo/web:v1" }], ...extra },
});

describe("plan: where new pods would go", () => {
  it("names a node per new pod, and Pending with the scheduler's reason when none fits", () => {
    const placer = previewPlacers({ snapshot: { nodes, pods: [] } })("prod", template({ affinity: antiAffinity }));
    const batches = previewRollout({ owner: "web", namespace: "prod", replicas: 4, strategy: { type: "RollingUpdate" }, revision: "r2", current: [], placer });
    const placed = Object.values(Object.assign({}, ...batches.map((b) => b.nodes ?? {})) as Record<string, string>);
    expect(placed.filter((n) => n.startsWith("node-")).sort()).toEqual(["node-1", "node-2", "node-3"]);
    expect(placed.filter((n) => n.startsWith("Pending"))).toEqual(["Pending: 0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules."]);
  });

  it("counts the room a stopped pod frees for the pods started after it", () => {
    const big = template({ containers: [{ name: "web", image: "capstan-demo/web:v1", resources: { requests: { memory: "600Mi" } } }] });
    const current = ["web-old-1", "web-old-2", "web-old-3"].map((name, i) => placedPod({ namespace: "prod", name, node: `node-${i + 1}`, labels: { app: "web" }, template: big, terminating: false }));
    const placer = previewPlacers({ snapshot: { nodes, pods: current } })("prod", big);
    const batches = previewRollout({
      owner: "web",
      namespace: "prod",
      replicas: 3,
      strategy: { type: "RollingUpdate", maxSurge: 0, maxUnavailable: 1 },
      revision: "r2",
      current: current.map((p) => ({ name: p.name as string, revision: "r1" })),
      placer,
    });
    expect(batches[0]?.delete).toHaveLength(1);
    const freed = current.find((p) => p.name === batches[0]?.delete[0])?.node;
    const firstStart = batches.find((b) => b.create.length > 0);
    expect(Object.values(firstStart?.nodes ?? {})).toEqual([freed]);
    expect(batches.flatMap((b) => Object.values(b.nodes ?? {})).every((n) => n.startsWith("node-"))).toBe(true);
  });

  it("prints each new pod's node when there are several nodes, and only the names with one", () => {
    const report: PlanReport = {
      app: "shop",
      revision: { ref: "main", sha: "a".repeat(40) },
      diff: { repo: "repo", apps: [] },
      tasks: [],
      rollouts: [{ deployment: "web", namespace: "prod", from: [], to: "r2", replicas: 2, strategy: "RollingUpdate", batches: [{ create: ["web-a", "web-b"], delete: [], nodes: { "web-a": "node-2", "web-b": "node-3" } }] }],
      changes: true,
      nodes: ["node-1", "node-2", "node-3"],
    };
    expect(printPlan(report, "text")).toContain("1. start web-a → node-2, web-b → node-3");
    expect(printPlan({ ...report, nodes: ["local"] }, "text")).toContain("1. start web-a, web-b");
    expect(JSON.parse(printPlan(report, "json")).rollouts[0].batches[0].nodes).toEqual({ "web-a": "node-2", "web-b": "node-3" });
  });
});
