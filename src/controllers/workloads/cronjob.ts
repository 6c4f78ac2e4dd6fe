import { cronJobHealth } from "../../health/index.js";
import type { CronJobLiveStatus } from "../../health/index.js";
import type { CronJob, Job } from "../../manifest/index.js";
import type { Clock } from "../clock.js";
import type { PodManager } from "../pods/types.js";
import { parseSchedule } from "./cron.js";
import { cronJobStep } from "./cronjob-step.js";
import type { CronChild } from "./cronjob-step.js";
import type { JobController } from "./job.js";
import type { WorkloadReport, WorkloadTarget } from "./types.js";
import { TerminalError } from "../errors.js";

/** The Job a CronJob starts for one schedule time: its jobTemplate under the run's name. */
export function jobForSchedule(cron: CronJob, name: string, namespace: string, scheduledAt: number): Job {
  const tmpl = cron.spec.jobTemplate;
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name,
      namespace,
      labels: { ...(tmpl.metadata?.labels ?? {}) },
      annotations: { ...(tmpl.metadata?.annotations ?? {}), "capstan.dev/scheduled-at": new Date(scheduledAt).toISOString() },
    },
    spec: structuredClone(tmpl.spec),
  };
}

/** Run names are `<cronjob>-<minute>`: the minute since the epoch, back to milliseconds. */
export function scheduledAtOf(cronJob: string, jobName: string): number | undefined {
  const prefix = `${cronJob}-`;
  if (!jobName.startsWith(prefix)) return undefined;
  const rest = jobName.slice(prefix.length);
  return /^\d+$/.test(rest) ? Number(rest) * 60_000 : undefined;
}

/**
 * Starts Jobs on a CronJob's schedule (UTC), honouring concurrencyPolicy, suspend,
 * startingDeadlineSeconds and the history limits. Child Jobs are found by their pods' owner
 * labels and driven through the JobController on every pass.
 */
export class CronJobController {
  private readonly since = new Map<string, number>();
  private readonly lastSchedule = new Map<string, number>();

  constructor(
    private readonly pods: PodManager,
    private readonly jobs: JobController,
    private readonly clock: Clock,
  ) {}

  async reconcile(target: WorkloadTarget<CronJob>): Promise<WorkloadReport> {
    const cron = target.object;
    const { app, namespace } = target;
    const name = cron.metadata.name;
    const key = `${app}/${namespace}/CronJob/${name}`;
    const parsed = parseSchedule(cron.spec.schedule);
    if (!parsed.ok) throw new TerminalError(`CronJob ${name}: spec.schedule: ${parsed.error}`);
    const now = this.clock.now();
    if (!this.since.has(key)) this.since.set(key, now);

    // Children: every Job named after this CronJob that still has pods.
    const names = new Set<string>();
    for (const p of this.pods.list({ app, namespace, ownerKind: "Job" })) if (scheduledAtOf(name, p.ownerName) !== undefined) names.add(p.ownerName);
    const children: CronChild[] = [];
    const finishedMessages = new Map<string, string>();
    let requeue: number | undefined;
    for (const jobName of [...names].sort()) {
      const scheduledAt = scheduledAtOf(name, jobName) as number;
      const r = await this.jobs.reconcile({ ...target, object: jobForSchedule(cron, jobName, namespace, scheduledAt) });
      const phase = r.step.phase === "Complete" ? "Complete" : r.step.phase === "Failed" ? "Failed" : "Active";
      const child: CronChild = { name: jobName, scheduledAt, phase };
      if (r.step.finished) {
        child.finishedAt = r.step.finished.at;
        finishedMessages.set(jobName, r.step.finished.message);
      }
      children.push(child);
      if (r.requeueAfterMs !== undefined) requeue = Math.min(requeue ?? Infinity, r.requeueAfterMs);
    }

    const last = this.lastSchedule.get(key);
    const step = cronJobStep({
      name,
      schedule: parsed.value,
      concurrencyPolicy: cron.spec.concurrencyPolicy ?? "Allow",
      suspend: cron.spec.suspend ?? false,
      ...(cron.spec.startingDeadlineSeconds !== undefined ? { startingDeadlineSeconds: cron.spec.startingDeadlineSeconds } : {}),
      successfulJobsHistoryLimit: cron.spec.successfulJobsHistoryLimit ?? 3,
      failedJobsHistoryLimit: cron.spec.failedJobsHistoryLimit ?? 1,
      since: this.since.get(key) as number,
      ...(last !== undefined ? { lastScheduleAt: last } : {}),
      now,
      children,
    });
    if (step.lastScheduleAt !== undefined) this.lastSchedule.set(key, step.lastScheduleAt);
    for (const r of step.remove) await this.jobs.remove(app, namespace, r.name);
    if (step.start) {
      const job = jobForSchedule(cron, step.start.name, namespace, step.start.scheduledAt);
      const r = await this.jobs.reconcile({ ...target, object: job });
      if (r.requeueAfterMs !== undefined) requeue = Math.min(requeue ?? Infinity, r.requeueAfterMs);
    }
    if (step.requeueAfterMs !== undefined) requeue = Math.min(requeue ?? Infinity, step.requeueAfterMs);

    const active = children.filter((c) => c.phase === "Active").length + (step.start ? 1 : 0);
    const status: CronJobLiveStatus = { suspended: cron.spec.suspend ?? false, active };
    const lastFinished = [...children].sort((a, b) => b.scheduledAt - a.scheduledAt).find((c) => c.phase !== "Active");
    if (lastFinished) {
      status.lastFinished = { name: lastFinished.name, outcome: lastFinished.phase === "Failed" ? "Failed" : "Complete" };
      const message = finishedMessages.get(lastFinished.name);
      if (message) status.lastFinished.message = message;
    }
    if (step.skipped) status.skipped = step.skipped;
    const report: WorkloadReport = {
      kind: "CronJob",
      name,
      namespace,
      phase: status.suspended ? "Suspended" : "Scheduled",
      health: cronJobHealth(status),
    };
    if (requeue !== undefined && Number.isFinite(requeue)) report.requeueAfterMs = requeue;
    return report;
  }

  /** Deletes every Job the CronJob started. */
  async remove(app: string, namespace: string, name: string): Promise<void> {
    const key = `${app}/${namespace}/CronJob/${name}`;
    this.since.delete(key);
    this.lastSchedule.delete(key);
    const names = new Set<string>();
    for (const p of this.pods.list({ app, namespace, ownerKind: "Job" })) if (scheduledAtOf(name, p.ownerName) !== undefined) names.add(p.ownerName);
    for (const n of names) await this.jobs.remove(app, namespace, n);
  }
}
