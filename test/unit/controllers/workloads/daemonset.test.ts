import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Applier } from "../../../../src/controllers/apply/applier.js";
import { MemoryDesiredStore } from "../../../../src/controllers/apply/desired-store.js";
import { FakeClock } from "../../../../src/controllers/clock.js";
import { DockerPodManager } from "../../../../src/controllers/pods/manager.js";
import { normalize } from "../../../../src/manifest/index.js";
import type { ManifestObject } from "../../../../src/manifest/index.js";
import { LABEL } from "../../../../src/runtime/labels.js";
import { FakeRuntime } from "../../../../src/runtime/fake.js";
import { daemonSetHealth } from "../../../../src/health/index.js";
import { daemonPodName, daemonPodTemplate } from "../../../../src/controllers/workloads/daemonset.js";
import { daemonSetStep, nodeEligibility } from "../../../../src/controllers/workloads/daemonset-step.js";
import type { DaemonNode, DaemonPod, DaemonSetState } from "../../../../src/controllers/workloads/daemonset-step.js";
import type { PodSpec, PodTemplate } from "../../../../src/manifest/index.js";

const spec = (over: Record<string, unknown> = {}): PodSpec => ({ containers: [{ name: "agent", image: "agent:1" }], ...over }) as PodSpec;
const nodes: DaemonNode[] = [
  { name: "n1", labels: { disk: "ssd" } },
  { name: "n2", labels: { disk: "hdd" } },
  { name: "n3", labels: { disk: "ssd" }, taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }] },
];
const pod = (node: string, revision = "r2", over: Partial<DaemonPod> = {}): DaemonPod => ({
  name: `agent-${node}-${revision}`,
  node,
  revision,
  phase: "Running",
  ready: true,
  available: true,
  terminating: false,
  ...over,
});
const ds = (over: Partial<DaemonSetState>): DaemonSetState => ({ name: "agent", revision: "r2", spec: spec(), nodes, pods: [], updateStrategy: "RollingUpdate", ...over });
const summary = (s: DaemonSetState) => daemonSetStep(s).actions.map((a) => (a.type === "create" ? `create ${a.node}` : `delete ${a.name}`));

