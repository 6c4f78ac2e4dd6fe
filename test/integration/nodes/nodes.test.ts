import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeCommands } from "../../../src/cli/commands/nodes.js";
import { configuredNodes, loadConfig } from "../../../src/config/index.js";
import { nodeViews } from "../../../src/daemon/nodes-view.js";
import { createPlacer, NodeHealthMonitor, NodeRegistry, type NodeEvent } from "../../../src/nodes/index.js";
import { DockerRuntime } from "../../../src/runtime/docker.js";
import { LABEL, MANAGED_BY_VALUE } from "../../../src/runtime/labels.js";
import { runCli } from "../../helpers/cli.js";

const root = join(import.meta.dirname, "../../..");
const run = randomBytes(4).toString("hex");
const stateDir = mkdtempSync(join(tmpdir(), "capstan-nodes-it-"));
const configFile = join(stateDir, "capstan.yaml");
const sock = (n: number) => `unix:///run/capstan-nodes/node-${n}/docker.sock`;

beforeAll(() => {
  // Idempotent: starts node-2 and node-3 only when they are not running (leaves them up afterwards).
  execFileSync("bash", [join(root, "scripts/nodes.sh"), "up", "3"], { stdio: "ignore" });
  writeFileSync(
    configFile,
    `apiVersion: capstan.dev/v1alpha1
kind: Config
nodes:
  - name: local
    labels: { zone: a }
  - name: node-2
    address: ${sock(2)}
    labels: { zone: b }
  - name: node-3
    address: ${sock(3)}
    labels: { zone: b }
`,
  );
}, 300_000);

afterAll(async () => {
  for (const n of [2, 3]) {
    const rt = new DockerRuntime({ node: `node-${n}`, address: sock(n) });
    for (const c of await rt.list({ "capstan.dev/test-run": run }).catch(() => [])) await rt.remove(c.id, { force: true });
  }
  rmSync(stateDir, { recursive: true, force: true });
});

const cli = (argv: string[]) => runCli(["--state-dir", stateDir, "--config", configFile, ...argv], { commands: nodeCommands });

