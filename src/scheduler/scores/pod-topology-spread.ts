import { HOSTNAME_LABEL, type SchedulerCache } from "../cache.js";
import { compileSpreadConstraints, domainCounts, spreadEligibility, type SpreadConstraint } from "../filters/pod-topology-spread.js";
import type { StaticVerdicts } from "../static.js";
import type { PodToSchedule } from "../types.js";

export interface SpreadScoreState {
  constraints: SpreadConstraint[];
  /** Per constraint: matching pods per domain (per node for the hostname key). */
  counts: Int32Array[];
}

/** PodTopologySpread's PreScore for ScheduleAnyway constraints; undefined when the pod has none. */
export function prepareSpreadScore(cache: SchedulerCache, st: StaticVerdicts, pod: PodToSchedule): SpreadScoreState | undefined {
  const constraints = compileSpreadConstraints(cache, pod, "ScheduleAnyway");
  if (constraints.length === 0) return undefined;
  const el = spreadEligibility(cache, st, constraints);
  // The hostname key is counted on the node itself, whatever the inclusion policies say (as Kubernetes).
  const counts = constraints.map((c, k) => domainCounts(cache, pod.namespace, c, c.topo.key === HOSTNAME_LABEL ? undefined : el.eligible[k]));
  return { constraints, counts };
}

/**
 * Fewer matching pods in a node's domains scores higher. Each constraint adds
 * count × log(domains + 2) + maxSkew − 1; nodes missing a topology key score 0; the rest are
 * mapped onto 0–100 with the emptiest domain best.
 */
export function spreadScores(s: SpreadScoreState, feasible: Int32Array, count: number, out: Float64Array): void {
  const cs = s.constraints;
  const ignored = new Uint8Array(count);
  let kept = 0;
  const seen = cs.map((c) => new Uint8Array(c.topo.values.length));
  const sizes = cs.map(() => 0);
  for (let i = 0; i < count; i++) {
    const idx = feasible[i] as number;
    let all = true;
    for (const c of cs) if ((c.topo.domainOf[idx] as number) < 0) all = false;
    if (!all) {
      ignored[i] = 1;
      continue;
    }
    kept++;
    cs.forEach((c, k) => {
      const d = c.topo.domainOf[idx] as number;
      const sn = seen[k] as Uint8Array;
      if (!sn[d]) {
        sn[d] = 1;
        sizes[k] = (sizes[k] as number) + 1;
      }
    });
  }
  const weights = cs.map((c, k) => Math.log((c.topo.key === HOSTNAME_LABEL ? kept : (sizes[k] as number)) + 2));
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < count; i++) {
    if (ignored[i]) continue;
    const idx = feasible[i] as number;
    let score = 0;
    for (let k = 0; k < cs.length; k++) {
      const c = cs[k] as SpreadConstraint;
      const d = c.topo.domainOf[idx] as number;
      score += ((s.counts[k] as Int32Array)[d] as number) * (weights[k] as number) + (c.maxSkew - 1);
    }
    const r = Math.round(score);
    out[i] = r;
    if (r < min) min = r;
    if (r > max) max = r;
  }
  for (let i = 0; i < count; i++) {
    if (ignored[i]) out[i] = 0;
    else if (max === 0) out[i] = 100;
    else out[i] = Math.floor((100 * (max + min - (out[i] as number))) / max);
  }
}
