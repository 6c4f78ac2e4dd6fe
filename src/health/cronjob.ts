import type { Health } from "./status.js";

/** A CronJob's status as seen from the Jobs it started. */
export interface CronJobLiveStatus {
  /** spec.suspend. */
  suspended: boolean;
  /** Runs still going. */
  active: number;
  /** The most recently scheduled run that finished. */
  lastFinished?: { name: string; outcome: "Complete" | "Failed"; message?: string };
  /** A schedule came due and no run was started, and why. */
  skipped?: string;
}

/**
 * Argo CD's CronJob health: suspended is Suspended; with no run going, a last run that failed is
 * Degraded; otherwise Healthy (a run going may yet succeed, so it does not count against it).
 */
export function cronJobHealth(s: CronJobLiveStatus): Health {
  if (s.suspended) return { status: "Suspended", message: "CronJob suspended" };
  const last = s.lastFinished;
  const failed = last?.outcome === "Failed" ? `last run ${last.name} failed${last.message ? `: ${last.message}` : ""}` : undefined;
  if (failed && s.active === 0) return { status: "Degraded", message: failed };
  const parts = [`${s.active} active`];
  if (failed) parts.push(failed);
  else if (last) parts.push(`last run ${last.name} complete`);
  else parts.push("no run finished yet");
  if (s.skipped) parts.push(s.skipped);
  return { status: "Healthy", message: parts.join("; ") };
}
