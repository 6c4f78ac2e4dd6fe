/**
 * One step of a Job, pure: Kubernetes' completions, parallelism, backoffLimit (failed pods, and
 * container restarts under restartPolicy OnFailure, count), activeDeadlineSeconds, suspend and
 * ttlSecondsAfterFinished. A Job that finished stays finished: the caller remembers `finished`.
 */

export interface JobPod {
  name: string;
  phase: "Pending" | "Running" | "Succeeded" | "Failed";
  restarts: number;
  createdAt: number;
  /** When a failed or succeeded pod stopped (ms). */
  finishedAt?: number;
  terminating?: boolean;
}

export interface JobFinished {
  outcome: "Complete" | "Failed";
  /** `BackoffLimitExceeded`, `DeadlineExceeded` for Failed. */
  reason?: string;
  message: string;
  at: number;
}

export interface JobState {
  completions: number;
  parallelism: number;
  backoffLimit: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  restartPolicy: "OnFailure" | "Never" | "Always";
  suspend: boolean;
  /** When the Job started running (first seen, ms). */
  startedAt: number;
  now: number;
  pods: JobPod[];
  finished?: JobFinished;
}

export type JobAction = { type: "create"; count: number } | { type: "delete"; pods: string[]; reason: string };

export interface JobResult {
  actions: JobAction[];
  phase: "Running" | "Complete" | "Failed" | "Suspended";
  succeeded: number;
  failed: number;
  active: number;
  finished?: JobFinished;
  /** The TTL after finishing ran out: its pods are removed and nothing more happens. */
  expired: boolean;
  requeueAfterMs?: number;
}

/** Kubernetes' pod-failure back-off for Jobs: 10 s doubling, at most 6 minutes. */
export function jobBackoffMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(10_000 * 2 ** (failures - 1), 360_000);
}

export function jobStep(state: JobState): JobResult {
  const { now } = state;
  const current = state.pods.filter((p) => !p.terminating);
  const active = current.filter((p) => p.phase === "Pending" || p.phase === "Running");
  const succeeded = current.filter((p) => p.phase === "Succeeded").length;
  const failedPods = current.filter((p) => p.phase === "Failed");
  const restarts = state.restartPolicy === "OnFailure" ? current.reduce((n, p) => n + p.restarts, 0) : 0;
  const failed = failedPods.length + restarts;
  const base = { succeeded, failed, active: active.length, expired: false };
  const stopActive = (reason: string): JobAction[] => (active.length > 0 ? [{ type: "delete", pods: active.map((p) => p.name).sort(), reason }] : []);

  const finish = (f: JobFinished): JobResult => {
    const r: JobResult = { ...base, actions: stopActive(f.reason ?? f.outcome), phase: f.outcome, finished: f };
    const ttl = state.ttlSecondsAfterFinished;
    if (ttl !== undefined) {
      const due = f.at + ttl * 1000;
      if (now >= due) {
        r.expired = true;
        const all = state.pods.filter((p) => !p.terminating).map((p) => p.name).sort();
        r.actions = all.length > 0 ? [{ type: "delete", pods: all, reason: "ttlSecondsAfterFinished passed" }] : [];
      } else {
        r.requeueAfterMs = due - now;
      }
    }
    return r;
  };

  if (state.finished) return finish(state.finished);
  if (succeeded >= state.completions) {
    return finish({ outcome: "Complete", message: `${succeeded}/${state.completions} completions`, at: now });
  }
  if (failed > state.backoffLimit) {
    return finish({
      outcome: "Failed",
      reason: "BackoffLimitExceeded",
      message: `Job has reached the specified backoff limit (${failed} failures, backoffLimit ${state.backoffLimit})`,
      at: now,
    });
  }
  const deadline = state.activeDeadlineSeconds;
  if (deadline !== undefined && now - state.startedAt >= deadline * 1000) {
    return finish({ outcome: "Failed", reason: "DeadlineExceeded", message: `Job was active longer than activeDeadlineSeconds (${deadline}s)`, at: now });
  }
  if (state.suspend) return { ...base, actions: stopActive("Job suspended"), phase: "Suspended" };

  const actions: JobAction[] = [];
  let requeueAfterMs: number | undefined;
  const want = Math.min(state.parallelism, state.completions - succeeded) - active.length;
  if (want > 0) {
    const lastFailure = Math.max(0, ...failedPods.map((p) => p.finishedAt ?? p.createdAt));
    const notBefore = failed > 0 && state.restartPolicy === "Never" ? lastFailure + jobBackoffMs(failed) : 0;
    if (now >= notBefore) actions.push({ type: "create", count: want });
    else requeueAfterMs = notBefore - now;
  }
  if (deadline !== undefined) {
    const left = state.startedAt + deadline * 1000 - now;
    requeueAfterMs = requeueAfterMs === undefined ? left : Math.min(requeueAfterMs, left);
  }
  const r: JobResult = { ...base, actions, phase: "Running" };
  if (requeueAfterMs !== undefined) r.requeueAfterMs = Math.max(0, requeueAfterMs);
  return r;
}
