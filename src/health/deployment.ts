import { describeTrouble, troubleSuffix } from "./pod.js";
import type { PodTrouble } from "./pod.js";
import type { Health } from "./status.js";

/** A Deployment's status as counted from its live pods, in the terms of Kubernetes' DeploymentStatus. */
export interface DeploymentLiveStatus {
  /** spec.replicas: how many pods are wanted. */
  replicas: number;
  /** Live pods (not being stopped) of the current revision. */
  updatedReplicas: number;
  /** Live pods that are Running and ready, of any revision. */
  readyReplicas: number;
  /** Live pods ready for at least minReadySeconds, of any revision. */
  availableReplicas: number;
  /** Every live pod not being stopped, of any revision. */
  totalReplicas: number;
  /** Pods being stopped that the rollout still waits for (pod replacement policy TerminationComplete). */
  terminatingReplicas?: number;
  /** spec.paused. */
  paused: boolean;
  /** The current revision made no progress for progressDeadlineSeconds. */
  progressDeadlineExceeded: boolean;
  /** The current revision was rolled out in full once: pods lost since then are damage, not progress. */
  rolledOut: boolean;
  /** Pods of the current revision that are not available for a reason waiting alone will not fix. */
  troubledPods?: PodTrouble[];
  /** The current revision (pod-template hash), for messages. */
  revision?: string;
  progressDeadlineSeconds?: number;
}

/**
 * Argo CD's Deployment health over live counts: paused is Suspended, a rollout past its progress
 * deadline is Degraded, a rollout still replacing or starting pods is Progressing. Added for
 * Capstan: a Deployment that was fully rolled out and is now short of available pods because some
 * crash-loop, cannot pull or configure, cannot be scheduled or lost their node is Degraded, not
 * quietly Progressing.
 */
export function deploymentHealth(s: DeploymentLiveStatus): Health {
  const troubled = s.troubledPods ?? [];
  const at = s.revision ? ` at revision ${s.revision}` : "";
  if (s.paused) return { status: "Suspended", message: "rollout paused (spec.paused: true)" };
  if (s.progressDeadlineExceeded) {
    const deadline = s.progressDeadlineSeconds !== undefined ? ` (${s.progressDeadlineSeconds}s)` : "";
    return {
      status: "Degraded",
      message: `rollout${at} exceeded its progress deadline${deadline}: ${s.updatedReplicas} of ${s.replicas} new replicas updated, ${s.availableReplicas} available${troubleSuffix(troubled)}`,
    };
  }
  if (s.rolledOut && s.availableReplicas < s.replicas && troubled.length > 0) {
    return { status: "Degraded", message: `${s.availableReplicas}/${s.replicas} available; ${describeTrouble(troubled)}` };
  }
  if (s.updatedReplicas < s.replicas) {
    return { status: "Progressing", message: `Waiting for rollout to finish: ${s.updatedReplicas} out of ${s.replicas} new replicas have been updated...${troubleSuffix(troubled)}` };
  }
  if (s.updatedReplicas > s.replicas) {
    return { status: "Progressing", message: `Waiting for ${s.updatedReplicas - s.replicas} extra replicas to be removed (scaling down to ${s.replicas})` };
  }
  const old = s.totalReplicas - s.updatedReplicas + (s.terminatingReplicas ?? 0);
  if (old > 0) return { status: "Progressing", message: `Waiting for rollout to finish: ${old} old replicas are pending termination...` };
  if (s.availableReplicas < s.updatedReplicas) {
    return { status: "Progressing", message: `Waiting for rollout to finish: ${s.availableReplicas} of ${s.updatedReplicas} updated replicas are available...${troubleSuffix(troubled)}` };
  }
  return { status: "Healthy", message: `${s.availableReplicas}/${s.replicas} available${at}` };
}
