import { describe, expect, it } from "vitest";
import { latestFireBetween, nextFire, parseSchedule } from "../../../../src/controllers/workloads/cron.js";
import type { CronSchedule } from "../../../../src/controllers/workloads/cron.js";
import { cronJobName, cronJobStep } from "../../../../src/controllers/workloads/cronjob-step.js";
import type { CronJobState } from "../../../../src/controllers/workloads/cronjob-step.js";

function schedule(expr: string): CronSchedule {
  const p = parseSchedule(expr);
  if (!p.ok) throw new Error(p.error);
  return p.value;
}
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe("next fire times (UTC)", () => {
  it.each([
    { expr: "* * * * *", after: "2026-03-01T10:00:30Z", next: "2026-03-01T10:01:00.000Z" },
    { expr: "*/15 * * * *", after: "2026-03-01T10:00:00Z", next: "2026-03-01T10:15:00.000Z" },
    { expr: "0 9 * * MON-FRI", after: "2026-03-06T09:00:00Z", next: "2026-03-09T09:00:00.000Z" },
    { expr: "@hourly", after: "2026-03-01T23:59:59Z", next: "2026-03-02T00:00:00.000Z" },
    { expr: "0 0 29 2 *", after: "2026-03-01T00:00:00Z", next: "2028-02-29T00:00:00.000Z" },
    { expr: "0 0 1 * 1", after: "2026-03-01T00:00:00Z", next: "2026-03-02T00:00:00.000Z" },
    { expr: "*/5 * * * * *", after: "2026-03-01T10:00:01Z", next: "2026-03-01T10:00:05.000Z" },
  ])("$expr after $after fires at $next", ({ expr, after, next }) => {
    expect(iso(nextFire(schedule(expr), at(after)))).toBe(next);
  });

  it("rejects an invalid schedule with node-cron's reason", () => {
    const p = parseSchedule("61 * * * *");
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.error).toContain("minute");
  });

  it("finds the most recent missed schedule and how many were missed", () => {
    expect(latestFireBetween(schedule("*/10 * * * *"), at("2026-03-01T10:00:00Z"), at("2026-03-01T10:35:00Z"))).toEqual({ at: at("2026-03-01T10:30:00Z"), missed: 3 });
  });
});

const base = (over: Partial<CronJobState>): CronJobState => ({
  name: "backup",
  schedule: schedule("*/5 * * * *"),
  concurrencyPolicy: "Allow",
  suspend: false,
  successfulJobsHistoryLimit: 3,
  failedJobsHistoryLimit: 1,
  since: at("2026-03-01T10:00:00Z"),
  now: at("2026-03-01T10:05:10Z"),
  children: [],
  ...over,
});

describe("CronJob steps", () => {
  it("starts a Job named <cronjob>-<scheduled minute> when a schedule falls due, and says when the next one is", () => {
    const r = cronJobStep(base({}));
    expect(r.start).toEqual({ name: `backup-${at("2026-03-01T10:05:00Z") / 60_000}`, scheduledAt: at("2026-03-01T10:05:00Z") });
    expect(r.requeueAfterMs).toBe(4 * 60_000 + 50_000);
  });

  it("does not start the same run twice", () => {
    const name = cronJobName("backup", at("2026-03-01T10:05:00Z"));
    expect(cronJobStep(base({ children: [{ name, scheduledAt: at("2026-03-01T10:05:00Z"), phase: "Complete" }] })).start).toBeUndefined();
  });

  it("Forbid skips a run while the previous one is active; Replace stops the previous one", () => {
    const running = [{ name: "backup-1", scheduledAt: at("2026-03-01T10:00:00Z"), phase: "Active" as const }];
    const forbid = cronJobStep(base({ concurrencyPolicy: "Forbid", children: running }));
    expect(forbid.start).toBeUndefined();
    expect(forbid.skipped).toContain("Forbid");
    const replace = cronJobStep(base({ concurrencyPolicy: "Replace", children: running }));
    expect(replace.start).toBeDefined();
    expect(replace.remove).toEqual([{ name: "backup-1", reason: "concurrencyPolicy Replace: a newer run starts" }]);
    expect(cronJobStep(base({ children: running })).remove).toEqual([]);
  });

  it("keeps only the newest finished runs within the history limits", () => {
    const children = [1, 2, 3, 4].map((m) => ({ name: `backup-${m}`, scheduledAt: m * 60_000, phase: "Complete" as const }));
    children.push({ name: "backup-5", scheduledAt: 5 * 60_000, phase: "Failed" as never }, { name: "backup-6", scheduledAt: 6 * 60_000, phase: "Failed" as never });
    const r = cronJobStep(base({ successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1, children, suspend: true }));
    expect(r.remove.map((x) => x.name)).toEqual(["backup-2", "backup-1", "backup-5"]);
  });

  it("a suspended CronJob starts nothing", () => {
    expect(cronJobStep(base({ suspend: true })).start).toBeUndefined();
  });

  it("a run missed by more than startingDeadlineSeconds is skipped", () => {
    const r = cronJobStep(base({ startingDeadlineSeconds: 5 }));
    expect(r.start).toBeUndefined();
    expect(r.skipped).toContain("startingDeadlineSeconds");
  });

  it("a remembered last schedule is not run again after its Job was removed", () => {
    expect(cronJobStep(base({ lastScheduleAt: at("2026-03-01T10:05:00Z") })).start).toBeUndefined();
  });
});
