import { isPodTrouble } from "../../health/index.js";
import type { StatefulSetLiveStatus } from "../../health/index.js";

/**
 * One step of a StatefulSet, as a pure function: pods named `<set>-<ordinal>`, created in order
 * (OrderedReady: ordinal i only once 0..i-1 are Running and Ready), removed from the highest
 * ordinal down, and rolled to a new revision from the highest ordinal down, one pod at a time,
 * leaving ordinals below `partition` at the revision they run.
 */

export interface StatefulPod {
  name: string;
  revision: string;
  phase: "Pending" | "Running" | "Succeeded" | "Failed";
  ready: boolean;
  terminating: boolean;
  reason?: string;
}

export interface StatefulSetState {
  name: string;
  replicas: number;
  /** The revision of the current template. */
  updateRevision: string;
  /** RollingUpdate partition: ordinals below it are not rolled. */
  partition: number;
  podManagementPolicy: "OrderedReady" | "Parallel";
  updateStrategy: "RollingUpdate" | "OnDelete";
  pods: readonly StatefulPod[];
}

export type StatefulAction =
  /** `revision` is `update`, or `current` for an ordinal below the partition while an older revision is kept there. */
  | { type: "create"; ordinal: number; name: string; revision: "update" | "current" }
  | { type: "delete"; ordinal: number; name: string; why: "scale-down" | "update" | "failed" };

export interface StatefulStep {
  actions: StatefulAction[];
  readyReplicas: number;
  /** Pods at the update revision among ordinals 0..replicas-1. */
  updatedReplicas: number;
  /** The set's status as counted from the pods given: what its health is computed from. */
  status: StatefulSetLiveStatus;
}

/** `web-3` → 3 for set `web`; undefined for a name that is not one of the set's ordinals. */
export function ordinalOf(set: string, pod: string): number | undefined {
  if (!pod.startsWith(`${set}-`)) return undefined;
  const rest = pod.slice(set.length + 1);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

export function statefulPodName(set: string, ordinal: number): string {
  return `${set}-${ordinal}`;
}

const healthy = (p: StatefulPod) => p.phase === "Running" && p.ready && !p.terminating;

export function statefulSetStep(s: StatefulSetState): StatefulStep {
  const byOrdinal = new Map<number, StatefulPod>();
  const strays: StatefulPod[] = [];
  for (const p of s.pods) {
    const o = ordinalOf(s.name, p.name);
    if (o === undefined) strays.push(p);
    else byOrdinal.set(o, p);
  }
  const ordered = s.podManagementPolicy === "OrderedReady";
  const actions: StatefulAction[] = [];
  // An older revision is kept below the partition only while some pod there still runs one.
  const olderBelowPartition = [...byOrdinal.entries()].some(([o, p]) => o < s.partition && o < s.replicas && p.revision !== s.updateRevision);

  // 1. Replicas 0..N-1: replace failed pods, create missing ones; OrderedReady stops at the first that is not up.
  let blocked = false;
  for (let o = 0; o < s.replicas; o++) {
    const pod = byOrdinal.get(o);
    const name = statefulPodName(s.name, o);
    if (!pod) {
      if (blocked) break;
      const keepOld = s.updateStrategy === "RollingUpdate" && o < s.partition && olderBelowPartition;
      actions.push({ type: "create", ordinal: o, name, revision: keepOld ? "current" : "update" });
      if (ordered) blocked = true;
      continue;
    }
    if (pod.terminating) {
      if (ordered) blocked = true;
      continue;
    }
    if (pod.phase === "Failed" || pod.phase === "Succeeded") {
      // Kubernetes deletes a finished pod of a set so that it is created again with the same identity.
      if (!blocked || !ordered) actions.push({ type: "delete", ordinal: o, name, why: "failed" });
      if (ordered) blocked = true;
      continue;
    }
    if (ordered && !healthy(pod)) blocked = true;
  }

  // 2. Scale down: pods at or above `replicas`, highest ordinal first; OrderedReady removes one at a
  //    time and only while every lower pod is up.
  const condemned = [...byOrdinal.entries()].filter(([o]) => o >= s.replicas).sort(([a], [b]) => b - a);
  if (!blocked || !ordered) {
    for (const [o, p] of condemned) {
      if (p.terminating) {
        if (ordered) break;
        continue;
      }
      const lowerUp = [...byOrdinal.entries()].every(([lo, lp]) => lo >= o || healthy(lp));
      if (ordered && !lowerUp) break;
      actions.push({ type: "delete", ordinal: o, name: p.name, why: "scale-down" });
      if (ordered) break;
    }
  }
  for (const p of strays) if (!p.terminating) actions.push({ type: "delete", ordinal: -1, name: p.name, why: "scale-down" });

  // 3. Rolling update: once all replicas are up and nothing is terminating, delete the highest
  //    ordinal (at or above the partition) that is not at the update revision; step 1 re-creates it.
  const inRange = [...byOrdinal.entries()].filter(([o]) => o < s.replicas);
  const allUp = inRange.length === s.replicas && inRange.every(([, p]) => healthy(p)) && condemned.length === 0;
  if (s.updateStrategy === "RollingUpdate" && allUp && actions.length === 0) {
    const stale = inRange.filter(([o, p]) => o >= s.partition && p.revision !== s.updateRevision).sort(([a], [b]) => b - a)[0];
    if (stale) actions.push({ type: "delete", ordinal: stale[0], name: stale[1].name, why: "update" });
  }

  const readyReplicas = inRange.filter(([, p]) => healthy(p)).length;
  const updatedReplicas = inRange.filter(([, p]) => p.revision === s.updateRevision && !p.terminating).length;
  const status: StatefulSetLiveStatus = {
    replicas: s.replicas,
    readyReplicas,
    updatedReplicas,
    extraReplicas: condemned.length + strays.length,
    updateRevision: s.updateRevision,
    updateStrategy: s.updateStrategy,
    partition: s.updateStrategy === "RollingUpdate" ? s.partition : 0,
    troubledPods: inRange.filter(([, p]) => !healthy(p) && isPodTrouble(p.reason)).map(([, p]) => ({ name: p.name, reason: p.reason ?? "" })),
  };
  return { actions, readyReplicas, updatedReplicas, status };
}
