import type { Health } from "../health.js";
import type { PodStatus } from "./types.js";

const DEGRADED_REASONS = new Set(["ImagePullBackOff", "CrashLoopBackOff", "CreateContainerConfigError", "Unsupported", "OOMKilled", "Error"]);

/** A pod's health: ready or completed is Healthy; failing to start or crash-looping is Degraded; else Progressing. */
export function podHealth(pod: PodStatus): Health {
  const why = pod.message ?? pod.reason;
  if (pod.terminating) return { status: "Progressing", message: "terminating" };
  if (pod.phase === "Succeeded") return { status: "Healthy", message: "completed" };
  if (pod.phase === "Failed") return { status: "Degraded", message: why ?? `exited ${pod.exitCode ?? "?"}` };
  if (pod.reason === "NodeUnavailable") return { status: "Unknown", message: why };
  if (pod.reason && DEGRADED_REASONS.has(pod.reason)) return { status: "Degraded", message: why };
  if (pod.phase === "Running" && pod.ready) return { status: "Healthy" };
  return { status: "Progressing", message: why ?? (pod.phase === "Running" ? "not ready" : "starting") };
}
