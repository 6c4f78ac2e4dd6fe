import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LABEL } from "../../../../src/runtime/labels.js";
import { EngineRun, configMap, httpGet, sampled, web } from "./harness.js";

const run = new EngineRun();
beforeAll(() => run.setup());
afterAll(() => run.teardown());

let n = 0;
const appName = () => `roll${n++}`;

async function rolling(replicas: number, strategy: Record<string, unknown>, surge: number, unavailable: number) {
  const app = appName();
  const { applier, pods } = await run.start();
  await applier.sync(run.request(app, "v1", [web("web", { replicas, strategy })]));
  expect(await applier.waitForHealthy(app, 60_000)).toEqual({ status: "Healthy", commit: "v1" });
  const before = await run.containers(app);

  await applier.sync(run.request(app, "v2", [web("web", { replicas, strategy, image: "capstan-demo/web:v2" })]));
  const r = await sampled(applier.waitForHealthy(app, 90_000), async () => ({
    containers: (await run.containers(app)).length,
    ready: pods.list({ app }).filter((p) => p.ready && !p.terminating).length,
  }));
  expect(r.value).toEqual({ status: "Healthy", commit: "v2" });
  expect(r.samples).toBeGreaterThan(5);
  expect(r.maxContainers).toBeLessThanOrEqual(replicas + surge);
  expect(r.minReady).toBeGreaterThanOrEqual(replicas - unavailable);
  const after = await run.containers(app);
  expect(after.map((c) => c.image)).toEqual(Array(replicas).fill("capstan-demo/web:v2"));
  expect(after.filter((c) => before.some((b) => b.name === c.name))).toEqual([]);
  expect(await httpGet(after[0]?.port ?? 0)).toBe("web v2\n");
  await run.kill({ applier, pods });
}

