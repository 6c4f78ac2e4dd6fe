import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drainNode } from "../../../src/cli/commands/nodes.js";
import { planNodes } from "../../../src/cli/commands/plan.js";
import { configuredNodes, loadConfig } from "../../../src/config/index.js";
import { Applier } from "../../../src/controllers/apply/applier.js";
import { MemoryDesiredStore } from "../../../src/controllers/apply/desired-store.js";
import { DockerPodManager } from "../../../src/controllers/pods/manager.js";
import type { PodStatus } from "../../../src/controllers/pods/types.js";
import { normalize, type ManifestObject } from "../../../src/manifest/index.js";
import { NodeHealthMonitor, NodeRegistry, createPlacer, type NodeEvent, type NodePlacer } from "../../../src/nodes/index.js";
import { DockerRuntime } from "../../../src/runtime/docker.js";

/**
 * The scheduler placing an Applier's pods over three real engines (this machine's and
 * node-4/node-5 from scripts/nodes.sh), a node whose dockerd dies being given up, and drain.
 * node-4 and node-5 are this file's own: other tests restart and drain node-2 and node-3.
 */
const root = join(import.meta.dirname, "../../..");
const run = randomBytes(3).toString("hex");
const labels = { "capstan.dev/test-run": run };
const stateDir = mkdtempSync(join(tmpdir(), "capstan-placement-it-"));
const configFile = join(stateDir, "capstan.yaml");
const sock = (n: number) => `unix:///run/capstan-nodes/node-${n}/docker.sock`;
const NODES = ["local", "node-4", "node-5"];
const GRACE_MS = 2_000;
const EVICTION_MS = 3_000;

const runtimes = new Map<string, DockerRuntime>([
  ["local", new DockerRuntime({ node: "local", requestTimeoutMs: 5_000 })],
  ["node-4", new DockerRuntime({ node: "node-4", address: sock(4), requestTimeoutMs: 5_000 })],
  ["node-5", new DockerRuntime({ node: "node-5", address: sock(5), requestTimeoutMs: 5_000 })],
]);
let registry: NodeRegistry;
let health: NodeHealthMonitor;
let placer: NodePlacer;
let pods: DockerPodManager;
let applier: Applier;
const nodeEvents: NodeEvent[] = [];

function deployment(name: string, replicas: number, spec: Record<string, unknown> = {}, resources?: Record<string, unknown>): ManifestObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: "web", image: "capstan-demo/web:v1", ...(resources ? { resources } : {}) }],
          ...spec,
        },
      },
    },
  } as ManifestObject;
}

const hostnameTerm = (app: string) => ({ labelSelector: { matchLabels: { app } }, topologyKey: "kubernetes.io/hostname" });

async function sync(app: string, objects: ManifestObject[]): Promise<void> {
  const namespace = `it${run}-${app}`;
  await applier.sync({ app, namespace, commit: "c1", objects: objects.map((o) => normalize(o, namespace)), prune: true });
}

async function until<T>(what: string, get: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const start = Date.now();
  let v = await get();
  while (!ok(v)) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not reached within ${timeoutMs} ms; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
    v = await get();
  }
  return v;
}

const podsOf = (app: string): PodStatus[] => pods.list({ app });
const onNodes = (list: PodStatus[]) => list.filter((p) => p.phase === "Running").map((p) => p.node).sort();
const testContainers = async (node: string) => (await (runtimes.get(node) as DockerRuntime).list(labels)).map((c) => c.name);

