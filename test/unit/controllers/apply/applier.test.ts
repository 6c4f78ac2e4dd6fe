import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Applier } from "../../../../src/controllers/apply/applier.js";
import { MemoryDesiredStore } from "../../../../src/controllers/apply/desired-store.js";
import type { SyncOutcome, SyncRequest } from "../../../../src/controllers/apply/applier.js";
import { FakeClock } from "../../../../src/controllers/clock.js";
import { DockerPodManager } from "../../../../src/controllers/pods/manager.js";
import type { ProbeExecutor } from "../../../../src/controllers/pods/probes.js";
import { normalize } from "../../../../src/manifest/index.js";
import type { ManifestObject } from "../../../../src/manifest/index.js";
import { LABEL } from "../../../../src/runtime/labels.js";
import { FakeRuntime } from "../../../../src/runtime/fake.js";
import { configMap, deployment } from "./helpers.js";

let stateDir = "";
let clock: FakeClock;
let rt: FakeRuntime;
let store: MemoryDesiredStore;
const stops: (() => Promise<void>)[] = [];

/** Readiness passes unless the container runs the broken image. */
const probes: ProbeExecutor = async (_probe, target) => {
  const c = await target.runtime.inspect(target.containerId);
  return c.image.includes("broken") ? { ok: false, message: "HTTP 404" } : { ok: true, message: "ok" };
};

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "capstan-applier-"));
  clock = new FakeClock(Date.UTC(2026, 2, 1, 10, 0, 0));
  rt = new FakeRuntime({ node: "local", images: ["capstan-demo/web:v1", "capstan-demo/web:v2", "capstan-demo/web:broken", "capstan-demo/worker:latest"] });
  store = new MemoryDesiredStore();
});

afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
  await rm(stateDir, { recursive: true, force: true });
});

async function startApplier(): Promise<{ applier: Applier; pods: DockerPodManager }> {
  const pods = new DockerPodManager({ runtimes: new Map([["local", rt]]), stateDir, clock, probeExecutor: probes, resyncPeriodMs: 5_000 });
  await pods.start();
  const applier = new Applier({ runtime: rt, pods, store, clock });
  applier.start();
  stops.push(async () => {
    await applier.stop();
    await pods.stop();
  });
  return { applier, pods };
}

const readiness = { readinessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 1 }, ports: [{ containerPort: 8080 }] };

function web(image: string, replicas: number, strategy: Record<string, unknown>, extra: Record<string, unknown> = {}): ManifestObject {
  const d = deployment("web", { image, replicas, container: readiness, envFrom: "web" }) as ManifestObject & { spec: Record<string, unknown> };
  d.spec["strategy"] = strategy;
  Object.assign(d.spec, extra);
  return normalize(d, "default");
}

function request(commit: string, objects: ManifestObject[], over: Partial<SyncRequest> = {}): SyncRequest {
  return { app: "shop", namespace: "default", commit, objects, prune: false, ...over };
}

/** Advances the fake clock in steps until the promise settles, sampling the engine after each step. */
async function drive<T>(p: Promise<T>, sample: () => Promise<void> = async () => {}, limitMs = 600_000): Promise<T> {
  let done = false;
  let value: T | undefined;
  void p.then((v) => {
    done = true;
    value = v;
  });
  for (let t = 0; !done && t < limitMs; t += 500) {
    await clock.advance(500);
    await sample();
  }
  if (!done) throw new Error("did not settle");
  return value as T;
}

async function images(): Promise<string[]> {
  return (await rt.list({ [LABEL.application]: "shop" })).filter((c) => c.status === "running").map((c) => c.image).sort();
}

