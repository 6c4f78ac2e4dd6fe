import { latestFireBetween, nextFire } from "./cron.js";
import type { CronSchedule } from "./cron.js";

/**
 * One step of a CronJob, pure: which Job to start (named `<cronjob>-<scheduled minute since the
 * epoch>` as Kubernetes does), which to stop (concurrencyPolicy Replace) and which finished Jobs
 * to remove (history limits), and when to look again.
 */

export interface CronChild {
  name: string;
  /** The schedule time the Job was started for (ms). */
  scheduledAt: number;
  phase: "Active" | "Complete" | "Failed";
  finishedAt?: number;
}

export interface CronJobState {
  name: string;
  schedule: CronSchedule;
  concurrencyPolicy: "Allow" | "Forbid" | "Replace";
  suspend: boolean;
  startingDeadlineSeconds?: number;
  successfulJobsHistoryLimit: number;
  failedJobsHistoryLimit: number;
  /** When the controller first saw the CronJob (ms): schedules before it are not owed. */
  since: number;
  /** The last schedule time a Job was started for, as the controller remembers it. */
  lastScheduleAt?: number;
  now: number;
  children: CronChild[];
}

export interface CronJobResult {
  /** Start a Job for this schedule time. */
  start?: { name: string; scheduledAt: number };
  /** Jobs to delete (with their pods), with why. */
  remove: { name: string; reason: string }[];
  lastScheduleAt?: number;
  /** A schedule came due but no Job was started, and why. */
  skipped?: string;
  requeueAfterMs?: number;
}

export function cronJobName(cronJob: string, scheduledAt: number): string {
  return `${cronJob}-${Math.floor(scheduledAt / 60_000)}`;
}

export function cronJobStep(state: CronJobState): CronJobResult {
  const { now, children } = state;
  const result: CronJobResult = { remove: [] };
  const lastScheduled = Math.max(state.since, state.lastScheduleAt ?? 0, ...children.map((c) => c.scheduledAt));
  if (lastScheduled > state.since) result.lastScheduleAt = lastScheduled;

  // History limits: newest finished Jobs are kept.
  const byNewest = (a: CronChild, b: CronChild) => b.scheduledAt - a.scheduledAt;
  const prune = (phase: CronChild["phase"], limit: number, label: string) => {
    for (const c of children.filter((x) => x.phase === phase).sort(byNewest).slice(limit)) {
      result.remove.push({ name: c.name, reason: `${label} history limit (${limit}) reached` });
    }
  };
  prune("Complete", state.successfulJobsHistoryLimit, "successfulJobsHistoryLimit");
  prune("Failed", state.failedJobsHistoryLimit, "failedJobsHistoryLimit");

  const next = nextFire(state.schedule, now);
  if (next !== undefined) result.requeueAfterMs = Math.max(0, next - now);
  if (state.suspend) return result;

  const due = latestFireBetween(state.schedule, lastScheduled, now);
  if (!due) return result;
  if (state.startingDeadlineSeconds !== undefined && now - due.at > state.startingDeadlineSeconds * 1000) {
    result.skipped = `missed the schedule at ${new Date(due.at).toISOString()} by more than startingDeadlineSeconds (${state.startingDeadlineSeconds}s)`;
    return result;
  }
  const name = cronJobName(state.name, due.at);
  if (children.some((c) => c.name === name)) return result;
  const active = children.filter((c) => c.phase === "Active");
  if (active.length > 0 && state.concurrencyPolicy === "Forbid") {
    result.skipped = `concurrencyPolicy Forbid: ${active.map((c) => c.name).join(", ")} still running`;
    return result;
  }
  if (active.length > 0 && state.concurrencyPolicy === "Replace") {
    for (const c of active) result.remove.push({ name: c.name, reason: "concurrencyPolicy Replace: a newer run starts" });
  }
  result.start = { name, scheduledAt: due.at };
  result.lastScheduleAt = due.at;
  return result;
}
