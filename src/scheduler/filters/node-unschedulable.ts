import type { Taint, Toleration } from "../types.js";
import { tolerated } from "./taint-toleration.js";

export const REASON_UNSCHEDULABLE = "node(s) were unschedulable";

/** A pod that tolerates this taint may still be placed on a cordoned node (DaemonSet pods do). */
export const UNSCHEDULABLE_TAINT: Taint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };

/** The NodeUnschedulable filter: a cordoned node refuses pods that do not tolerate the unschedulable taint. */
export function nodeUnschedulableFails(unschedulable: boolean | undefined, tolerations: readonly Toleration[] | undefined): boolean {
  return Boolean(unschedulable) && !tolerated(tolerations, UNSCHEDULABLE_TAINT);
}