describe("DaemonSet steps", () => {
  it("puts one pod on every node except the one whose taint the template does not tolerate", () => {
    const step = daemonSetStep(ds({}));
    expect(step.eligible).toEqual(["n1", "n2"]);
    expect(step.skipped).toEqual([{ node: "n3", reason: "node(s) had untolerated taint {dedicated: db}" }]);
    expect(summary(ds({}))).toEqual(["create n1", "create n2"]);
  });

  it("includes the tainted node when the template tolerates its taint", () => {
    const s = ds({ spec: spec({ tolerations: [{ key: "dedicated", operator: "Equal", value: "db", effect: "NoSchedule" }] }) });
    expect(daemonSetStep(s).eligible).toEqual(["n1", "n2", "n3"]);
  });

  it("honours nodeSelector and required node affinity", () => {
    expect(daemonSetStep(ds({ spec: spec({ nodeSelector: { disk: "ssd" } }) })).eligible).toEqual(["n1"]);
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "disk", operator: "In", values: ["hdd"] }] }] } } };
    expect(daemonSetStep(ds({ spec: spec({ affinity }) })).eligible).toEqual(["n2"]);
    const byName = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["n1"] }] }] } } };
    expect(daemonSetStep(ds({ spec: spec({ affinity: byName }) })).eligible).toEqual(["n2"]);
  });

  it("keeps placing pods on cordoned nodes and on nodes under memory pressure, as Kubernetes' default tolerations allow", () => {
    const cordoned: DaemonNode[] = [
      { name: "a", unschedulable: true },
      { name: "b", taints: [{ key: "node.kubernetes.io/memory-pressure", effect: "NoSchedule" }] },
    ];
    expect(daemonSetStep(ds({ nodes: cordoned })).eligible).toEqual(["a", "b"]);
  });

  it("keeps a pod on a node that gained a NoSchedule taint, and removes one from a node with an untolerated NoExecute taint", () => {
    expect(nodeEligibility(spec(), { name: "x", taints: [{ key: "k", effect: "NoSchedule" }] })).toMatchObject({ shouldRun: false, shouldContinue: true });
    const tainted: DaemonNode[] = [
      { name: "x", taints: [{ key: "k", effect: "NoSchedule" }] },
      { name: "y", taints: [{ key: "k", effect: "NoExecute" }] },
    ];
    expect(summary(ds({ nodes: tainted, pods: [pod("x"), pod("y")] }))).toEqual(["delete agent-y-r2"]);
  });

  it("removes pods from nodes that are no longer eligible or gone", () => {
    expect(summary(ds({ pods: [pod("n1"), pod("n2"), pod("n9")], spec: spec({ nodeSelector: { disk: "ssd" } }) }))).toEqual(["delete agent-n2-r2", "delete agent-n9-r2"]);
  });

  it("replaces one node's pod at a time when the template changes (maxUnavailable 1)", () => {
    const old = [pod("n1", "r1"), pod("n2", "r1")];
    expect(summary(ds({ pods: old }))).toEqual(["delete agent-n1-r1"]);
    // While n1's old pod terminates nothing else moves; once it is gone its new pod is created.
    expect(summary(ds({ pods: [pod("n1", "r1", { terminating: true }), pod("n2", "r1")] }))).toEqual([]);
    expect(summary(ds({ pods: [pod("n2", "r1")] }))).toEqual(["create n1"]);
    expect(summary(ds({ pods: [pod("n1", "r2", { ready: false, available: false, phase: "Pending" }), pod("n2", "r1")] }))).toEqual([]);
    expect(summary(ds({ pods: [pod("n1"), pod("n2", "r1")] }))).toEqual(["delete agent-n2-r1"]);
  });

  it("replaces as many nodes at once as maxUnavailable allows", () => {
    const three: DaemonNode[] = [{ name: "a" }, { name: "b" }, { name: "c" }];
    expect(summary(ds({ nodes: three, maxUnavailable: 2, pods: [pod("a", "r1"), pod("b", "r1"), pod("c", "r1")] }))).toEqual(["delete agent-a-r1", "delete agent-b-r1"]);
  });

  it("leaves old pods alone under OnDelete", () => {
    expect(summary(ds({ updateStrategy: "OnDelete", pods: [pod("n1", "r1"), pod("n2", "r1")] }))).toEqual([]);
  });

  it("is Healthy only when every eligible node runs a ready pod of the current revision", () => {
    const health = (s: DaemonSetState) => daemonSetHealth(daemonSetStep(s).status);
    expect(health(ds({ pods: [pod("n1")] })).status).toBe("Progressing");
    expect(health(ds({ pods: [pod("n1"), pod("n2", "r1")] })).status).toBe("Progressing");
    const done = health(ds({ pods: [pod("n1"), pod("n2")] }));
    expect(done.status).toBe("Healthy");
    expect(done.message).toContain("2 of 2 nodes");
  });

  it("names pods <daemonset>-<node>-<suffix>, the same for the same node and revision", () => {
    expect(daemonPodName("agent", "n1", "r1", "ns")).toMatch(/^agent-n1-[a-z0-9]{5}$/);
    expect(daemonPodName("agent", "n1", "r1", "ns")).toBe(daemonPodName("agent", "n1", "r1", "ns"));
    expect(daemonPodName("agent", "n1", "r2", "ns")).not.toBe(daemonPodName("agent", "n1", "r1", "ns"));
  });

  it("pins each pod to its node by matchFields metadata.name and adds the DaemonSet tolerations", () => {
    const t = daemonPodTemplate({ metadata: {}, spec: spec() } as PodTemplate, "n2");
    expect(t.spec.affinity).toEqual({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n2"] }] }] } },
    });
    expect(t.spec.tolerations).toContainEqual({ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" });
  });
});

describe("DaemonSets through the applier on fake engines", () => {
  it("puts one pod on each of the nodes the applier is given, skipping the tainted one", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "capstan-ds-"));
    const clock = new FakeClock(Date.UTC(2026, 2, 1, 10, 0, 0));
    const runtimes = new Map(nodes.map((n) => [n.name, new FakeRuntime({ node: n.name, images: ["agent:1"] })]));
    const pods = new DockerPodManager({ runtimes, stateDir, clock, resyncPeriodMs: 5_000 });
    await pods.start();
    const applier = new Applier({ runtime: runtimes.get("n1") as FakeRuntime, pods, store: new MemoryDesiredStore(), clock, nodes: () => nodes });
    applier.start();
    try {
      const agent = normalize(
        {
          apiVersion: "apps/v1",
          kind: "DaemonSet",
          metadata: { name: "agent", namespace: "default" },
          spec: { selector: { matchLabels: { app: "agent" } }, template: { metadata: { labels: { app: "agent" } }, spec: spec() } },
        } as ManifestObject,
        "default",
      );
      await applier.sync({ app: "ops", namespace: "default", commit: "c1", objects: [agent], prune: false });
      const healthy = applier.waitForHealthy("ops", 60_000);
      for (let i = 0; i < 20 && pods.list({ ownerName: "agent" }).filter((p) => p.ready).length < 2; i++) await clock.advance(500);
      expect(await healthy).toEqual({ status: "Healthy", commit: "c1" });
      expect(pods.list({ ownerName: "agent" }).map((p) => p.node).sort()).toEqual(["n1", "n2"]);
      expect((await runtimes.get("n2")?.list({ [LABEL.ownerName]: "agent" }))?.map((c) => c.name)).toEqual([`default_${daemonPodName("agent", "n2", pods.list({ ownerName: "agent" })[0]?.revision ?? "", "default")}`]);
      expect(await runtimes.get("n3")?.list({ [LABEL.ownerName]: "agent" })).toEqual([]);
    } finally {
      await applier.stop();
      await pods.stop();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
