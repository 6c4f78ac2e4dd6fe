import type { Health } from "./status.js";

/** A pod as its health sees it; the pod manager's `PodStatus` is one. */
export interface PodLiveStatus {
  phase: "Pending" | "Running" | "Succeeded" | "Failed";
  ready: boolean;
  terminating: boolean;
  /** Why it is not running well: `CrashLoopBackOff`, `ImagePullBackOff`, `Unschedulable`, … */
  reason?: string;
  message?: string;
  /** Exit code of the last finished run of the main container. */
  exitCode?: number;
  /**
   * The template's restartPolicy, default `Always`. A pod meant to run to completion (a Job's) is
   * Progressing while it runs, and an image or config problem may still clear before it starts, so
   * it is not Degraded for it either.
   */
  restartPolicy?: "Always" | "OnFailure" | "Never";
}

/** A pod of a workload that is not available, and why: what a workload's health message names. */
export interface PodTrouble {
  name: string;
  reason: string;
  /** The node it is on or was meant for, when the kind places pods per node. */
  node?: string;
}

/** Failures to start or keep running that the kubelet would report as waiting or terminated with an error. */
function isStartFailure(reason: string): boolean {
  return reason.startsWith("Err") || reason.endsWith("Error") || reason.endsWith("BackOff") || reason === "OOMKilled";
}

/** Capstan cannot run the pod as written: waiting does not help, whatever the restart policy. */
const UNRUNNABLE = new Set(["Unsupported"]);

/** Pod health: Healthy when ready (or completed), Degraded when it cannot start or keeps crashing, Unknown when its node is gone. */
export function podHealth(pod: PodLiveStatus): Health {
  const why = pod.message ?? pod.reason;
  const always = (pod.restartPolicy ?? "Always") === "Always";
  if (pod.terminating) return { status: "Progressing", message: "terminating" };
  if (pod.phase === "Succeeded") return { status: "Healthy", message: pod.message ?? "completed" };
  if (pod.phase === "Failed") return { status: "Degraded", message: why ?? `exited with code ${pod.exitCode ?? "?"}` };
  if (pod.reason === "NodeUnavailable") return { status: "Unknown", message: why };
  if (pod.reason && (UNRUNNABLE.has(pod.reason) || (always && isStartFailure(pod.reason)))) return { status: "Degraded", message: why };
  if (pod.phase === "Running" && !always) return { status: "Progressing", message: why ?? "running" };
  if (pod.phase === "Running" && pod.ready) return { status: "Healthy" };
  return { status: "Progressing", message: why ?? (pod.phase === "Running" ? "not ready" : "starting") };
}

/**
 * Reasons a long-running pod is down that waiting alone will not fix: it crash-loops, its image or
 * configuration is missing, no node can take it, or its node stopped answering.
 */
export function isPodTrouble(reason: string | undefined): reason is string {
  if (!reason) return false;
  return isStartFailure(reason) || UNRUNNABLE.has(reason) || reason === "Unschedulable" || reason === "NodeUnavailable";
}

/** `pod web-x: CrashLoopBackOff, pod web-y: Unschedulable (and 2 more)`; empty for none. */
export function describeTrouble(pods: readonly PodTrouble[], limit = 3): string {
  const named = pods.slice(0, limit).map((p) => `pod ${p.name}${p.node ? ` on ${p.node}` : ""}: ${p.reason}`);
  const more = pods.length > limit ? ` (and ${pods.length - limit} more)` : "";
  return named.join(", ") + more;
}

/** ` (pod web-x: CrashLoopBackOff)` to append to a message, or "" when no pod is in trouble. */
export function troubleSuffix(pods: readonly PodTrouble[] | undefined): string {
  return pods && pods.length > 0 ? ` (${describeTrouble(pods)})` : "";
}
