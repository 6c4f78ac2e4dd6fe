import type { WorkloadReplicas } from "./types.js";

/** A pod as replica counts see it. */
export interface CountedPod {
  revision: string;
  phase: "Pending" | "Running" | "Succeeded" | "Failed";
  ready: boolean;
  terminating?: boolean;
  /** Ready for at least the kind's minReadySeconds. */
  available: boolean;
}

/** Replica counts of a workload from its live pods: pods being stopped are not counted. */
export function countReplicas(desired: number, revision: string, pods: readonly CountedPod[]): WorkloadReplicas {
  const current = pods.filter((p) => !p.terminating);
  const up = (p: CountedPod) => p.phase === "Running" && p.ready;
  return {
    desired,
    current: current.length,
    updated: current.filter((p) => p.revision === revision).length,
    ready: current.filter(up).length,
    available: current.filter((p) => up(p) && p.available).length,
  };
}
