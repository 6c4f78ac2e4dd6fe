import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { DockerRuntime } from "../../../src/runtime/docker.js";
import { LABEL, MANAGED_BY_VALUE } from "../../../src/runtime/labels.js";
import type { ContainerSpec, RuntimeEvent } from "../../../src/runtime/types.js";

const run = randomBytes(4).toString("hex");
const labels = { [LABEL.managedBy]: MANAGED_BY_VALUE, "capstan.dev/test-run": run };
const rt = new DockerRuntime({ node: "local" });
let n = 0;
const spec = (extra: Partial<ContainerSpec> = {}): ContainerSpec => ({
  name: `capstan-it-${run}-${n++}`,
  image: "capstan-demo/web:v1",
  labels,
  ...extra,
});

async function httpGet(port: number, path = "/"): Promise<string> {
  for (let i = 0; i < 50; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return await res.text();
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nothing answered on 127.0.0.1:${port}`);
}

afterAll(async () => {
  for (const c of await rt.list({ "capstan.dev/test-run": run })) await rt.remove(c.id, { force: true });
  for (const net of await rt.listNetworks({ "capstan.dev/test-run": run })) await rt.removeNetwork(net.name);
  for (const v of await rt.listVolumes({ "capstan.dev/test-run": run })) await rt.removeVolume(v.name);
});

describe("Docker runtime on a real engine", () => {
  it("reports the node's capacity and engine version", async () => {
    const info = await rt.info();
    expect(info.name).toBe("local");
    expect(info.cpus).toBeGreaterThan(0);
    expect(info.memoryBytes).toBeGreaterThan(64 * 1024 * 1024);
    expect(info.engineVersion).toMatch(/^\d+\.\d+/);
  });

  it("serves a published port on 127.0.0.1", async () => {
    const s = spec({ ports: [{ containerPort: 8080 }] });
    await rt.create(s);
    await rt.start(s.name);
    const port = (await rt.inspect(s.name)).ports[0]?.hostPort ?? 0;
    expect(await httpGet(port)).toBe("web v1\n");
  });

  it("lets two containers on one network reach each other by alias", async () => {
    const net = `capstan-it-${run}-net`;
    await rt.ensureNetwork(net, labels);
    const server = spec({ network: { name: net, aliases: ["web-svc"] }, image: "capstan-demo/web:v2" });
    const client = spec({ network: { name: net }, image: "capstan-demo/worker:latest" });
    await rt.create(server);
    await rt.create(client);
    await rt.start(server.name);
    await rt.start(client.name);
    let out = "";
    for (let i = 0; i < 30 && !out.includes("web v2"); i++) {
      out = (await rt.exec(client.name, ["http-get", "http://web-svc:8080/"], { timeoutMs: 5_000 })).stdout;
      if (!out.includes("web v2")) await new Promise((r) => setTimeout(r, 100));
    }
    expect(out).toBe("web v2\n");
  });

  it("connects a running container to a network under a new alias", async () => {
    const net = `capstan-it-${run}-net2`;
    await rt.ensureNetwork(net, labels);
    const server = spec();
    const client = spec({ network: { name: net }, image: "capstan-demo/worker:latest" });
    await rt.create(server);
    await rt.create(client);
    await rt.start(server.name);
    await rt.start(client.name);
    await rt.connectNetwork(server.name, net, ["late-alias"]);
    const r = await rt.exec(client.name, ["http-get", "http://late-alias:8080/"], { timeoutMs: 5_000 });
    expect(r.stdout).toBe("web v1\n");
    await rt.disconnectNetwork(server.name, net);
    const after = await rt.exec(client.name, ["http-get", "http://late-alias:8080/"], { timeoutMs: 5_000 });
    expect(after.exitCode).not.toBe(0);
  });

  it("makes one network when the same name is ensured concurrently", async () => {
    const net = `capstan-it-${run}-race`;
    await Promise.all([1, 2, 3, 4].map(() => rt.ensureNetwork(net, labels)));
    expect((await rt.listNetworks({ "capstan.dev/test-run": run })).filter((n) => n.name === net)).toHaveLength(1);
  });

  it("keeps a named volume's data across container re-creation", async () => {
    const vol = `capstan-it-${run}-data`;
    await rt.ensureVolume(vol, labels);
    const first = spec({ image: "capstan-demo/worker:latest", mounts: [{ type: "volume", source: vol, target: "/data" }] });
    await rt.create(first);
    await rt.start(first.name);
    expect((await rt.exec(first.name, ["sh", "-c", "echo kept > /data/file"])).exitCode).toBe(0);
    await rt.remove(first.name, { force: true });
    const second = spec({ image: "capstan-demo/worker:latest", mounts: [{ type: "volume", source: vol, target: "/data", readOnly: true }] });
    await rt.create(second);
    await rt.start(second.name);
    expect((await rt.exec(second.name, ["cat", "/data/file"])).stdout).toBe("kept\n");
    expect((await rt.exec(second.name, ["sh", "-c", "echo x > /data/other"])).exitCode).not.toBe(0);
  });

  it("runs exec with exit code, output and a time bound", async () => {
    const s = spec({ image: "capstan-demo/worker:latest" });
    await rt.create(s);
    await rt.start(s.name);
    const r = await rt.exec(s.name, ["sh", "-c", "echo out; echo err >&2; exit 3"]);
    expect(r).toEqual({ exitCode: 3, stdout: "out\n", stderr: "err\n" });
    await expect(rt.exec(s.name, ["sleep", "5"], { timeoutMs: 300 })).rejects.toMatchObject({ code: "EXEC_TIMEOUT" });
  });

  it("returns the tail of the logs and follows new lines", async () => {
    const s = spec({ image: "capstan-demo/worker:latest" });
    await rt.create(s);
    await rt.start(s.name);
    const lines: string[] = [];
    const sub = await rt.followLogs(s.name, (l) => lines.push(l), { tail: 0 });
    try {
      const end = Date.now() + 5_000;
      while (lines.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines[0]).toMatch(/^worker: tick \d+$/);
    } finally {
      sub.close();
    }
    const tail = await rt.logs(s.name, { tail: 1 });
    expect(tail).toMatch(/^worker: tick \d+\n$/);
  });

  it("stops a container with SIGTERM and kills one that ignores it after the grace period", async () => {
    const polite = spec();
    await rt.create(polite);
    await rt.start(polite.name);
    let t = Date.now();
    await rt.stop(polite.name, { graceSeconds: 5 });
    expect(Date.now() - t).toBeLessThan(3_000);
    expect((await rt.inspect(polite.name)).exitCode).toBe(0);
    const stubborn = spec({ image: "capstan-demo/worker:latest", command: ["sh", "-c", "trap '' TERM; while :; do sleep 1; done"] });
    await rt.create(stubborn);
    await rt.start(stubborn.name);
    t = Date.now();
    await rt.stop(stubborn.name, { graceSeconds: 1 });
    expect(Date.now() - t).toBeGreaterThanOrEqual(900);
    expect((await rt.inspect(stubborn.name)).exitCode).toBe(137);
  });
});

describe("events stream across an engine restart", () => {
  const root = new URL("../../../", import.meta.url).pathname;
  const nodes = (...args: string[]): string => execFileSync("bash", [`${root}scripts/nodes.sh`, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

  it("reconnects and keeps delivering events after the engine comes back", async () => {
    nodes("up", "2");
    const address = nodes("list").split("\n").find((l) => l.startsWith("node-2 "))?.split(" ")[1];
    expect(address).toMatch(/^unix:\/\//);
    const node = new DockerRuntime({ node: "node-2", address, requestTimeoutMs: 5_000 });
    const seen: RuntimeEvent[] = [];
    const sub = node.subscribe((e) => seen.push(e));
    try {
      await new Promise((r) => setTimeout(r, 300));
      const pidFile = "/run/capstan-nodes/node-2/docker.pid";
      const pid = Number(execFileSync("cat", [pidFile], { encoding: "utf8" }).trim());
      process.kill(pid, "SIGTERM");
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(pid, 0);
          await new Promise((r) => setTimeout(r, 100));
        } catch {
          break;
        }
      }
      await expect(node.ping()).rejects.toMatchObject({ code: "RUNTIME_UNAVAILABLE" });
      nodes("up", "2");
      const s = spec({ image: "capstan-demo/worker:latest" });
      const { id } = await node.create(s);
      await node.start(id);
      const end = Date.now() + 15_000;
      while (!seen.some((e) => e.containerId === id && e.action === "start") && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      expect(seen.some((e) => e.containerId === id && e.action === "start")).toBe(true);
      await node.remove(id, { force: true });
    } finally {
      sub.close();
    }
  });
});
