import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../../src/controllers/clock.js";
import { DeploymentController } from "../../../../src/controllers/workloads/deployment.js";
import type { WorkloadReport, WorkloadTarget } from "../../../../src/controllers/workloads/types.js";
import { normalize } from "../../../../src/manifest/index.js";
import type { Deployment, ManifestObject } from "../../../../src/manifest/index.js";
import { FakePods } from "./fake-pods.js";

const NS = "default";

function web(options: { image?: string; replicas?: number; paused?: boolean; progressDeadlineSeconds?: number; strategy?: Record<string, unknown> } = {}): Deployment {
  return normalize(
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: NS },
      spec: {
        replicas: options.replicas ?? 3,
        selector: { matchLabels: { app: "web" } },
        ...(options.paused !== undefined ? { paused: options.paused } : {}),
        ...(options.progressDeadlineSeconds !== undefined ? { progressDeadlineSeconds: options.progressDeadlineSeconds } : {}),
        strategy: options.strategy ?? { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: options.image ?? "web:v1" }] } },
      },
    } as ManifestObject,
    NS,
  ) as Deployment;
}

const target = (object: Deployment, over: Partial<WorkloadTarget<Deployment>> = {}): WorkloadTarget<Deployment> => ({
  app: "shop",
  commit: "c1",
  namespace: NS,
  object,
  config: { configMaps: new Map(), secrets: new Map() },
  ...over,
});

/** Lets deletes started in the background finish. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

function setup() {
  const clock = new FakeClock(Date.UTC(2026, 2, 1, 10, 0, 0));
  const pods = new FakePods(clock);
  const controller = new DeploymentController(pods, clock);
  return { clock, pods, controller };
}

/** Reconciles, bringing every new pod up, until the rollout is complete. */
async function rollOut(s: ReturnType<typeof setup>, t: WorkloadTarget<Deployment>): Promise<WorkloadReport> {
  for (let i = 0; i < 30; i++) {
    const r = await s.controller.reconcile(t);
    await settle();
    if (r.phase === "Complete") return r;
    s.pods.allUp(NS, "web");
  }
  throw new Error("the rollout did not complete");
}

const names = (pods: FakePods) => pods.list({ ownerName: "web" }).map((p) => p.name).sort();

describe("Deployment health and replica counts from live pods", () => {
  it("a paused Deployment is Suspended with phase Paused and is no failure, even long past its deadline, and resumes with a fresh deadline", async () => {
    const s = setup();
    await rollOut(s, target(web()));
    const before = s.pods.created.length;

    const paused = await s.controller.reconcile(target(web({ image: "web:v2", paused: true, progressDeadlineSeconds: 60 })));
    expect(paused).toMatchObject({ health: { status: "Suspended" }, phase: "Paused" });
    expect(paused.failure).toBeUndefined();
    await s.clock.advance(3_600_000);
    const still = await s.controller.reconcile(target(web({ image: "web:v2", paused: true, progressDeadlineSeconds: 60 })));
    expect(still).toMatchObject({ health: { status: "Suspended" }, phase: "Paused" });
    expect(still.failure).toBeUndefined();
    expect(s.pods.created.length).toBe(before);

    const resumed = await s.controller.reconcile(target(web({ image: "web:v2", progressDeadlineSeconds: 60 })));
    expect(resumed).toMatchObject({ health: { status: "Progressing" }, phase: "Progressing" });
    expect(resumed.failure).toBeUndefined();
    expect(s.pods.created.length).toBe(before + 1);
  });

  it("a rolled-out Deployment whose pod starts crash-looping is Degraded, names the pod, is no failure, and is Healthy again once it recovers", async () => {
    const s = setup();
    await rollOut(s, target(web({ progressDeadlineSeconds: 60 })));
    const [first] = names(s.pods);
    s.pods.fail(NS, first ?? "", "CrashLoopBackOff");

    const r = await s.controller.reconcile(target(web({ progressDeadlineSeconds: 60 })));
    expect(r.health).toEqual({ status: "Degraded", message: `2/3 available; pod ${first}: CrashLoopBackOff` });
    expect(r.replicas).toEqual({ desired: 3, current: 3, updated: 3, ready: 2, available: 2 });
    expect(r.failure).toBeUndefined();

    await s.clock.advance(120_000);
    const later = await s.controller.reconcile(target(web({ progressDeadlineSeconds: 60 })));
    expect(later.health.status).toBe("Degraded");
    expect(later.failure).toBeUndefined();

    s.pods.up(NS, first ?? "");
    const healed = await s.controller.reconcile(target(web({ progressDeadlineSeconds: 60 })));
    expect(healed.health.status).toBe("Healthy");
  });

  it("a rolled-out Deployment whose replacement pod cannot be scheduled is Degraded", async () => {
    const s = setup();
    await rollOut(s, target(web()));
    const [lost] = names(s.pods);
    await s.pods.delete(NS, lost ?? "");
    await s.controller.reconcile(target(web()));
    const [replacement] = names(s.pods).filter((n) => s.pods.get(NS, n)?.phase === "Pending");
    s.pods.fail(NS, replacement ?? "", "Unschedulable", "Pending");
    const r = await s.controller.reconcile(target(web()));
    expect(r.health).toEqual({ status: "Degraded", message: `2/3 available; pod ${replacement}: Unschedulable` });
  });

  it("new pods crash-looping during a rollout keep it Progressing, then Degraded and failed once the deadline passes", async () => {
    const s = setup();
    await rollOut(s, target(web({ progressDeadlineSeconds: 60 })));
    const v2 = target(web({ image: "web:v2", progressDeadlineSeconds: 60 }));
    await s.controller.reconcile(v2);
    const [fresh] = s.pods.list({ ownerName: "web" }).filter((p) => p.phase === "Pending").map((p) => p.name);
    s.pods.fail(NS, fresh ?? "", "CrashLoopBackOff");

    const r = await s.controller.reconcile(v2);
    expect(r.health).toEqual({ status: "Progressing", message: `Waiting for rollout to finish: 1 out of 3 new replicas have been updated... (pod ${fresh}: CrashLoopBackOff)` });
    expect(r.failure).toBeUndefined();

    await s.clock.advance(61_000);
    const failed = await s.controller.reconcile(v2);
    expect(failed.health.status).toBe("Degraded");
    expect(failed.health.message).toContain(`pod ${fresh}: CrashLoopBackOff`);
    expect(failed.failure?.reason).toBe("ProgressDeadlineExceeded");
  });

  it("counts replicas from live pods during a rollout: the surge pod is current but not yet ready", async () => {
    const s = setup();
    await rollOut(s, target(web()));
    const v2 = target(web({ image: "web:v2" }));
    await s.controller.reconcile(v2);
    const mid = await s.controller.reconcile(v2);
    expect(mid.replicas).toEqual({ desired: 3, current: 4, updated: 1, ready: 3, available: 3 });
    expect(mid.health).toEqual({ status: "Progressing", message: "Waiting for rollout to finish: 1 out of 3 new replicas have been updated..." });

    const done = await rollOut(s, v2);
    expect(done.replicas).toEqual({ desired: 3, current: 3, updated: 3, ready: 3, available: 3 });
    expect(done.health.status).toBe("Healthy");
  });
});