describe("Deployments on the real engine", () => {
  it("rolls v1 to v2 with maxSurge 1 and maxUnavailable 0 without ever exceeding replicas + 1 containers or dropping below replicas ready", async () => {
    await rolling(3, { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, 1, 0);
  });

  it("rolls v1 to v2 with 25%/25% at 4 replicas within 5 containers and at least 3 ready", async () => {
    await rolling(4, { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } }, 1, 1);
  });

  it("Recreate stops every v1 container before any v2 container starts", async () => {
    const app = appName();
    const { applier } = await run.start();
    await applier.sync(run.request(app, "v1", [web("web", { replicas: 2, strategy: { type: "Recreate" } })]));
    await applier.waitForHealthy(app, 60_000);
    await applier.sync(run.request(app, "v2", [web("web", { replicas: 2, strategy: { type: "Recreate" }, image: "capstan-demo/web:v2" })]));
    let mixed = false;
    const r = await sampled(applier.waitForHealthy(app, 60_000), async () => {
      const cs = (await run.containers(app)).filter((c) => c.running);
      if (cs.some((c) => c.image.endsWith("v1")) && cs.some((c) => c.image.endsWith("v2"))) mixed = true;
      return { containers: cs.length, ready: 0 };
    });
    expect(r.value.status).toBe("Healthy");
    expect(mixed).toBe(false);
    expect((await run.containers(app)).map((c) => c.image)).toEqual(["capstan-demo/web:v2", "capstan-demo/web:v2"]);
  });

  it("changing only replicas scales without replacing any pod", async () => {
    const app = appName();
    const { applier } = await run.start();
    await applier.sync(run.request(app, "c1", [web("web", { replicas: 2 })]));
    await applier.waitForHealthy(app, 60_000);
    const before = (await run.containers(app)).map((c) => c.name);
    await applier.sync(run.request(app, "c2", [web("web", { replicas: 3 })]));
    expect((await applier.waitForHealthy(app, 60_000)).status).toBe("Healthy");
    const after = (await run.containers(app)).map((c) => c.name);
    expect(after).toHaveLength(3);
    expect(before.every((b) => after.includes(b))).toBe(true);
    await applier.sync(run.request(app, "c3", [web("web", { replicas: 1 })]));
    expect((await applier.waitForHealthy(app, 60_000)).status).toBe("Healthy");
    await new Promise((r) => setTimeout(r, 500));
    const down = (await run.containers(app)).map((c) => c.name);
    expect(down).toHaveLength(1);
    expect(after).toContain(down[0]);
  });

  it("a paused Deployment starts no new revision (Suspended) until it is resumed", async () => {
    const app = appName();
    const { applier } = await run.start();
    await applier.sync(run.request(app, "c1", [web("web", { replicas: 2 })]));
    await applier.waitForHealthy(app, 60_000);
    await applier.sync(run.request(app, "c2", [web("web", { replicas: 2, image: "capstan-demo/web:v2", spec: { paused: true } })]));
    await new Promise((r) => setTimeout(r, 2_000));
    expect(applier.health(app).status).toBe("Suspended");
    expect((await run.containers(app)).map((c) => c.image)).toEqual(["capstan-demo/web:v1", "capstan-demo/web:v1"]);
    await applier.sync(run.request(app, "c3", [web("web", { replicas: 2, image: "capstan-demo/web:v2" })]));
    expect((await applier.waitForHealthy(app, 60_000)).status).toBe("Healthy");
    expect((await run.containers(app)).map((c) => c.image)).toEqual(["capstan-demo/web:v2", "capstan-demo/web:v2"]);
  });

  it("web:broken never becomes ready: the rollout fails after progressDeadlineSeconds and v1 keeps serving through its published port", async () => {
    const app = appName();
    const { applier } = await run.start();
    const strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    await applier.sync(run.request(app, "good", [web("web", { replicas: 2, strategy, spec: { progressDeadlineSeconds: 4 } })]));
    expect((await applier.waitForHealthy(app, 60_000)).status).toBe("Healthy");
    await applier.sync(run.request(app, "bad", [web("web", { replicas: 2, strategy, image: "capstan-demo/web:broken", spec: { progressDeadlineSeconds: 4 } })]));
    const failed = await applier.waitForHealthy(app, 60_000);
    expect(failed).toMatchObject({ status: "Failed", commit: "bad", reason: "ProgressDeadlineExceeded", rolledBackTo: "good" });
    expect(await applier.waitForHealthy(app, 60_000)).toEqual({ status: "Healthy", commit: "good" });
    await new Promise((r) => setTimeout(r, 1_000));
    const cs = await run.containers(app);
    expect(cs.map((c) => c.image)).toEqual(["capstan-demo/web:v1", "capstan-demo/web:v1"]);
    for (const c of cs) expect(await httpGet(c.port ?? 0)).toBe("web v1\n");
    expect((await run.store.load(app)).failures).toMatchObject([{ commit: "bad", reason: "ProgressDeadlineExceeded", rolledBackTo: "good" }]);
  });

  it("a ConfigMap change rolls the pods and they see the new value", async () => {
    const app = appName();
    const { applier } = await run.start();
    await applier.sync(run.request(app, "c1", [configMap("web", { GREETING: "hello" }), web("web", { replicas: 2, configMap: "web" })]));
    await applier.waitForHealthy(app, 60_000);
    const before = await run.containers(app);
    const env = async (name: string) => (await run.rt.exec(name, ["env"])).stdout;
    expect(await env(before[0]?.name ?? "")).toContain("GREETING=hello");
    await applier.sync(run.request(app, "c2", [configMap("web", { GREETING: "bonjour" }), web("web", { replicas: 2, configMap: "web" })]));
    expect((await applier.waitForHealthy(app, 60_000)).status).toBe("Healthy");
    await new Promise((r) => setTimeout(r, 500));
    const after = await run.containers(app);
    expect(after).toHaveLength(2);
    expect(after.filter((c) => before.some((b) => b.name === c.name))).toEqual([]);
    for (const c of after) expect(await env(c.name)).toContain("GREETING=bonjour");
  });

  it("prune removes only the Deployment Git dropped", async () => {
    const app = appName();
    const { applier } = await run.start();
    await applier.sync(run.request(app, "c1", [web("keep", { replicas: 1 }), web("drop", { replicas: 1 })]));
    await applier.waitForHealthy(app, 60_000);
    const kept = await applier.sync(run.request(app, "c2", [web("keep", { replicas: 1 })]));
    expect(kept.find((t) => t.name === "drop")?.action).toBe("orphan");
    expect(await run.containers(app, "drop")).toHaveLength(1);
    await applier.sync(run.request(app, "c3", [web("keep", { replicas: 1 })], { prune: true }));
    expect(await run.containers(app, "drop")).toEqual([]);
    expect(await run.containers(app, "keep")).toHaveLength(1);
  });

  it("an applier killed mid-rollout is replaced by a new one that finishes it with no duplicate pods", async () => {
    const app = appName();
    const first = await run.start();
    const strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    const spec = { minReadySeconds: 1 };
    await first.applier.sync(run.request(app, "v1", [web("web", { replicas: 4, strategy, spec })]));
    await first.applier.waitForHealthy(app, 60_000);
    await first.applier.sync(run.request(app, "v2", [web("web", { replicas: 4, strategy, spec, image: "capstan-demo/web:v2" })]));
    for (let i = 0; i < 200; i++) {
      if ((await run.containers(app)).filter((c) => c.image.endsWith("v2")).length >= 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await run.kill(first);
    const mid = await run.containers(app);
    expect(mid.some((c) => c.image.endsWith("v1"))).toBe(true);

    const second = await run.start();
    await second.applier.sync(run.request(app, "v2", [web("web", { replicas: 4, strategy, spec, image: "capstan-demo/web:v2" })]));
    const r = await sampled(second.applier.waitForHealthy(app, 90_000), async () => ({ containers: (await run.containers(app)).length, ready: 0 }));
    expect(r.value.status).toBe("Healthy");
    expect(r.maxContainers).toBeLessThanOrEqual(5);
    await new Promise((r2) => setTimeout(r2, 500));
    const after = await run.containers(app);
    expect(after.map((c) => c.image)).toEqual(Array(4).fill("capstan-demo/web:v2"));
    expect(new Set(after.map((c) => c.name)).size).toBe(4);
    const labelled = await run.rt.list({ ...run.labels, [LABEL.application]: app });
    expect(new Set(labelled.map((c) => c.labels[LABEL.pod])).size).toBe(labelled.length);
  });
});