describe("the applier on a fake engine through the real pod manager", () => {
  it("rolls v1 to v2 one pod at a time without exceeding replicas + 1 or dropping below replicas ready", async () => {
    const { applier, pods } = await startApplier();
    const strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    const cfg = configMap("web", { GREETING: "hello" });
    await applier.sync(request("c1", [cfg, web("capstan-demo/web:v1", 3, strategy)]));
    expect(await drive(applier.waitForHealthy("shop", 300_000))).toEqual({ status: "Healthy", commit: "c1" });

    // Sampled on every pod change: the pod manager's view counts stopping pods until they are removed.
    let maxContainers = 0;
    let minReady = Infinity;
    const off = pods.onChange(() => {
      const all = pods.list({ app: "shop" });
      maxContainers = Math.max(maxContainers, all.length);
      minReady = Math.min(minReady, all.filter((p) => p.ready && !p.terminating).length);
    });
    await applier.sync(request("c2", [cfg, web("capstan-demo/web:v2", 3, strategy)]));
    const outcome = await drive(applier.waitForHealthy("shop", 300_000));
    off();
    expect(outcome.status).toBe("Healthy");
    expect(maxContainers).toBe(4);
    expect(minReady).toBeGreaterThanOrEqual(3);
    expect(await images()).toEqual(Array(3).fill("capstan-demo/web:v2"));
  });

  it("a ConfigMap change rolls the pods; a replicas change alone replaces none", async () => {
    const { applier } = await startApplier();
    const strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    await applier.sync(request("c1", [configMap("web", { GREETING: "hello" }), web("capstan-demo/web:v1", 2, strategy)]));
    await drive(applier.waitForHealthy("shop", 300_000));
    const first = (await rt.list({ [LABEL.application]: "shop" })).map((c) => c.name).sort();

    await applier.sync(request("c2", [configMap("web", { GREETING: "hello" }), web("capstan-demo/web:v1", 3, strategy)]));
    await drive(applier.waitForHealthy("shop", 300_000));
    const scaled = (await rt.list({ [LABEL.application]: "shop" })).map((c) => c.name).sort();
    expect(scaled).toHaveLength(3);
    expect(scaled.filter((n) => first.includes(n))).toEqual(first);

    await applier.sync(request("c3", [configMap("web", { GREETING: "bonjour" }), web("capstan-demo/web:v1", 3, strategy)]));
    await drive(applier.waitForHealthy("shop", 300_000));
    const rolled = (await rt.list({ [LABEL.application]: "shop" })).map((c) => c.name).sort();
    expect(rolled).toHaveLength(3);
    expect(rolled.filter((n) => scaled.includes(n))).toEqual([]);
  });

  it("a rollout that never becomes ready fails after progressDeadlineSeconds and the last healthy revision comes back", async () => {
    const { applier } = await startApplier();
    const strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    const cfg = configMap("web", { GREETING: "hello" });
    await applier.sync(request("good", [cfg, web("capstan-demo/web:v1", 2, strategy, { progressDeadlineSeconds: 20 })]));
    await drive(applier.waitForHealthy("shop", 300_000));

    await applier.sync(request("bad", [cfg, web("capstan-demo/web:broken", 2, strategy, { progressDeadlineSeconds: 20 })]));
    const failed = await drive(applier.waitForHealthy("shop", 300_000));
    expect(failed).toMatchObject({ status: "Failed", commit: "bad", reason: "ProgressDeadlineExceeded", rolledBackTo: "good" });
    expect((failed as Extract<SyncOutcome, { status: "Failed" }>).message).toContain("made no progress for 20s");
    expect(await drive(applier.waitForHealthy("shop", 300_000))).toEqual({ status: "Healthy", commit: "good" });
    expect(await images()).toEqual(["capstan-demo/web:v1", "capstan-demo/web:v1"]);
    const state = await store.load("shop");
    expect(state.failures).toMatchObject([{ commit: "bad", reason: "ProgressDeadlineExceeded", rolledBackTo: "good" }]);
  });

  it("a new applier over the same engine finishes a rollout the old one left half way, with no duplicate pods", async () => {
    const first = await startApplier();
    const strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    const cfg = configMap("web", { GREETING: "hello" });
    // New pods take a few seconds to become ready, so the rollout can be interrupted half way.
    const slow = { minReadySeconds: 3 };
    await first.applier.sync(request("c1", [cfg, web("capstan-demo/web:v1", 4, strategy)]));
    await drive(first.applier.waitForHealthy("shop", 300_000));
    await first.applier.sync(request("c2", [cfg, web("capstan-demo/web:v2", 4, strategy, slow)]));
    // Let it replace some pods, then stop it mid-way.
    for (let i = 0; i < 6 && (await images()).filter((x) => x.endsWith("v2")).length < 2; i++) await clock.advance(500);
    const stop = stops.pop() as () => Promise<void>;
    await stop();
    const mid = await images();
    expect(mid.some((x) => x.endsWith("v1"))).toBe(true);

    const second = await startApplier();
    let maxContainers = 0;
    const off = second.pods.onChange(() => {
      maxContainers = Math.max(maxContainers, second.pods.list({ app: "shop" }).length);
    });
    await second.applier.sync(request("c2", [cfg, web("capstan-demo/web:v2", 4, strategy, slow)]));
    const outcome = await drive(second.applier.waitForHealthy("shop", 300_000));
    off();
    expect(outcome.status).toBe("Healthy");
    expect(maxContainers).toBeLessThanOrEqual(5);
    const names = (await rt.list({ [LABEL.application]: "shop" })).map((c) => c.name);
    expect(new Set(names).size).toBe(4);
    expect(await images()).toEqual(Array(4).fill("capstan-demo/web:v2"));
  });

  it("a Job runs to completion and the application becomes healthy", async () => {
    const { applier } = await startApplier();
    const job = normalize(
      {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: "migrate", namespace: "default" },
        spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "m", image: "capstan-demo/worker:latest" }] } } },
      } as ManifestObject,
      "default",
    );
    await applier.sync(request("c1", [job]));
    const done = drive(applier.waitForHealthy("shop", 300_000));
    await clock.advance(1000);
    const [c] = await rt.list({ [LABEL.ownerName]: "migrate" });
    expect(c?.name).toMatch(/^default_migrate-[a-z0-9]{5}$/);
    rt.exit(c?.name ?? "", 0);
    expect(await done).toEqual({ status: "Healthy", commit: "c1" });
  });

  it("prunes only the workloads Git dropped, and only when asked", async () => {
    const { applier } = await startApplier();
    const a = normalize({ ...deployment("a", { replicas: 1 }) } as ManifestObject, "default");
    const b = normalize({ ...deployment("b", { replicas: 1 }) } as ManifestObject, "default");
    await applier.sync(request("c1", [a, b]));
    await drive(applier.waitForHealthy("shop", 300_000));
    const kept = await applier.sync(request("c2", [a]));
    expect(kept.find((t) => t.name === "b")?.action).toBe("orphan");
    await drive(applier.waitForHealthy("shop", 300_000));
    expect((await rt.list({ [LABEL.ownerName]: "b" })).length).toBe(1);
    const pruned = await applier.sync(request("c3", [a], { prune: true }));
    expect(pruned.find((t) => t.name === "b")?.action).toBe("prune");
    expect(await rt.list({ [LABEL.ownerName]: "b" })).toEqual([]);
    expect((await rt.list({ [LABEL.ownerName]: "a" })).length).toBe(1);
  });
});
