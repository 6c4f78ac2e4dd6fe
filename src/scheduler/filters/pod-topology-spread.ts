import type { PodGroup, SchedulerCache, TopologyIndex } from "../cache.js";
import { compileLabelSelector, type LabelMatcher } from "../labels.js";
import type { ReasonTable } from "../reasons.js";
import type { StaticVerdicts } from "../static.js";
import { spreadSelector, stableSelectorId } from "../terms.js";
import type { PodToSchedule, TopologySpreadConstraint } from "../types.js";

export const REASON_SPREAD = "node(s) didn't match pod topology spread constraints";
export const REASON_SPREAD_MISSING_LABEL = `${REASON_SPREAD} (missing required label)`;

export interface SpreadConstraint {
  topo: TopologyIndex;
  maxSkew: number;
  minDomains: number;
  matches: LabelMatcher;
  selectorId: string;
  /** The incoming pod is selected by its own constraint. */
  selfMatch: boolean;
  honorAffinity: boolean;
  honorTaints: boolean;
}

export function compileSpreadConstraints(cache: SchedulerCache, pod: PodToSchedule, when: TopologySpreadConstraint["whenUnsatisfiable"]): SpreadConstraint[] {
  return (pod.topologySpreadConstraints ?? [])
    .filter((c) => c.whenUnsatisfiable === when)
    .map((c) => {
      const sel = spreadSelector(c, pod.labels);
      const matches = compileLabelSelector(sel);
      return {
        topo: cache.topology(c.topologyKey),
        maxSkew: c.maxSkew,
        minDomains: c.minDomains ?? 1,
        matches,
        selectorId: stableSelectorId(sel),
        selfMatch: matches(pod.labels),
        honorAffinity: (c.nodeAffinityPolicy ?? "Honor") === "Honor",
        honorTaints: (c.nodeTaintsPolicy ?? "Ignore") === "Honor",
      };
    });
}

interface Eligibility {
  /** Per constraint: node counts towards the constraint's domains. */
  eligible: Uint8Array[];
  /** Per constraint: domain has at least one eligible node. */
  present: Uint8Array[];
  domains: number[];
}

/**
 * Which nodes count for each constraint: the node has every topology key of the set and passes
 * the constraint's node inclusion policies (node affinity honoured, taints ignored by default).
 */
export function spreadEligibility(cache: SchedulerCache, st: StaticVerdicts, constraints: SpreadConstraint[]): Eligibility {
  const key = `e:${constraints.map((c) => `${c.topo.key}/${c.honorAffinity ? 1 : 0}${c.honorTaints ? 1 : 0}`).join(",")}`;
  const memo = st.spreadEligibility.get(key) as Eligibility | undefined;
  if (memo) return memo;
  const n = cache.size;
  const eligible = constraints.map(() => new Uint8Array(n));
  const present = constraints.map((c) => new Uint8Array(c.topo.values.length));
  const domains = constraints.map(() => 0);
  for (let i = 0; i < n; i++) {
    let all = true;
    for (const c of constraints) if ((c.topo.domainOf[i] as number) < 0) all = false;
    if (!all) continue;
    constraints.forEach((c, k) => {
      if (c.honorAffinity && !st.affinityMatch[i]) return;
      if (c.honorTaints && !st.taintsTolerated[i]) return;
      (eligible[k] as Uint8Array)[i] = 1;
      const d = c.topo.domainOf[i] as number;
      const p = present[k] as Uint8Array;
      if (!p[d]) {
        p[d] = 1;
        domains[k] = (domains[k] as number) + 1;
      }
    });
  }
  const e = { eligible, present, domains };
  st.spreadEligibility.set(key, e);
  return e;
}

export function spreadGroups(cache: SchedulerCache, namespace: string, c: SpreadConstraint): PodGroup[] {
  return cache.matchingGroups(`s:${namespace}|${c.selectorId}`, (g) => g.namespace === namespace && !g.terminating && c.matches(g.labels));
}

/** Matching pods per domain, counting only nodes marked in `eligible` (all nodes when undefined). */
export function domainCounts(cache: SchedulerCache, namespace: string, c: SpreadConstraint, eligible: Uint8Array | undefined): Int32Array {
  const counts = new Int32Array(c.topo.values.length);
  const domainOf = c.topo.domainOf;
  for (const g of spreadGroups(cache, namespace, c)) {
    for (const [idx, n] of g.nodes) {
      if (eligible && !eligible[idx]) continue;
      const d = domainOf[idx] as number;
      if (d >= 0) counts[d] = (counts[d] as number) + n;
    }
  }
  return counts;
}

export interface SpreadFilterState {
  constraints: SpreadConstraint[];
  counts: Int32Array[];
  minMatch: number[];
  missingId: number;
  skewId: number;
}

/** PodTopologySpread's PreFilter for DoNotSchedule constraints; undefined when the pod has none. */
export function prepareSpreadFilter(cache: SchedulerCache, st: StaticVerdicts, pod: PodToSchedule, reasons: ReasonTable): SpreadFilterState | undefined {
  const constraints = compileSpreadConstraints(cache, pod, "DoNotSchedule");
  if (constraints.length === 0) return undefined;
  const el = spreadEligibility(cache, st, constraints);
  const counts = constraints.map((c, k) => domainCounts(cache, pod.namespace, c, el.eligible[k]));
  const minMatch = constraints.map((c, k) => {
    if ((el.domains[k] as number) < c.minDomains) return 0;
    let min = Number.POSITIVE_INFINITY;
    const p = el.present[k] as Uint8Array;
    const cnt = counts[k] as Int32Array;
    for (let d = 0; d < p.length; d++) if (p[d] && (cnt[d] as number) < min) min = cnt[d] as number;
    return min;
  });
  return { constraints, counts, minMatch, missingId: reasons.id(REASON_SPREAD_MISSING_LABEL), skewId: reasons.id(REASON_SPREAD) };
}

/** The PodTopologySpread filter: matching pods in the node's domain + this pod − the global minimum ≤ maxSkew. */
export function spreadFilterFails(s: SpreadFilterState, idx: number): number {
  const cs = s.constraints;
  for (let k = 0; k < cs.length; k++) {
    const c = cs[k] as SpreadConstraint;
    const d = c.topo.domainOf[idx] as number;
    if (d < 0) return s.missingId;
    const skew = ((s.counts[k] as Int32Array)[d] as number) + (c.selfMatch ? 1 : 0) - (s.minMatch[k] as number);
    if (skew > c.maxSkew) return s.skewId;
  }
  return 0;
}
