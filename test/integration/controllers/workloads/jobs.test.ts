import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../../../src/controllers/clock.js";
import type { Clock } from "../../../../src/controllers/clock.js";
import type { ManifestObject } from "../../../../src/manifest/index.js";
import { EngineRun } from "./harness.js";

const run = new EngineRun();
beforeAll(() => run.setup());
afterAll(() => run.teardown());

const podSpec = (script: string) => ({
  restartPolicy: "Never",
  terminationGracePeriodSeconds: 1,
  containers: [{ name: "task", image: "capstan-demo/worker:latest", command: ["/bin/sh", "-c", script] }],
});

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("Jobs and CronJobs on the real engine", () => {
  it("a Job runs its pod to completion and the application becomes healthy", async () => {
    const { applier, pods } = await run.start();
    const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "migrate" }, spec: { template: { spec: podSpec("echo migrated") } } } as ManifestObject;
    await applier.sync(run.request("jobs", "c1", [job]));
    expect(await applier.waitForHealthy("jobs", 60_000)).toEqual({ status: "Healthy", commit: "c1" });
    const [pod] = pods.list({ app: "jobs", ownerName: "migrate" });
    expect(pod?.phase).toBe("Succeeded");
    expect(pod?.exitCode).toBe(0);
  });

  it("a Job whose pods keep failing stops at backoffLimit with BackoffLimitExceeded", async () => {
    const { applier, pods } = await run.start();
    const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "doomed" }, spec: { backoffLimit: 0, template: { spec: podSpec("exit 3") } } } as ManifestObject;
    await applier.sync(run.request("failing", "c1", [job]));
    const outcome = await applier.waitForHealthy("failing", 60_000);
    expect(outcome).toMatchObject({ status: "Failed", reason: "BackoffLimitExceeded" });
    expect(pods.list({ app: "failing", ownerName: "doomed" }).map((p) => p.phase)).toEqual(["Failed"]);
  });

  it("a CronJob with * * * * * starts a Job named <cronjob>-<minute> when the minute turns (the clock is shifted to two seconds before it)", async () => {
    const offset = (((58_000 - (Date.now() % 60_000)) % 60_000) + 60_000) % 60_000;
    const shifted: Clock = { now: () => Date.now() + offset, setTimeout: systemClock.setTimeout, sleep: systemClock.sleep };
    const { applier, pods } = await run.start({ clock: shifted });
    const cron = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "tick" },
      spec: { schedule: "* * * * *", jobTemplate: { spec: { template: { spec: podSpec("echo tick") } } } },
    } as ManifestObject;
    await applier.sync(run.request("cron", "c1", [cron]));
    expect(pods.list({ app: "cron" })).toEqual([]);
    await until(() => pods.list({ app: "cron" }).some((p) => p.phase === "Succeeded"), 15_000);
    const fired = pods.list({ app: "cron" });
    const minute = Math.floor(shifted.now() / 60_000);
    expect(fired.map((p) => p.ownerName)).toEqual([`tick-${minute}`]);
  });
});
