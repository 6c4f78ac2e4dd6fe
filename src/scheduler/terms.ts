import { compileLabelSelector, type LabelMatcher } from "./labels.js";
import type { LabelSelector, PodAffinityTerm, TopologySpreadConstraint } from "./types.js";

/** A pod affinity term with its namespaces resolved against the namespace of the pod that carries it. */
export interface CompiledTerm {
  topologyKey: string;
  /** Identity of what the term selects (namespaces + selector), for memoizing matches. */
  id: string;
  selects: LabelMatcher;
  namespaces: (ns: string) => boolean;
}

export interface WeightedTerm {
  weight: number;
  term: CompiledTerm;
}

export function compileTerm(
  term: PodAffinityTerm,
  ownNamespace: string,
  namespaceLabels: Record<string, Record<string, string>> | undefined,
): CompiledTerm {
  const listed = term.namespaces ?? [];
  let namespaces: (ns: string) => boolean;
  let nsId: string;
  if (term.namespaceSelector) {
    const sel = term.namespaceSelector;
    const everything = !sel.matchLabels && !sel.matchExpressions?.length && Object.keys(sel).length === 0;
    const set = new Set(listed);
    if (everything || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
      namespaces = () => true;
      nsId = "*";
    } else {
      const m = compileLabelSelector(sel);
      namespaces = (ns) => set.has(ns) || m(namespaceLabels?.[ns] ?? {});
      nsId = `${JSON.stringify(listed)}+${stableSelectorId(sel)}`;
    }
  } else if (listed.length > 0) {
    const set = new Set(listed);
    namespaces = (ns) => set.has(ns);
    nsId = JSON.stringify([...set].sort());
  } else {
    namespaces = (ns) => ns === ownNamespace;
    nsId = JSON.stringify([ownNamespace]);
  }
  return { topologyKey: term.topologyKey, id: `${nsId}|${stableSelectorId(term.labelSelector)}`, selects: compileLabelSelector(term.labelSelector), namespaces };
}

export function stableSelectorId(sel: LabelSelector | undefined): string {
  if (!sel) return "nil";
  const labels = Object.entries(sel.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const exprs = (sel.matchExpressions ?? []).map((e) => [e.key, e.operator, [...(e.values ?? [])].sort()]);
  return JSON.stringify([labels, exprs]);
}

export function termMatchesPod(t: CompiledTerm, namespace: string, labels: Record<string, string>): boolean {
  return t.namespaces(namespace) && t.selects(labels);
}

/** A spread constraint's selector with `matchLabelKeys` folded in from the incoming pod's labels. */
export function spreadSelector(c: TopologySpreadConstraint, podLabels: Record<string, string>): LabelSelector | undefined {
  if (!c.matchLabelKeys?.length || !c.labelSelector) return c.labelSelector;
  const extra = c.matchLabelKeys
    .filter((k) => podLabels[k] !== undefined)
    .map((k) => ({ key: k, operator: "In" as const, values: [podLabels[k] as string] }));
  return { ...c.labelSelector, matchExpressions: [...(c.labelSelector.matchExpressions ?? []), ...extra] };
}
