import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DockerPodManager } from "../../../../src/controllers/pods/manager.js";
import { containerName } from "../../../../src/controllers/pods/materialize.js";
import type { DriftItem, PodIntent } from "../../../../src/controllers/pods/types.js";
import { DockerRuntime } from "../../../../src/runtime/docker.js";

const run = randomBytes(4).toString("hex");
const testLabels = { "capstan.dev/test-run": run };
const namespace = `drift-${run}`;
const rt = new DockerRuntime({ node: "local" });
let stateDir = "";
const managers: DockerPodManager[] = [];
const docker = (...args: string[]): string => execFileSync("docker", args, { encoding: "utf8", timeout: 30_000 }).trim();
const memoryOf = (container: string): number => Number(docker("inspect", "-f", "{{.HostConfig.Memory}}", container));
const idOf = (container: string): string => docker("inspect", "-f", "{{.Id}}", container);

async function manager(): Promise<DockerPodManager> {
  const m = new DockerPodManager({ runtimes: new Map([["local", rt]]), stateDir, labels: testLabels, resyncPeriodMs: 500 });
  managers.push(m);
  await m.start();
  return m;
}

let n = 0;
function pod(extra: Partial<PodIntent> = {}): PodIntent {
  return {
    name: `db-${n++}`,
    namespace,
    app: "it",
    ownerKind: "StatefulSet",
    ownerName: "db",
    revision: "r1",
    commit: "c0ffee",
    template: {
      metadata: { labels: { app: "db" } },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "db", image: "capstan-demo/web:v1", resources: { limits: { memory: "128Mi" } } }] },
    },
    configMaps: {},
    secrets: {},
    ...extra,
  };
}

async function until<T>(what: string, get: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last = await get();
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`${what}: not reached in ${timeoutMs} ms; last ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await get();
  }
  return last;
}

/** Waits for a few periodic resyncs (500 ms each) to have run. */
const resyncs = (count: number) => new Promise((r) => setTimeout(r, count * 500 + 300));

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "capstan-drift-it-"));
});

afterEach(async () => {
  for (const m of managers.splice(0)) await m.stop();
});

afterAll(async () => {
  for (const c of await rt.list(testLabels)) await rt.remove(c.id, { force: true });
  for (const net of await rt.listNetworks(testLabels)) await rt.removeNetwork(net.name);
  await rm(stateDir, { recursive: true, force: true });
});

describe("pod identity on the real engine", () => {
  it("keeps the container when the same pod is declared at another commit", async () => {
    const m = await manager();
    const i = pod({ ownerKind: "Deployment", ownerName: "web" });
    const first = await m.create(i);
    const again = await m.create({ ...i, commit: "fedcba9876543210" });
    expect(again.containerIds).toEqual(first.containerIds);
    expect(idOf(containerName(namespace, i.name))).toBe(first.containerIds[0]);
  });
});

describe("drift on the real engine", () => {
  it("reports `docker update --memory 64m` with selfHeal off and keeps the container", async () => {
    const m = await manager();
    const i = pod();
    const created = await m.create(i);
    const container = containerName(namespace, i.name);
    docker("update", "--memory", "64m", container);
    const want: DriftItem = { object: `Pod/${i.name}`, field: "spec.containers[0].resources.limits.memory", live: "64Mi", desired: "128Mi" };
    await until("drift reported", () => m.get(namespace, i.name)?.drift, (d) => JSON.stringify(d) === JSON.stringify([want]));
    await resyncs(3);
    expect(m.get(namespace, i.name)?.drift).toEqual([want]);
    expect(idOf(container)).toBe(created.containerIds[0]);
    expect(memoryOf(container)).toBe(64 * 1024 ** 2);
  });

  it("corrects `docker update --memory 64m` of a StatefulSet pod with selfHeal on and says so", async () => {
    const m = await manager();
    m.setSelfHeal("it", true);
    const i = pod();
    const created = await m.create(i);
    const container = containerName(namespace, i.name);
    docker("update", "--memory", "64m", container);
    await until("container replaced", () => idOf(container), (id) => id !== created.containerIds[0]);
    await until("pod ready without drift", () => m.get(namespace, i.name), (p) => p?.ready === true && p.drift.length === 0 && p.containerIds[0] === idOf(container));
    expect(memoryOf(container)).toBe(128 * 1024 ** 2);
    const healed = m.events(namespace, i.name).find((e) => e.reason === "SelfHealed");
    expect(healed?.message).toContain("spec.containers[0].resources.limits.memory (live 64Mi, desired 128Mi)");
  });

  it("reports a renamed container on its pod", async () => {
    const m = await manager();
    const i = pod();
    const created = await m.create(i);
    const renamed = `renamed-${run}-${i.name}`;
    docker("rename", containerName(namespace, i.name), renamed);
    const p = await until("rename reported", () => m.get(namespace, i.name), (s) => (s?.drift ?? []).some((d) => d.field === "metadata.name"));
    expect(p?.drift).toEqual([{ object: `Pod/${i.name}`, field: "metadata.name", live: renamed, desired: containerName(namespace, i.name) }]);
    await resyncs(2);
    expect(m.get(namespace, i.name)?.containerIds).toEqual(created.containerIds);
    expect(idOf(renamed)).toBe(created.containerIds[0]);
  });

  it("reports a stray container that copies a pod's labels, and removes it once selfHeal is on", async () => {
    const m = await manager();
    const i = pod();
    await m.create(i);
    const labels = JSON.parse(docker("inspect", "-f", "{{json .Config.Labels}}", containerName(namespace, i.name))) as Record<string, string>;
    const stray = `stray-${run}`;
    docker("run", "-d", "--name", stray, ...Object.entries(labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]), "capstan-demo/web:v1");
    const found = await until("stray reported", () => m.strays("it"), (s) => s.some((d) => d.object === `Container/${stray}`));
    expect(found.find((d) => d.object === `Container/${stray}`)).toMatchObject({ field: "metadata.labels", desired: "(none: no pod of this installation keeps this container)" });
    expect(docker("ps", "-aq", "--filter", `name=^${stray}$`)).not.toBe("");
    m.setSelfHeal("it", true);
    await until("stray removed", () => docker("ps", "-aq", "--filter", `name=^${stray}$`), (out) => out === "");
    expect(m.get(namespace, i.name)?.phase).toBe("Running");
  });
});
