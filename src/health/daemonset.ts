import { troubleSuffix } from "./pod.js";
import type { PodTrouble } from "./pod.js";
import type { Health } from "./status.js";

/** A DaemonSet's status as counted from its live pods, in the terms of Kubernetes' DaemonSetStatus. */
export interface DaemonSetLiveStatus {
  /** Nodes that should run a daemon pod. */
  desiredNumberScheduled: number;
  /** Of those, nodes running a pod (not being stopped). */
  currentNumberScheduled: number;
  /** Of those, nodes running a pod of the current revision. */
  updatedNumberScheduled: number;
  /** Nodes whose pod is Running and ready. */
  numberReady: number;
  /** Nodes whose pod has been ready for minReadySeconds. */
  numberAvailable: number;
  /** Pods still on nodes that should not run one, or being stopped. */
  numberMisscheduled: number;
  updateStrategy: "RollingUpdate" | "OnDelete";
  /** The current revision, for messages. */
  revision?: string;
  /** Nodes left out (taints, selectors), for messages. */
  skippedNodes?: number;
  /** Pods of the current revision that are not up for a reason worth naming. */
  troubledPods?: PodTrouble[];
}

/**
 * Argo CD's DaemonSet health over live counts: RollingUpdate is Progressing until every node that
 * should run a pod runs one of the current revision, and every strategy until each such node's pod
 * is available. OnDelete does not wait for old pods to be replaced. Capstan also waits for pods on
 * nodes that should not run one to be gone.
 */
export function daemonSetHealth(s: DaemonSetLiveStatus): Health {
  const why = troubleSuffix(s.troubledPods);
  const rev = s.revision ? ` of revision ${s.revision}` : "";
  const left = s.skippedNodes ? `; ${s.skippedNodes} nodes not eligible` : "";
  const desired = s.desiredNumberScheduled;
  if (s.updateStrategy === "RollingUpdate" && s.updatedNumberScheduled < desired) {
    return { status: "Progressing", message: `Waiting for rollout to finish: ${s.updatedNumberScheduled} of ${desired} nodes run a pod${rev}${why}${left}` };
  }
  if (s.numberAvailable < desired) {
    return { status: "Progressing", message: `Waiting for rollout to finish: ${s.numberAvailable} of ${desired} nodes run an available pod${why}${left}` };
  }
  if (s.numberMisscheduled > 0) return { status: "Progressing", message: `Waiting for ${s.numberMisscheduled} pods to be removed from nodes that should not run them${left}` };
  const onDelete = s.updateStrategy === "OnDelete" ? " (OnDelete: pods are updated when deleted)" : rev;
  return { status: "Healthy", message: `${s.numberAvailable} of ${desired} nodes run an available pod${onDelete}${left}` };
}