beforeAll(async () => {
  execFileSync("bash", [join(root, "scripts/nodes.sh"), "up", "5"], { stdio: "ignore" });
  writeFileSync(
    configFile,
    `apiVersion: capstan.dev/v1alpha1
kind: Config
nodes:
  - name: local
  - name: node-4
    address: ${sock(4)}
  - name: node-5
    address: ${sock(5)}
`,
  );
  const config = await loadConfig(configFile);
  registry = await NodeRegistry.open({ nodes: configuredNodes(config), stateDir, runtimeFor: (n) => runtimes.get(n.name) as DockerRuntime });
  health = new NodeHealthMonitor({
    nodes: NODES.map((name) => ({ name, ping: () => (runtimes.get(name) as DockerRuntime).ping() })),
    periodMs: 500,
    pingTimeoutMs: 1_000,
    gracePeriodMs: GRACE_MS,
    evictionTimeoutMs: EVICTION_MS,
    onEvent: (e) => nodeEvents.push(e),
    onEvict: async (node) => void (await pods.evictNode(node)),
    onRecover: async (node) => void (await pods.removeStale(node)),
  });
  placer = createPlacer({ registry, health });
  pods = new DockerPodManager({ runtimes: new Map(runtimes), stateDir, labels, placer, resyncPeriodMs: 5_000 });
  await pods.start();
  health.start();
  applier = new Applier({ runtime: runtimes.get("local") as DockerRuntime, pods, store: new MemoryDesiredStore(), labels });
  applier.start();
}, 300_000);

afterAll(async () => {
  await applier?.stop();
  await pods?.stop();
  health?.stop();
  placer?.close();
  execFileSync("bash", [join(root, "scripts/nodes.sh"), "up", "5"], { stdio: "ignore" });
  for (const rt of runtimes.values()) {
    for (const c of await rt.list(labels).catch(() => [])) await rt.remove(c.id, { force: true }).catch(() => undefined);
    for (const v of await rt.listVolumes(labels).catch(() => [])) await rt.removeVolume(v.name).catch(() => undefined);
    for (const n of await rt.listNetworks(labels).catch(() => [])) await rt.removeNetwork(n.name).catch(() => undefined);
  }
  rmSync(stateDir, { recursive: true, force: true });
}, 120_000);

