import { describe, expect, it } from "vitest";
import { cronJobHealth, jobHealth } from "../../../src/health/index.js";
import type { CronJobLiveStatus, JobLiveStatus } from "../../../src/health/index.js";

const running: JobLiveStatus = { completions: 3, active: 1, succeeded: 1, failed: 0, suspended: false };

describe("Job health", () => {
  it.each<{ name: string; status: Partial<JobLiveStatus>; want: { status: string; message?: string } }>([
    { name: "a Job with pods still to run is Progressing and counts them", status: {}, want: { status: "Progressing", message: "1 active, 1 of 3 succeeded, 0 failed" } },
    { name: "a Job that completed is Healthy with its completion message", status: { active: 0, succeeded: 3, finished: { outcome: "Complete", message: "3/3 completions" } }, want: { status: "Healthy", message: "3/3 completions" } },
    {
      name: "a Job that failed is Degraded with its reason and message",
      status: { active: 0, failed: 7, finished: { outcome: "Failed", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" } },
      want: { status: "Degraded", message: "BackoffLimitExceeded: Job has reached the specified backoff limit" },
    },
    { name: "a suspended Job is Suspended", status: { active: 0, suspended: true }, want: { status: "Suspended", message: "Job suspended (1 of 3 succeeded)" } },
    { name: "a Job that finished before it was suspended keeps its outcome", status: { suspended: true, finished: { outcome: "Complete", message: "done" } }, want: { status: "Healthy" } },
    { name: "a Job with failed pods but still within its backoff limit is Progressing", status: { failed: 2 }, want: { status: "Progressing" } },
  ])("$name", ({ status, want }) => {
    const h = jobHealth({ ...running, ...status });
    expect(h.status).toBe(want.status);
    if (want.message !== undefined) expect(h.message).toBe(want.message);
  });
});

describe("CronJob health", () => {
  it.each<{ name: string; status: CronJobLiveStatus; want: { status: string; message?: string } }>([
    { name: "a suspended CronJob is Suspended", status: { suspended: true, active: 0, lastFinished: { name: "nightly-1", outcome: "Failed" } }, want: { status: "Suspended", message: "CronJob suspended" } },
    { name: "a CronJob that has not run yet is Healthy", status: { suspended: false, active: 0 }, want: { status: "Healthy", message: "0 active; no run finished yet" } },
    { name: "a CronJob whose last run completed is Healthy", status: { suspended: false, active: 0, lastFinished: { name: "nightly-2", outcome: "Complete" } }, want: { status: "Healthy", message: "0 active; last run nightly-2 complete" } },
    {
      name: "a CronJob whose last run failed and that runs nothing now is Degraded",
      status: { suspended: false, active: 0, lastFinished: { name: "nightly-3", outcome: "Failed", message: "exit 1" } },
      want: { status: "Degraded", message: "last run nightly-3 failed: exit 1" },
    },
    {
      name: "a CronJob whose last run failed but with a new run going is Healthy and still says so",
      status: { suspended: false, active: 1, lastFinished: { name: "nightly-3", outcome: "Failed" } },
      want: { status: "Healthy", message: "1 active; last run nightly-3 failed" },
    },
    { name: "a skipped schedule is reported in the message", status: { suspended: false, active: 1, skipped: "concurrencyPolicy Forbid: nightly-4 still running" }, want: { status: "Healthy", message: "1 active; no run finished yet; concurrencyPolicy Forbid: nightly-4 still running" } },
  ])("$name", ({ status, want }) => {
    const h = cronJobHealth(status);
    expect(h.status).toBe(want.status);
    if (want.message !== undefined) expect(h.message).toBe(want.message);
  });
});
