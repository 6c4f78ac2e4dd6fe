import { compileNodeSelectorTerm } from "../labels.js";
import type { PodToSchedule } from "../types.js";

export type PreferredNodeAffinity = (name: string, labels: Record<string, string>) => number;

/** Sum of the weights of the preferred node affinity terms a node matches; undefined when the pod has none. */
export function compilePreferredNodeAffinity(pod: Pick<PodToSchedule, "affinity">): PreferredNodeAffinity | undefined {
  const preferred = pod.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  if (preferred.length === 0) return undefined;
  const terms = preferred.map((p) => ({ weight: p.weight, match: compileNodeSelectorTerm(p.preference) }));
  return (name, labels) => {
    let sum = 0;
    for (const t of terms) if (t.weight !== 0 && t.match(name, labels)) sum += t.weight;
    return sum;
  };
}