describe("drifted pods under selfHeal", () => {
  it("with selfHeal a drifted pod is replaced like an outdated one: a fresh pod first, the drifted one stopped once it is available", async () => {
    const s = setup();
    const t = target(web(), { selfHeal: true });
    await rollOut(s, t);
    const before = names(s.pods);
    const drifted = before[1] ?? "";
    s.pods.drift(NS, drifted, [{ object: `Pod/${drifted}`, field: "spec.containers[0].image", desired: "web:v1", live: "web:hacked" }]);

    const r = await s.controller.reconcile(t);
    const added = names(s.pods).filter((n) => !before.includes(n));
    expect(added).toHaveLength(1);
    expect(s.pods.deleted).toEqual([]);
    expect(r.health.status).toBe("Progressing");
    expect(r.replicas).toMatchObject({ current: 3, updated: 2 });

    const done = await rollOut(s, t);
    expect(s.pods.deleted).toEqual([drifted]);
    expect(names(s.pods)).toHaveLength(3);
    expect(names(s.pods)).not.toContain(drifted);
    expect(names(s.pods)).toContain(added[0]);
    expect(done.health.status).toBe("Healthy");
  });

  it("with maxSurge 0 a drifted pod is stopped first and its replacement gets a new name", async () => {
    const s = setup();
    const t = target(web({ strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } }), { selfHeal: true });
    await rollOut(s, t);
    const before = names(s.pods);
    const drifted = before[0] ?? "";
    s.pods.drift(NS, drifted, [{ object: `Pod/${drifted}`, field: "spec.containers[0].env.GREETING", desired: "hello", live: "(none)" }]);
    const done = await rollOut(s, t);
    expect(s.pods.deleted).toEqual([drifted]);
    expect(names(s.pods).filter((n) => !before.includes(n))).toHaveLength(1);
    expect(done.health.status).toBe("Healthy");
  });

  it("without selfHeal drift changes nothing in the rollout", async () => {
    const s = setup();
    const t = target(web());
    await rollOut(s, t);
    const before = names(s.pods);
    s.pods.drift(NS, before[0] ?? "", [{ object: `Pod/${before[0]}`, field: "spec.containers[0].image", desired: "web:v1", live: "web:hacked" }]);
    const r = await s.controller.reconcile(t);
    await settle();
    expect(names(s.pods)).toEqual(before);
    expect(s.pods.deleted).toEqual([]);
    expect(r).toMatchObject({ phase: "Complete", health: { status: "Healthy" }, replicas: { updated: 3 } });
  });
});
