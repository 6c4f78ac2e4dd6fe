import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../../src/controllers/clock.js";
import { CronJobController } from "../../../../src/controllers/workloads/cronjob.js";
import { DaemonSetController } from "../../../../src/controllers/workloads/daemonset.js";
import { JobController } from "../../../../src/controllers/workloads/job.js";
import { StatefulSetController } from "../../../../src/controllers/workloads/statefulset.js";
import type { WorkloadTarget } from "../../../../src/controllers/workloads/types.js";
import { normalize } from "../../../../src/manifest/index.js";
import type { CronJob, DaemonSet, Job, ManifestObject, StatefulSet } from "../../../../src/manifest/index.js";
import { FakePods } from "./fake-pods.js";

const NS = "default";
const template = (name: string, image = "app:v1") => ({ metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image }] } });
const target = <T>(object: T): WorkloadTarget<T> => ({ app: "ops", commit: "c1", namespace: NS, object, config: { configMaps: new Map(), secrets: new Map() } });
const manifest = <T>(o: Record<string, unknown>): T => normalize(o as unknown as ManifestObject, NS) as unknown as T;

function setup() {
  const clock = new FakeClock(Date.UTC(2026, 2, 1, 10, 0, 0));
  return { clock, pods: new FakePods(clock) };
}

describe("what the other workload controllers report from live pods", () => {
  it("a StatefulSet counts its replicas and turns Healthy once every ordinal is ready at the new revision", async () => {
    const { pods } = setup();
    const controller = new StatefulSetController(pods);
    const set = (image: string) =>
      target(manifest<StatefulSet>({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "db", namespace: NS }, spec: { replicas: 2, selector: { matchLabels: { app: "db" } }, template: template("db", image) } }));
    for (let i = 0; i < 5; i++) {
      await controller.reconcile(set("db:v1"));
      pods.allUp(NS, "db");
    }
    const up = await controller.reconcile(set("db:v1"));
    expect(up).toMatchObject({ health: { status: "Healthy" }, phase: "Complete", replicas: { desired: 2, current: 2, updated: 2, ready: 2, available: 2 } });

    const rolling = await controller.reconcile(set("db:v2"));
    expect(rolling.health.status).toBe("Progressing");
    expect(rolling.replicas).toEqual({ desired: 2, current: 2, updated: 0, ready: 2, available: 2 });
  });

  it("a DaemonSet counts one replica per eligible node", async () => {
    const { pods, clock } = setup();
    const nodes = [{ name: "n1" }, { name: "n2" }];
    const controller = new DaemonSetController(pods, () => nodes, clock);
    const ds = target(manifest<DaemonSet>({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "agent", namespace: NS }, spec: { selector: { matchLabels: { app: "agent" } }, template: template("agent") } }));
    const first = await controller.reconcile(ds);
    expect(first.health.status).toBe("Progressing");
    pods.allUp(NS, "agent");
    const r = await controller.reconcile(ds);
    expect(r).toMatchObject({ health: { status: "Healthy" }, replicas: { desired: 2, current: 2, updated: 2, ready: 2, available: 2 } });
  });

  it("a suspended Job is Suspended and runs nothing", async () => {
    const { pods, clock } = setup();
    const controller = new JobController(pods, clock);
    const job = target(
      manifest<Job>({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "migrate", namespace: NS }, spec: { suspend: true, template: { ...template("migrate"), spec: { ...template("migrate").spec, restartPolicy: "Never" } } } }),
    );
    const r = await controller.reconcile(job);
    expect(r).toMatchObject({ health: { status: "Suspended" }, phase: "Suspended" });
    expect(r.failure).toBeUndefined();
    expect(pods.created).toEqual([]);
  });

  it("a suspended CronJob is Suspended", async () => {
    const { pods, clock } = setup();
    const controller = new CronJobController(pods, new JobController(pods, clock), clock);
    const cron = target(
      manifest<CronJob>({
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "nightly", namespace: NS },
        spec: { schedule: "* * * * *", suspend: true, jobTemplate: { spec: { template: { ...template("nightly"), spec: { ...template("nightly").spec, restartPolicy: "Never" } } } } },
      }),
    );
    const r = await controller.reconcile(cron);
    expect(r).toMatchObject({ health: { status: "Suspended" }, phase: "Suspended" });
  });
});
