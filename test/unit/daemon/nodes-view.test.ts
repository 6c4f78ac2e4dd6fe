import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { NodeConfig } from "../../../src/config/index.js";
import { POD_LABEL } from "../../../src/controllers/pods/materialize.js";
import type { PlacementPod } from "../../../src/controllers/pods/types.js";
import { nodeViews } from "../../../src/daemon/nodes-view.js";
import type { PodTemplate } from "../../../src/manifest/index.js";
import { createPlacer, NodeRegistry } from "../../../src/nodes/index.js";
import { FakeRuntime } from "../../../src/runtime/fake.js";
import { LABEL, MANAGED_BY_VALUE } from "../../../src/runtime/labels.js";
import { PrometheusMetrics } from "../../../src/server/index.js";

const Mi = 1024 ** 2;
const Gi = 1024 ** 3;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const cfg = (name: string, extra: Partial<NodeConfig> = {}): NodeConfig => ({ name, labels: {}, taints: [], proxyAddress: "127.0.0.1", ...extra });

const web: PodTemplate = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "web:1", resources: { requests: { cpu: "250m", memory: "128Mi" } } }] } };
const placed = (name: string, node: string): PlacementPod => ({ namespace: "prod", name, node, labels: { app: "web" }, template: web, terminating: false });

/** Two engines of 4 CPUs and 8 GiB; node-b's configuration says it offers less. */
async function cluster(options: { ready?: (node: string) => boolean } = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), "capstan-nodes-view-"));
  dirs.push(stateDir);
  const runtimes = new Map([
    ["node-a", new FakeRuntime({ node: "node-a", cpus: 4, memoryBytes: 8 * Gi, images: ["web:1"] })],
    ["node-b", new FakeRuntime({ node: "node-b", cpus: 4, memoryBytes: 8 * Gi, images: ["web:1"] })],
  ]);
  const registry = await NodeRegistry.open({
    nodes: [cfg("node-a"), cfg("node-b", { capacity: { cpus: 1.5, memory: "2Gi" } })],
    stateDir,
    runtimeFor: (n) => runtimes.get(n.name) as FakeRuntime,
  });
  const health = { isReady: options.ready ?? (() => true) };
  const placer = createPlacer({ registry, reloadCordons: false });
  return { stateDir, runtimes, registry, health, placer };
}

describe("the daemon's nodes", () => {
  it("shows each node's requests as the placer counts them, against its allocatable", async () => {
    const { registry, health, placer } = await cluster();
    const pods = [placed("web-1", "node-a"), placed("web-2", "node-a"), placed("web-3", "node-b")];
    placer.countPods(() => pods);
    const views = await nodeViews({ registry, health, placer });
    expect(views).toEqual([
      {
        name: "node-a",
        status: "Ready",
        cpu: { allocatable: 3900, requested: 500 },
        memory: { allocatable: 8 * Gi - 256 * Mi, requested: 256 * Mi },
        pods: 2,
        engineVersion: "fake",
        unschedulable: false,
        firstSeen: expect.any(String),
      },
      {
        name: "node-b",
        status: "Ready",
        cpu: { allocatable: 1400, requested: 250 },
        memory: { allocatable: 2 * Gi - 256 * Mi, requested: 128 * Mi },
        pods: 1,
        engineVersion: "fake",
        unschedulable: false,
        firstSeen: expect.any(String),
      },
    ]);
    placer.close();
  });

  it("offers what the scheduler offers: a configured capacity rather than the engine's", async () => {
    const { registry, health, placer } = await cluster();
    placer.countPods(() => []);
    const [, b] = await nodeViews({ registry, health, placer });
    const scheduling = (await registry.schedulingNodes(() => true)).find((n) => n.name === "node-b");
    expect(b?.cpu.allocatable).toBe(scheduling?.allocatable.cpuMillis);
    expect(b?.memory.allocatable).toBe(scheduling?.allocatable.memoryBytes);
    placer.close();
  });

  it("marks a node the health monitor gave up on NotReady, and a cordoned one unschedulable", async () => {
    const { registry, health, placer, runtimes } = await cluster({ ready: (n) => n !== "node-b" });
    placer.countPods(() => [placed("web-1", "node-b")]);
    await registry.cordon("node-a");
    runtimes.get("node-b")?.setAvailable(false);
    const [a, b] = await nodeViews({ registry, health, placer });
    expect(a).toMatchObject({ name: "node-a", status: "Ready", unschedulable: true });
    // Its configured capacity is still known; its pods are still counted until they are given up.
    expect(b).toMatchObject({ name: "node-b", status: "NotReady", cpu: { allocatable: 1400, requested: 250 }, pods: 1, engineVersion: "" });
    placer.close();
  });

  it("counts the pods of the engine's containers while the placer has no pods to count", async () => {
    const { registry, health, placer, runtimes } = await cluster();
    const labels = (pod: string) => ({
      [LABEL.managedBy]: MANAGED_BY_VALUE,
      [LABEL.namespace]: "prod",
      [LABEL.pod]: pod,
      [POD_LABEL.template]: JSON.stringify(web),
    });
    const rt = runtimes.get("node-a") as FakeRuntime;
    await rt.create({ name: "web-1", image: "web:1", labels: labels("web-1") });
    await rt.create({ name: "web-2", image: "web:1", labels: labels("web-2") });
    await rt.create({ name: "not-ours", image: "web:1", labels: {} });
    const [a, b] = await nodeViews({ registry, health, placer });
    expect(a).toMatchObject({ cpu: { requested: 500 }, memory: { requested: 256 * Mi }, pods: 2 });
    expect(b).toMatchObject({ cpu: { requested: 0 }, pods: 0 });
    placer.close();
  });

  it("reports every node to the metrics", async () => {
    const { registry, health, placer } = await cluster();
    placer.countPods(() => [placed("web-1", "node-b")]);
    const metrics = new PrometheusMetrics({ processMetrics: false });
    await nodeViews({ registry, health, placer, metrics });
    const text = await metrics.text();
    expect(text).toContain('capstan_node_cpu_requested_millicores{node="node-b"} 250');
    expect(text).toContain('capstan_node_cpu_allocatable_millicores{node="node-b"} 1400');
    expect(text).toContain(`capstan_node_memory_requested_bytes{node="node-b"} ${128 * Mi}`);
    expect(text).toContain('capstan_node_pods{node="node-a"} 0');
    expect(text).toContain('capstan_node_ready{node="node-a"} 1');
    placer.close();
  });
});
