import type { Health } from "./status.js";

/** A Job's status as counted from its live pods and its remembered outcome, in the terms of Kubernetes' JobStatus. */
export interface JobLiveStatus {
  /** spec.completions. */
  completions: number;
  /** Pods Pending or Running. */
  active: number;
  succeeded: number;
  /** Failed pods, plus container restarts under restartPolicy OnFailure. */
  failed: number;
  /** spec.suspend. */
  suspended: boolean;
  /** The Complete or Failed condition, once the Job finished (a finished Job stays finished). */
  finished?: { outcome: "Complete" | "Failed"; reason?: string; message: string };
}

/** Argo CD's Job health: Failed is Degraded, Complete is Healthy, suspended is Suspended, anything else Progressing. */
export function jobHealth(s: JobLiveStatus): Health {
  if (s.finished?.outcome === "Failed") return { status: "Degraded", message: `${s.finished.reason ?? "Failed"}: ${s.finished.message}` };
  if (s.finished?.outcome === "Complete") return { status: "Healthy", message: s.finished.message };
  if (s.suspended) return { status: "Suspended", message: `Job suspended (${s.succeeded} of ${s.completions} succeeded)` };
  return { status: "Progressing", message: `${s.active} active, ${s.succeeded} of ${s.completions} succeeded, ${s.failed} failed` };
}
