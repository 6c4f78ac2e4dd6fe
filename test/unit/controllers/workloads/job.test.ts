import { describe, expect, it } from "vitest";
import { jobBackoffMs, jobStep } from "../../../../src/controllers/workloads/job-step.js";
import type { JobPod, JobState } from "../../../../src/controllers/workloads/job-step.js";

const NOW = 1_000_000;
const pod = (name: string, phase: JobPod["phase"], extra: Partial<JobPod> = {}): JobPod => ({ name, phase, restarts: 0, createdAt: NOW - 50_000, ...extra });
const job = (over: Partial<JobState>): JobState => ({
  completions: 1,
  parallelism: 1,
  backoffLimit: 6,
  restartPolicy: "Never",
  suspend: false,
  startedAt: NOW - 60_000,
  now: NOW,
  pods: [],
  ...over,
});

describe("Job steps", () => {
  it("starts as many pods as parallelism allows, never more than completions still needed", () => {
    expect(jobStep(job({ completions: 5, parallelism: 2 })).actions).toEqual([{ type: "create", count: 2 }]);
    expect(jobStep(job({ completions: 5, parallelism: 3, pods: [pod("a", "Succeeded"), pod("b", "Succeeded"), pod("c", "Succeeded"), pod("d", "Running")] })).actions).toEqual([
      { type: "create", count: 1 },
    ]);
  });

  it("is Complete once enough pods succeeded, and stops pods still running", () => {
    const r = jobStep(job({ completions: 2, parallelism: 3, pods: [pod("a", "Succeeded"), pod("b", "Succeeded"), pod("c", "Running")] }));
    expect(r.phase).toBe("Complete");
    expect(r.actions).toEqual([{ type: "delete", pods: ["c"], reason: "Complete" }]);
  });

  it("fails with BackoffLimitExceeded when failed pods exceed backoffLimit", () => {
    const r = jobStep(job({ backoffLimit: 1, pods: [pod("a", "Failed"), pod("b", "Failed")] }));
    expect(r.phase).toBe("Failed");
    expect(r.finished?.reason).toBe("BackoffLimitExceeded");
  });

  it("counts container restarts as failures under restartPolicy OnFailure", () => {
    const r = jobStep(job({ backoffLimit: 2, restartPolicy: "OnFailure", pods: [pod("a", "Running", { restarts: 3 })] }));
    expect(r.finished?.reason).toBe("BackoffLimitExceeded");
    expect(r.actions).toEqual([{ type: "delete", pods: ["a"], reason: "BackoffLimitExceeded" }]);
  });

  it("waits 10 s doubling after failed pods before starting another", () => {
    expect([1, 2, 3, 7, 10].map(jobBackoffMs)).toEqual([10_000, 20_000, 40_000, 360_000, 360_000]);
    const r = jobStep(job({ pods: [pod("a", "Failed", { finishedAt: NOW - 5_000 }), pod("b", "Failed", { finishedAt: NOW - 5_000 })] }));
    expect(r.actions).toEqual([]);
    expect(r.requeueAfterMs).toBe(15_000);
    expect(jobStep(job({ now: NOW + 15_000, pods: [pod("a", "Failed", { finishedAt: NOW - 5_000 }), pod("b", "Failed", { finishedAt: NOW - 5_000 })] })).actions).toEqual([
      { type: "create", count: 1 },
    ]);
  });

  it("fails with DeadlineExceeded after activeDeadlineSeconds and stops its pods", () => {
    const r = jobStep(job({ activeDeadlineSeconds: 30, pods: [pod("a", "Running")] }));
    expect(r.finished?.reason).toBe("DeadlineExceeded");
    expect(r.actions).toEqual([{ type: "delete", pods: ["a"], reason: "DeadlineExceeded" }]);
  });

  it("a suspended Job stops its pods and starts none", () => {
    const r = jobStep(job({ suspend: true, pods: [pod("a", "Running")] }));
    expect(r.phase).toBe("Suspended");
    expect(r.actions).toEqual([{ type: "delete", pods: ["a"], reason: "Job suspended" }]);
  });

  it("removes its pods ttlSecondsAfterFinished after finishing, and never runs again", () => {
    const finished = { outcome: "Complete" as const, message: "1/1", at: NOW - 10_000 };
    const early = jobStep(job({ ttlSecondsAfterFinished: 30, finished, pods: [pod("a", "Succeeded")] }));
    expect(early.actions).toEqual([]);
    expect(early.requeueAfterMs).toBe(20_000);
    const late = jobStep(job({ now: NOW + 20_000, ttlSecondsAfterFinished: 30, finished, pods: [pod("a", "Succeeded")] }));
    expect(late.expired).toBe(true);
    expect(late.actions).toEqual([{ type: "delete", pods: ["a"], reason: "ttlSecondsAfterFinished passed" }]);
    expect(jobStep(job({ now: NOW + 30_000, ttlSecondsAfterFinished: 30, finished, pods: [] })).actions).toEqual([]);
  });
});
