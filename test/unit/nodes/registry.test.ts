import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/controllers/clock.js";
import type { NodeConfig } from "../../../src/config/index.js";
import { NodeRegistry } from "../../../src/nodes/index.js";
import { FakeRuntime } from "../../../src/runtime/fake.js";
import { schedulePod } from "../../../src/scheduler/index.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), "capstan-nodes-"));
  dirs.push(d);
  return d;
}
const cfg = (name: string, extra: Partial<NodeConfig> = {}): NodeConfig => ({ name, labels: {}, taints: [], proxyAddress: "127.0.0.1", ...extra });

describe("NodeRegistry", () => {
  it("reads capacity from each engine and subtracts the reserve", async () => {
    const runtimes = new Map([
      ["a", new FakeRuntime({ node: "a", cpus: 4, memoryBytes: 8 * 1024 ** 3 })],
      ["b", new FakeRuntime({ node: "b", cpus: 2, memoryBytes: 2 * 1024 ** 3 })],
    ]);
    const r = await NodeRegistry.open({ nodes: [cfg("a"), cfg("b")], stateDir: stateDir(), runtimeFor: (n) => runtimes.get(n.name)! });
    expect(await r.capacity("a")).toMatchObject({ cpuMillis: 4000, memoryBytes: 8 * 1024 ** 3, source: "engine" });
    expect(await r.allocatable("b")).toEqual({ cpuMillis: 1900, memoryBytes: 2 * 1024 ** 3 - 256 * 1024 ** 2 });
  });

  it("takes capacity from the configuration where it is set", async () => {
    const rt = new FakeRuntime({ node: "a", cpus: 4 });
    const r = await NodeRegistry.open({ nodes: [cfg("a", { capacity: { cpus: 1.5, memory: "3Gi" } })], stateDir: stateDir(), runtimeFor: () => rt, reserve: { cpuMillis: 0, memoryBytes: 0 } });
    rt.setAvailable(false);
    expect(await r.capacity("a")).toMatchObject({ cpuMillis: 1500, memoryBytes: 3 * 1024 ** 3, source: "config" });
  });

  it("keeps cordons in <stateDir>/nodes.json across registries", async () => {
    const dir = stateDir();
    const clock = new FakeClock(Date.UTC(2026, 10, 1));
    const open = () => NodeRegistry.open({ nodes: [cfg("a"), cfg("b")], stateDir: dir, runtimeFor: (n) => new FakeRuntime({ node: n.name }), clock });
    const first = await open();
    expect(await first.cordon("b")).toBe(true);
    expect(await first.cordon("b")).toBe(false);
    const second = await open();
    expect(second.isCordoned("b")).toBe(true);
    expect(second.isCordoned("a")).toBe(false);
    const stored = JSON.parse(readFileSync(join(dir, "nodes.json"), "utf8"));
    expect(stored.nodes.b).toMatchObject({ unschedulable: true, cordonedAt: "2026-11-01T00:00:00.000Z", firstSeen: "2026-11-01T00:00:00.000Z" });
    expect(await second.uncordon("b")).toBe(true);
    expect((await open()).isCordoned("b")).toBe(false);
  });

  it("refuses unknown node names, naming the configured ones", async () => {
    const r = await NodeRegistry.open({ nodes: [cfg("a"), cfg("b")], stateDir: stateDir(), runtimeFor: (n) => new FakeRuntime({ node: n.name }) });
    await expect(r.cordon("c")).rejects.toThrow('node "c" is not configured (nodes: a, b)');
  });

  it("says how to recover from a damaged nodes.json", async () => {
    const dir = stateDir();
    writeFileSync(join(dir, "nodes.json"), "{ not json");
    await expect(NodeRegistry.open({ nodes: [cfg("a")], stateDir: dir, runtimeFor: () => new FakeRuntime() })).rejects.toThrow(/nodes\.json: node state is not valid JSON .*fix or delete the file/);
  });

  it("refuses a nodes.json whose claims are not a map of claim volume to node, naming the field", async () => {
    const dir = stateDir();
    writeFileSync(join(dir, "nodes.json"), JSON.stringify({ nodes: {}, claims: { "capstan-prod-data-db-0": 3 } }));
    await expect(NodeRegistry.open({ nodes: [cfg("a")], stateDir: dir, runtimeFor: () => new FakeRuntime() })).rejects.toThrow(
      `${join(dir, "nodes.json")}: node state is not valid JSON ("claims" must map each claim volume to the name of its node); fix or delete the file`,
    );
  });

  it("describes nodes for the scheduler: labels, taints, cordon, readiness and allocatable", async () => {
    const down = new FakeRuntime({ node: "c" });
    down.setAvailable(false);
    const runtimes = new Map([
      ["a", new FakeRuntime({ node: "a", cpus: 1 })],
      ["b", new FakeRuntime({ node: "b", cpus: 8 })],
      ["c", down],
    ]);
    const r = await NodeRegistry.open({
      nodes: [cfg("a", { labels: { zone: "z1" } }), cfg("b", { taints: [{ key: "gpu", value: "yes", effect: "NoSchedule" }] }), cfg("c")],
      stateDir: stateDir(),
      runtimeFor: (n) => runtimes.get(n.name)!,
    });
    await r.cordon("a");
    const nodes = await r.schedulingNodes();
    expect(nodes.map((n) => [n.name, n.ready, n.unschedulable, n.allocatable.cpuMillis])).toEqual([
      ["a", true, true, 900],
      ["b", true, false, 7900],
      ["c", false, false, 0],
    ]);
    expect(nodes[0]!.labels).toEqual({ "kubernetes.io/hostname": "a", zone: "z1" });
    const pod = { namespace: "default", labels: {}, requests: { cpuMillis: 100, memoryBytes: 1024 } };
    expect(schedulePod(pod, { nodes, pods: [] })).toMatchObject({
      reason: "0/3 nodes are available: 1 node(s) had untolerated taint {gpu: yes}, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable.",
    });
  });
});
