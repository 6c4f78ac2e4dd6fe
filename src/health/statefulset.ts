import { troubleSuffix } from "./pod.js";
import type { PodTrouble } from "./pod.js";
import type { Health } from "./status.js";

/** A StatefulSet's status as counted from its live pods, in the terms of Kubernetes' StatefulSetStatus. */
export interface StatefulSetLiveStatus {
  /** spec.replicas: ordinals 0..replicas-1 are wanted. */
  replicas: number;
  /** Wanted ordinals whose pod is Running and ready. */
  readyReplicas: number;
  /** Wanted ordinals whose pod (not being stopped) runs the update revision. */
  updatedReplicas: number;
  /** Pods above the wanted ordinals (or not named after an ordinal) still there, being stopped or not. */
  extraReplicas?: number;
  /** The revision of the current template. */
  updateRevision: string;
  updateStrategy: "RollingUpdate" | "OnDelete";
  /** RollingUpdate partition: ordinals below it keep the revision they run. */
  partition?: number;
  /** Wanted pods that are not ready for a reason worth naming. */
  troubledPods?: PodTrouble[];
}

/**
 * Argo CD's StatefulSet health over live counts: Progressing until every wanted ordinal is ready,
 * then (RollingUpdate) until the ordinals at or above the partition run the update revision; OnDelete
 * is Healthy once ready, since its pods change only when deleted. Capstan also waits for pods of a
 * scale-down to be gone.
 */
export function statefulSetHealth(s: StatefulSetLiveStatus): Health {
  const why = troubleSuffix(s.troubledPods);
  const partition = Math.min(s.partition ?? 0, s.replicas);
  if (s.readyReplicas < s.replicas) {
    return { status: "Progressing", message: `Waiting for ${s.replicas - s.readyReplicas} pods to be ready (${s.readyReplicas} of ${s.replicas} ready)${why}` };
  }
  const extra = s.extraReplicas ?? 0;
  if (extra > 0) return { status: "Progressing", message: `Waiting for ${extra} pods to be removed (scaling down to ${s.replicas})` };
  if (s.updateStrategy === "OnDelete") {
    return { status: "Healthy", message: `${s.readyReplicas} of ${s.replicas} pods ready (OnDelete: pods are updated when deleted)` };
  }
  const wanted = s.replicas - partition;
  if (s.updatedReplicas < wanted) {
    const scope = partition > 0 ? `${s.updatedReplicas} of the ${wanted} pods from ordinal ${partition} up` : `${s.updatedReplicas} of ${s.replicas} pods`;
    return { status: "Progressing", message: `Waiting for rolling update to finish: ${scope} at revision ${s.updateRevision}${why}` };
  }
  const kept = partition > 0 ? `, ordinals below ${partition} kept by the partition` : "";
  return { status: "Healthy", message: `${s.readyReplicas} of ${s.replicas} pods ready at revision ${s.updateRevision}${kept}` };
}
