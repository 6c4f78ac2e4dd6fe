import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runGetNodes } from "../../../src/cli/commands/nodes.js";
import type { CommandContext } from "../../../src/cli/types.js";
import { POD_LABEL } from "../../../src/controllers/pods/materialize.js";
import { writeStoredNodes } from "../../../src/nodes/index.js";
import { FakeRuntime } from "../../../src/runtime/fake.js";
import { LABEL, MANAGED_BY_VALUE } from "../../../src/runtime/labels.js";
import { FakeView, startServer, type NodeView, type RunningServer } from "../../../src/server/index.js";
import { acquireDaemonLock, ensureToken, type DaemonLock } from "../../../src/state/index.js";
import { runCli } from "../../helpers/cli.js";

const Mi = 1024 ** 2;
const Gi = 1024 ** 3;

const node = (name: string, extra: Partial<NodeView> & Record<string, unknown> = {}): NodeView => ({
  name,
  status: "Ready",
  cpu: { allocatable: 3900, requested: 750 },
  memory: { allocatable: 8 * Gi - 256 * Mi, requested: 384 * Mi },
  pods: 3,
  engineVersion: "27.3.1",
  ...extra,
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "capstan-get-nodes-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A daemon holding the state directory: its lock, its token, and its API answering with `nodes`. */
async function runningDaemon(dir: string, nodes: NodeView[]): Promise<RunningServer> {
  const token = ensureToken(dir);
  const lock: DaemonLock = acquireDaemonLock(dir);
  cleanups.push(() => lock.release());
  const server = await startServer({ view: new FakeView({ apps: [], nodes }), token, port: 0 });
  cleanups.push(() => server.close());
  writeFileSync(join(dir, "daemon.json"), JSON.stringify({ url: server.url, pid: process.pid }), { mode: 0o600 });
  return server;
}

describe("capstan get nodes", () => {
  it("lists the running daemon's nodes with what their pods request, not the local engine of the configuration", async () => {
    const dir = stateDir();
    await runningDaemon(dir, [
      node("node-a"),
      node("node-b", { status: "NotReady", cpu: { allocatable: 1400, requested: 0 }, memory: { allocatable: 2 * Gi - 256 * Mi, requested: 0 }, pods: 0, engineVersion: "" }),
    ]);
    const r = await runCli(["--state-dir", dir, "get", "nodes"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+CPU\s+MEMORY\s+PODS\s+ENGINE\s+AGE$/);
    expect(lines[1]).toMatch(/^node-a\s+Ready\s+750m\/3900m\s+384Mi\/7936Mi\s+3\s+docker 27\.3\.1\s/);
    expect(lines[2]).toMatch(/^node-b\s+NotReady\s+0m\/1400m\s+0Mi\/1792Mi\s+0\s+-\s/);
    expect(r.stdout).not.toMatch(/^local\s/m);
  });

  it("shows a cordon as SchedulingDisabled, from the daemon or else from the state directory", async () => {
    const dir = stateDir();
    await writeStoredNodes(dir, { nodes: { "node-b": { unschedulable: true, firstSeen: "2026-11-20T12:00:00.000Z" } } });
    await runningDaemon(dir, [node("node-a", { unschedulable: true }), node("node-b")]);
    const r = await runCli(["--state-dir", dir, "get", "nodes", "-o", "json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.source).toBe("daemon");
    expect(out.nodes.map((n: { name: string; status: string }) => [n.name, n.status])).toEqual([
      ["node-a", "Ready,SchedulingDisabled"],
      ["node-b", "Ready,SchedulingDisabled"],
    ]);
    expect(out.nodes[1]).toMatchObject({ cpuRequestedMillis: 750, cpuAllocatableMillis: 3900, pods: 3, engine: "docker 27.3.1", firstSeen: "2026-11-20T12:00:00.000Z" });
  });

  it("without a daemon, says so and asks the configuration's engines, counting what their pods request", async () => {
    const dir = stateDir();
    const rt = new FakeRuntime({ node: "local", cpus: 2, memoryBytes: 4 * Gi, images: ["web:1"] });
    const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "web:1", resources: { requests: { cpu: "300m", memory: "256Mi" } } }] } };
    await rt.create({
      name: "web-1",
      image: "web:1",
      labels: { [LABEL.managedBy]: MANAGED_BY_VALUE, [LABEL.namespace]: "prod", [LABEL.pod]: "web-1", [POD_LABEL.template]: JSON.stringify(template) },
    });
    let stdout = "";
    let stderr = "";
    const ctx: CommandContext = {
      io: { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env: {}, cwd: dir, isTTY: false },
      global: { stateDir: dir },
    };
    expect(await runGetNodes([], ctx, { runtimeFor: () => rt })).toBe(0);
    expect(stderr).toBe(`no daemon holds ${dir}: showing the nodes of the default configuration (the local engine), asked now\n`);
    expect(stdout).toMatch(/^local\s+Ready\s+300m\/1900m\s+256Mi\/3840Mi\s+1\s+docker fake\s/m);
  });
});
