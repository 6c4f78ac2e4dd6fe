import { compileNodeSelectorTerm, type NodeMatcher } from "../labels.js";
import type { PodToSchedule } from "../types.js";

export const REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

/**
 * The NodeAffinity filter: every nodeSelector label must be on the node, and, when the pod has
 * required node affinity, at least one of its terms must match (terms are ORed, expressions ANDed).
 */
export function compileRequiredNodeAffinity(pod: Pick<PodToSchedule, "nodeSelector" | "affinity">): NodeMatcher {
  const selector = Object.entries(pod.nodeSelector ?? {});
  const required = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms = required ? required.nodeSelectorTerms.map(compileNodeSelectorTerm) : undefined;
  if (selector.length === 0 && !terms) return () => true;
  return (name, labels) => {
    for (const [k, v] of selector) if (labels[k] !== v) return false;
    if (!terms) return true;
    for (const t of terms) if (t(name, labels)) return true;
    return false;
  };
}