describe("nodes on real Docker engines", () => {
  it("reads each engine's capacity and subtracts the reserve", async () => {
    const config = await loadConfig(configFile);
    const registry = await NodeRegistry.open({ nodes: configuredNodes(config), stateDir });
    for (const name of ["local", "node-2", "node-3"]) {
      const cap = await registry.capacity(name);
      expect(cap.source).toBe("engine");
      expect(cap.cpuMillis).toBeGreaterThanOrEqual(1000);
      expect(cap.engineVersion).toMatch(/^\d+\.\d+/);
      expect(await registry.allocatable(name)).toEqual({ cpuMillis: cap.cpuMillis - 100, memoryBytes: cap.memoryBytes - 256 * 1024 ** 2 });
    }
    const nodes = await registry.schedulingNodes();
    expect(nodes.map((n) => [n.name, n.ready, n.labels.zone])).toEqual([
      ["local", true, "a"],
      ["node-2", true, "b"],
      ["node-3", true, "b"],
    ]);
  });

  it("capstan get nodes lists the three engines", async () => {
    const r = await cli(["get", "nodes"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+CPU\s+MEMORY\s+PODS\s+ENGINE\s+AGE$/);
    expect(r.stderr).toContain(`no daemon holds ${stateDir}: showing the nodes of the configuration ${configFile}, asked now`);
    for (const name of ["local", "node-2", "node-3"]) expect(r.stdout).toMatch(new RegExp(`^${name}\\s+Ready\\s+\\d+m/\\d+m\\s+\\d+Mi/\\d+Mi\\s+\\d+\\s+docker \\d+`, "m"));
    const json = JSON.parse((await cli(["get", "nodes", "-o", "json"])).stdout);
    expect(json.source).toBe("config");
    expect(json.nodes.map((n: { name: string }) => n.name)).toEqual(["local", "node-2", "node-3"]);
  });

  it("the daemon's view of the engines offers what the scheduler offers, a configured capacity included", async () => {
    const config = await loadConfig(configFile);
    const nodes = configuredNodes(config).map((n) => (n.name === "node-3" ? { ...n, capacity: { cpus: 0.5, memory: "512Mi" } } : n));
    const registry = await NodeRegistry.open({ nodes, stateDir });
    const placer = createPlacer({ registry, reloadCordons: false });
    placer.countPods(() => []);
    const views = await nodeViews({ registry, health: { isReady: () => true }, placer });
    const scheduling = await registry.schedulingNodes(() => true);
    expect(views.map((v) => [v.name, v.cpu.allocatable, v.memory.allocatable])).toEqual(scheduling.map((n) => [n.name, n.allocatable.cpuMillis, n.allocatable.memoryBytes]));
    expect(views.find((v) => v.name === "node-3")).toMatchObject({ cpu: { allocatable: 400, requested: 0 }, memory: { allocatable: 256 * 1024 ** 2, requested: 0 } });
    for (const v of views) expect(v.engineVersion).toMatch(/^\d+\.\d+/);
    placer.close();
  });

  it("cordon, uncordon and drain a node holding a container made with Capstan's labels", async () => {
    const rt = new DockerRuntime({ node: "node-2", address: sock(2) });
    const name = `capstan-it-drain-${run}`;
    await rt.create({
      name,
      image: "capstan-demo/web:v1",
      labels: { [LABEL.managedBy]: MANAGED_BY_VALUE, [LABEL.namespace]: "it", [LABEL.pod]: name, [LABEL.ownerKind]: "Deployment", "capstan.dev/test-run": run },
    });
    await rt.start(name);
    expect((await cli(["cordon", "node-2"])).stdout).toBe("node/node-2 cordoned\n");
    expect((await cli(["get", "nodes"])).stdout).toMatch(/^node-2\s+Ready,SchedulingDisabled\s/m);
    expect(JSON.parse(readFileSync(join(stateDir, "nodes.json"), "utf8")).nodes["node-2"].unschedulable).toBe(true);
    expect((await cli(["uncordon", "node-2"])).stdout).toBe("node/node-2 uncordoned\n");
    const drained = await cli(["drain", "node-2", "--grace-period", "1"]);
    expect(drained.code).toBe(0);
    expect(drained.stdout).toContain(`evicting pod it/${name}\npod/${name} evicted\nnode/node-2 drained\n`);
    expect(await rt.list({ "capstan.dev/test-run": run })).toEqual([]);
    expect((await cli(["get", "nodes"])).stdout).toMatch(/^node-2\s+Ready,SchedulingDisabled\s/m);
    await cli(["uncordon", "node-2"]);
  });

  it("a node whose engine dies turns NotReady after the grace period and Ready once it is back", async () => {
    const rt = new DockerRuntime({ node: "node-3", address: sock(3), requestTimeoutMs: 2_000 });
    const events: NodeEvent[] = [];
    const monitor = new NodeHealthMonitor({ nodes: [{ name: "node-3", ping: () => rt.ping() }], periodMs: 300, gracePeriodMs: 1_500, evictionTimeoutMs: 60_000, onEvent: (e) => events.push(e) });
    monitor.start();
    try {
      const pid = readFileSync("/run/capstan-nodes/node-3/docker.pid", "utf8").trim();
      execFileSync("kill", ["-9", pid]);
      const killedAt = Date.now();
      while (monitor.isReady("node-3") && Date.now() - killedAt < 20_000) await new Promise((r) => setTimeout(r, 100));
      expect(monitor.isReady("node-3")).toBe(false);
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual(1_000);
      expect(events.map((e) => e.reason)).toEqual(["NodeNotReady"]);
    } finally {
      execFileSync("bash", [join(root, "scripts/nodes.sh"), "up", "3"], { stdio: "ignore" });
    }
    const back = Date.now();
    while (!monitor.isReady("node-3") && Date.now() - back < 20_000) await new Promise((r) => setTimeout(r, 100));
    monitor.stop();
    expect(monitor.isReady("node-3")).toBe(true);
    expect(events.map((e) => e.reason)).toEqual(["NodeNotReady", "NodeReady"]);
  });
});
