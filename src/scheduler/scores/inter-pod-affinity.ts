import type { SchedulerCache, TopologyIndex } from "../cache.js";
import { compileTerm, termMatchesPod } from "../terms.js";
import type { PodToSchedule } from "../types.js";

export interface AffinityScoreState {
  /** Per topology key: summed weight per domain. */
  keys: { topo: TopologyIndex; weights: Float64Array }[];
}

/**
 * InterPodAffinity's PreScore: every existing pod matching one of the pod's preferred terms adds
 * (affinity) or removes (anti-affinity) the term's weight to its domain; existing pods' terms that
 * match this pod count too (required affinity with the hard weight, preferred with theirs).
 * Undefined when no term applies (Kubernetes skips the plugin).
 */
export function prepareInterPodAffinityScore(cache: SchedulerCache, pod: PodToSchedule, hardPodAffinityWeight: number): AffinityScoreState | undefined {
  const byKey = new Map<string, { topo: TopologyIndex; weights: Float64Array }>();
  const add = (key: string, nodes: Map<number, number>, weight: number) => {
    let e = byKey.get(key);
    if (!e) {
      const topo = cache.topology(key);
      byKey.set(key, (e = { topo, weights: new Float64Array(topo.values.length) }));
    }
    for (const [idx, n] of nodes) {
      const d = e.topo.domainOf[idx] as number;
      if (d >= 0) e.weights[d] = (e.weights[d] as number) + weight * n;
    }
  };
  const c = (t: Parameters<typeof compileTerm>[0]) => compileTerm(t, pod.namespace, cache.namespaceLabels);
  const own: [number, ReturnType<typeof c>][] = [
    ...(pod.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w): [number, ReturnType<typeof c>] => [w.weight, c(w.podAffinityTerm)]),
    ...(pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w): [number, ReturnType<typeof c>] => [-w.weight, c(w.podAffinityTerm)]),
  ];
  for (const [weight, term] of own) {
    for (const g of cache.groupsForTerm(term)) if (g.nodes.size > 0) add(term.topologyKey, g.nodes, weight);
  }
  for (const h of cache.holders) {
    if (h.nodes.size === 0) continue;
    if (hardPodAffinityWeight > 0) {
      for (const t of h.requiredAffinity) if (termMatchesPod(t, pod.namespace, pod.labels)) add(t.topologyKey, h.nodes, hardPodAffinityWeight);
    }
    for (const w of h.preferredAffinity) if (termMatchesPod(w.term, pod.namespace, pod.labels)) add(w.term.topologyKey, h.nodes, w.weight);
    for (const w of h.preferredAntiAffinity) if (termMatchesPod(w.term, pod.namespace, pod.labels)) add(w.term.topologyKey, h.nodes, -w.weight);
  }
  if (byKey.size === 0) return undefined;
  return { keys: [...byKey.values()] };
}

/** Raw scores of the feasible nodes, then min–max normalized onto 0–100. */
export function interPodAffinityScores(s: AffinityScoreState, feasible: Int32Array, count: number, out: Float64Array): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const idx = feasible[i] as number;
    let score = 0;
    for (const k of s.keys) {
      const d = k.topo.domainOf[idx] as number;
      if (d >= 0) score += k.weights[d] as number;
    }
    out[i] = score;
    if (score < min) min = score;
    if (score > max) max = score;
  }
  const diff = max - min;
  for (let i = 0; i < count; i++) out[i] = diff > 0 ? Math.trunc((100 * ((out[i] as number) - min)) / diff) : 0;
}
