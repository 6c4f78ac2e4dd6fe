import { toleratesTaint } from "../filters/taint-toleration.js";
import type { Taint, Toleration } from "../types.js";

/** Number of PreferNoSchedule taints not tolerated by the pod's PreferNoSchedule (or effect-less) tolerations. */
export function intolerablePreferNoSchedule(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): number {
  const relevant = (tolerations ?? []).filter((t) => !t.effect || t.effect === "PreferNoSchedule");
  let count = 0;
  for (const taint of taints) {
    if (taint.effect !== "PreferNoSchedule") continue;
    if (!relevant.some((t) => toleratesTaint(t, taint))) count++;
  }
  return count;
}
