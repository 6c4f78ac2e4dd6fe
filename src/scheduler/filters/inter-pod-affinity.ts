import type { SchedulerCache, TopologyIndex } from "../cache.js";
import type { ReasonTable } from "../reasons.js";
import { compileTerm, termMatchesPod, type CompiledTerm } from "../terms.js";
import type { PodToSchedule } from "../types.js";

export const REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

interface Counted {
  topo: TopologyIndex;
  counts: Int32Array;
}

export interface AffinityFilterState {
  affinity: { term: CompiledTerm; topo: TopologyIndex; counts: Int32Array }[];
  /** Some existing pod matched every affinity term (Kubernetes: the counts map is not empty). */
  anyAffinityMatch: boolean;
  /** The pod matches all its own affinity terms, so it may be the first of its group. */
  selfMatchesAll: boolean;
  antiAffinity: Counted[];
  existingAntiAffinity: Counted[];
  affinityId: number;
  antiId: number;
  existingId: number;
}

function counted(map: Map<string, Counted>, topo: TopologyIndex): Counted {
  let c = map.get(topo.key);
  if (!c) map.set(topo.key, (c = { topo, counts: new Int32Array(topo.values.length) }));
  return c;
}

/**
 * InterPodAffinity's PreFilter: per topology domain, the existing pods matching the pod's required
 * affinity terms (all of them) and anti-affinity terms, and the existing pods whose required
 * anti-affinity terms match this pod (symmetry). Undefined when nothing can fail.
 */
export function prepareInterPodAffinityFilter(cache: SchedulerCache, pod: PodToSchedule, reasons: ReasonTable): AffinityFilterState | undefined {
  const c = (t: Parameters<typeof compileTerm>[0]) => compileTerm(t, pod.namespace, cache.namespaceLabels);
  const affinityTerms = (pod.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map(c);
  const antiTerms = (pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map(c);

  const existing = new Map<string, Counted>();
  for (const h of cache.holders) {
    if (h.requiredAntiAffinity.length === 0 || h.nodes.size === 0) continue;
    for (const t of h.requiredAntiAffinity) {
      if (!termMatchesPod(t, pod.namespace, pod.labels)) continue;
      const e = counted(existing, cache.topology(t.topologyKey));
      for (const [idx, n] of h.nodes) {
        const d = e.topo.domainOf[idx] as number;
        if (d >= 0) e.counts[d] = (e.counts[d] as number) + n;
      }
    }
  }
  if (affinityTerms.length === 0 && antiTerms.length === 0 && existing.size === 0) return undefined;

  const affinityByKey = new Map<string, Counted>();
  const affinity = affinityTerms.map((term) => {
    const cnt = counted(affinityByKey, cache.topology(term.topologyKey));
    return { term, topo: cnt.topo, counts: cnt.counts };
  });
  let anyAffinityMatch = false;
  if (affinityTerms.length > 0) {
    // Existing pods must match every term; start from the first term's groups and check the rest.
    for (const g of cache.groupsForTerm(affinityTerms[0] as CompiledTerm)) {
      if (g.nodes.size === 0) continue;
      if (!affinityTerms.every((t) => termMatchesPod(t, g.namespace, g.labels))) continue;
      for (const [idx, n] of g.nodes) {
        for (const a of affinity) {
          const d = a.topo.domainOf[idx] as number;
          if (d >= 0) {
            a.counts[d] = (a.counts[d] as number) + n;
            anyAffinityMatch = true;
          }
        }
      }
    }
  }
  const antiByKey = new Map<string, Counted>();
  for (const t of antiTerms) {
    const a = counted(antiByKey, cache.topology(t.topologyKey));
    for (const g of cache.groupsForTerm(t)) {
      for (const [idx, n] of g.nodes) {
        const d = a.topo.domainOf[idx] as number;
        if (d >= 0) a.counts[d] = (a.counts[d] as number) + n;
      }
    }
  }
  return {
    affinity,
    anyAffinityMatch,
    selfMatchesAll: affinityTerms.length > 0 && affinityTerms.every((t) => termMatchesPod(t, pod.namespace, pod.labels)),
    antiAffinity: antiTerms.map((t) => antiByKey.get(t.topologyKey) as Counted),
    existingAntiAffinity: [...existing.values()],
    affinityId: reasons.id(REASON_AFFINITY),
    antiId: reasons.id(REASON_ANTI_AFFINITY),
    existingId: reasons.id(REASON_EXISTING_ANTI_AFFINITY),
  };
}

/** The InterPodAffinity filter, checked in Kubernetes' order: affinity, anti-affinity, existing pods' anti-affinity. */
export function interPodAffinityFails(s: AffinityFilterState, idx: number): number {
  if (s.affinity.length > 0) {
    let podsExist = true;
    for (const a of s.affinity) {
      const d = a.topo.domainOf[idx] as number;
      if (d < 0) return s.affinityId;
      if ((a.counts[d] as number) <= 0) podsExist = false;
    }
    if (!podsExist && !(!s.anyAffinityMatch && s.selfMatchesAll)) return s.affinityId;
  }
  for (const a of s.antiAffinity) {
    const d = a.topo.domainOf[idx] as number;
    if (d >= 0 && (a.counts[d] as number) > 0) return s.antiId;
  }
  for (const e of s.existingAntiAffinity) {
    const d = e.topo.domainOf[idx] as number;
    if (d >= 0 && (e.counts[d] as number) > 0) return s.existingId;
  }
  return 0;
}