describe("pod placement over three real engines", () => {
  it("required anti-affinity puts three replicas on three nodes; a fourth stays Pending with Kubernetes' reason", async () => {
    const spread = (n: number) => deployment("spread", n, { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [hostnameTerm("spread")] } } });
    await sync("spread", [spread(3)]);
    expect((await applier.waitForHealthy("spread", 60_000)).status).toBe("Healthy");
    expect(onNodes(podsOf("spread"))).toEqual(NODES);
    for (const n of NODES) expect(await testContainers(n)).toHaveLength(1);

    await sync("spread", [spread(4)]);
    const pending = await until("a Pending fourth replica", () => podsOf("spread").filter((p) => p.phase === "Pending"), (l) => l.length === 1 && l[0]?.reason === "Unschedulable", 20_000);
    expect(pending[0]).toMatchObject({ node: "", reason: "Unschedulable", message: "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules." });
    expect(onNodes(podsOf("spread"))).toEqual(NODES);

    // `capstan plan` sees the same: three ready nodes, one spread pod on each.
    const planned = await planNodes(await loadConfig(configFile), stateDir, labels);
    if (!planned || !("snapshot" in planned)) throw new Error("expected a snapshot of three nodes");
    expect(planned.snapshot.nodes.map((n) => [n.name, n.ready])).toEqual(NODES.map((n) => [n, true]));
    expect(planned.snapshot.pods.filter((p) => p.labels["app"] === "spread").map((p) => p.node).sort()).toEqual(NODES);

    await sync("spread", []);
    await until("spread gone", () => podsOf("spread").length, (n) => n === 0, 30_000);
  }, 120_000);

  it("a pod requesting more memory than any node has stays Pending: Insufficient memory", async () => {
    await sync("big", [deployment("big", 1, {}, { requests: { memory: "4Ti" } })]);
    const [pod] = await until("a Pending pod", () => podsOf("big"), (l) => l[0]?.reason === "Unschedulable", 20_000);
    expect(pod).toMatchObject({ phase: "Pending", message: "0/3 nodes are available: 3 Insufficient memory." });
    expect(pods.events(pod!.namespace, pod!.name).map((e) => `${e.type} ${e.reason}`)).toContain("Warning FailedScheduling");
    for (const n of NODES) expect(await testContainers(n)).toEqual([]);
  }, 60_000);

  it("pods of a node whose dockerd dies run elsewhere after the eviction timeout; back again, its stale containers go", async () => {
    const app = "failover";
    await sync(app, [deployment(app, 3, { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: hostnameTerm(app) }] } } })]);
    expect((await applier.waitForHealthy(app, 60_000)).status).toBe("Healthy");
    expect(onNodes(podsOf(app))).toEqual(NODES);
    const lost = podsOf(app).find((p) => p.node === "node-5")!;
    const given: PodStatus[] = [];
    const unsubscribe = pods.onChange((p) => p.name === lost.name && p.reason === "NodeUnavailable" && p.terminating && given.push(p));

    const stoppedAt = Date.now();
    execFileSync("bash", [join(root, "scripts/nodes.sh"), "stop", "node-5"], { stdio: "ignore" });
    const moved = await until(
      "three ready replicas off node-5",
      () => podsOf(app),
      (l) => l.length === 3 && l.every((p) => p.ready && p.node !== "node-5"),
      GRACE_MS + EVICTION_MS + 20_000,
    );
    const tookMs = Date.now() - stoppedAt;
    // The last answer may have come up to one ping period before the engine died.
    expect(tookMs).toBeGreaterThanOrEqual(GRACE_MS + EVICTION_MS - 500);
    unsubscribe();
    // The pod on node-5 was given up (its replacement may take the same free name, on another node).
    expect(given).toHaveLength(1);
    expect(given[0]?.node).toBe("node-5");
    expect(onNodes(moved)).not.toContain("node-5");
    expect(nodeEvents.filter((e) => e.node === "node-5").map((e) => e.reason)).toEqual(["NodeNotReady", "DeletingAllPods"]);
    console.log(`failover: node-5 stopped → 3 ready replicas elsewhere in ${(tookMs / 1000).toFixed(1)} s (grace ${GRACE_MS / 1000} s + eviction ${EVICTION_MS / 1000} s)`);

    execFileSync("bash", [join(root, "scripts/nodes.sh"), "up", "5"], { stdio: "ignore" });
    await until("node-5 Ready", () => health.isReady("node-5"), (r) => r, 20_000);
    await until("stale containers removed from node-5", () => testContainers("node-5"), (l) => l.length === 0, 20_000);
    expect(nodeEvents.filter((e) => e.node === "node-5").map((e) => e.reason)).toEqual(["NodeNotReady", "DeletingAllPods", "NodeReady", "RemovingStalePods"]);
    expect(podsOf(app).filter((p) => p.ready)).toHaveLength(3);
  }, 120_000);

  it("drain empties a node: its pods are made again on the others", async () => {
    const app = "failover";
    const before = podsOf(app).filter((p) => p.node === "node-4");
    expect(before.length).toBeGreaterThan(0);
    const result = await drainNode({ config: configFile, stateDir, node: "node-4", gracePeriodSeconds: 1, runtimeFor: (n) => runtimes.get(n.name) as DockerRuntime });
    // Drain evicts every Capstan pod on the node; this run's are the ones to look at.
    expect(result.evicted.filter((e) => e.startsWith(`it${run}-`)).sort()).toEqual(before.map((p) => `${p.namespace}/${p.name}`).sort());
    const after = await until("three ready replicas off node-4", () => podsOf(app), (l) => l.length === 3 && l.every((p) => p.ready && p.node !== "node-4"), 30_000);
    expect(after.map((p) => p.node)).not.toContain("node-4");
    expect(await testContainers("node-4")).toEqual([]);
    expect(registry.isCordoned("node-4")).toBe(true);
    await registry.uncordon("node-4");
  }, 60_000);
});
