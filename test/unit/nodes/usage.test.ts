import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POD_LABEL } from "../../../src/controllers/pods/materialize.js";
import type { PlacementPod } from "../../../src/controllers/pods/types.js";
import type { PodTemplate } from "../../../src/manifest/index.js";
import { containerPods, createPlacer, nodeUsage } from "../../../src/nodes/index.js";
import { LABEL, MANAGED_BY_VALUE } from "../../../src/runtime/labels.js";
import type { ContainerSummary } from "../../../src/runtime/types.js";
import { fakeCluster, podIntent } from "./cluster.js";

const Mi = 1024 ** 2;

function template(containers: PodTemplate["spec"]["containers"], initContainers?: PodTemplate["spec"]["initContainers"]): PodTemplate {
  return { metadata: { labels: { app: "web" } }, spec: { containers, ...(initContainers ? { initContainers } : {}) } };
}

function pod(name: string, node: string, t?: PodTemplate, terminating = false): PlacementPod {
  return { namespace: "prod", name, node, labels: { app: "web" }, ...(t ? { template: t } : {}), terminating };
}

const web = template([{ name: "web", image: "web:1", resources: { requests: { cpu: "250m", memory: "128Mi" } } }]);

describe("node usage", () => {
  it("sums the requests of the pods on each node, as kubectl describe node's Allocated resources", () => {
    const sidecar = template([
      { name: "web", image: "web:1", resources: { requests: { cpu: "500m", memory: "256Mi" } } },
      // A limit without a request stands for the request.
      { name: "proxy", image: "proxy:1", resources: { limits: { cpu: "100m", memory: "64Mi" } } },
    ]);
    const usage = nodeUsage([pod("web-1", "node-a", web), pod("web-2", "node-a", web), pod("web-3", "node-b", sidecar)]);
    expect(usage.get("node-a")).toEqual({ cpuMillis: 500, memoryBytes: 256 * Mi, pods: 2 });
    expect(usage.get("node-b")).toEqual({ cpuMillis: 600, memoryBytes: 320 * Mi, pods: 1 });
  });

  it("counts the largest init container when it asks for more than the containers together", () => {
    const migrate = template([{ name: "web", image: "web:1", resources: { requests: { cpu: "100m" } } }], [{ name: "migrate", image: "web:1", resources: { requests: { cpu: "1", memory: "1Gi" } } }]);
    expect(nodeUsage([pod("web-1", "node-a", migrate)]).get("node-a")).toEqual({ cpuMillis: 1000, memoryBytes: 1024 * Mi, pods: 1 });
  });

  it("counts terminating pods and pods without a readable template, and leaves out pods without a node", () => {
    const usage = nodeUsage([pod("old", "node-a", web, true), pod("adopted", "node-a"), pod("pending", "", web)]);
    expect(usage.get("node-a")).toEqual({ cpuMillis: 250, memoryBytes: 128 * Mi, pods: 2 });
    expect(usage.has("")).toBe(false);
  });
});

describe("pods read from an engine's containers", () => {
  const container = (name: string, labels: Record<string, string>, status: ContainerSummary["status"] = "running"): ContainerSummary => ({
    id: name,
    name,
    image: "web:1",
    labels: { [LABEL.managedBy]: MANAGED_BY_VALUE, ...labels },
    status,
    created: new Date(0),
    ports: [],
  });
  const podLabels = (name: string, t?: unknown) => ({
    [LABEL.namespace]: "prod",
    [LABEL.pod]: name,
    [POD_LABEL.podLabels]: JSON.stringify({ app: "web" }),
    ...(t === undefined ? {} : { [POD_LABEL.template]: typeof t === "string" ? t : JSON.stringify(t) }),
  });

  it("finds each pod once with the requests its template label carries", () => {
    const pods = containerPods("node-a", [
      container("web-1", podLabels("web-1", web)),
      container("web-1-sidecar", podLabels("web-1")),
      container("web-2", podLabels("web-2", web), "exited"),
      container("gone", podLabels("gone", web), "dead"),
      container("broken", podLabels("broken", "{not json")),
      container("odd", podLabels("odd", { spec: {} })),
    ]);
    expect(pods.map((p) => [p.name, p.template !== undefined])).toEqual([
      ["web-1", true],
      ["web-2", true],
      ["broken", false],
      ["odd", false],
    ]);
    expect(nodeUsage(pods).get("node-a")).toEqual({ cpuMillis: 500, memoryBytes: 256 * Mi, pods: 4 });
  });
});

describe("the placer's count of requests", () => {
  let stateDir = "";
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "capstan-usage-"));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it("says nothing until it is told where the pods are, then follows them between placements", async () => {
    const { registry } = await fakeCluster(stateDir);
    const placer = createPlacer({ registry });
    expect(placer.nodeUsage()).toBeUndefined();
    let pods: PlacementPod[] = [pod("web-1", "node-a", web)];
    placer.countPods(() => pods);
    expect(placer.nodeUsage()?.get("node-a")).toEqual({ cpuMillis: 250, memoryBytes: 128 * Mi, pods: 1 });
    pods = [];
    expect(placer.nodeUsage()?.get("node-a")).toBeUndefined();
    placer.close();
  });

  it("shows a node full exactly when the scheduler finds no room left on it", async () => {
    // 1 GiB engines less the 256Mi reserve: 768Mi allocatable.
    const { registry, health } = await fakeCluster(stateDir, { nodes: ["node-a"] });
    const placer = createPlacer({ registry, health });
    const half = (name: string): PlacementPod => ({ ...pod(name, "node-a"), template: podIntent(name, { memory: "384Mi" }).template });
    const pods = [half("db-0"), half("db-1")];
    placer.countPods(() => pods);
    const used = placer.nodeUsage()?.get("node-a");
    expect(used?.memoryBytes).toBe((await registry.allocatable("node-a")).memoryBytes);
    const r = await placer.place({ intent: podIntent("db-2", { memory: "1Mi" }), pods });
    expect(r).toEqual({ unschedulable: true, message: "0/1 nodes are available: 1 Insufficient memory." });
    placer.close();
  });
});
