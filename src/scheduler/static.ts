import type { SchedulerCache } from "./cache.js";
import { compileRequiredNodeAffinity, REASON_NODE_AFFINITY } from "./filters/node-affinity.js";
import { nodeUnschedulableFails, REASON_UNSCHEDULABLE } from "./filters/node-unschedulable.js";
import { untoleratedTaint, untoleratedTaintReason } from "./filters/taint-toleration.js";
import type { ReasonTable } from "./reasons.js";
import { imageLocalityScore } from "./scores/image-locality.js";
import { compilePreferredNodeAffinity } from "./scores/node-affinity.js";
import { intolerablePreferNoSchedule } from "./scores/taint-toleration.js";
import { normalizeImage } from "./cache.js";
import type { PodToSchedule } from "./types.js";

/**
 * What depends only on the pod's template and the nodes' descriptions, computed once per template
 * and node version: the verdict of NodeUnschedulable, TaintToleration and NodeAffinity (in the
 * scheduler's order), and the raw preferred-affinity, PreferNoSchedule and image-locality scores.
 */
export interface StaticVerdicts {
  version: number;
  /** 0 when the node passes the static filters, else the reason id. */
  reason: Int32Array;
  /** Node matches the pod's nodeSelector and required node affinity. */
  affinityMatch: Uint8Array;
  /** Node has no NoSchedule/NoExecute taint the pod does not tolerate. */
  taintsTolerated: Uint8Array;
  preferredAffinity: Float64Array | undefined;
  preferNoSchedule: Float64Array;
  imageLocality: Float64Array | undefined;
  /** Per-pod memo for topology spreading eligibility, keyed by constraint shape. */
  spreadEligibility: Map<string, unknown>;
}

export function staticKey(pod: PodToSchedule): string {
  return JSON.stringify([pod.nodeSelector ?? null, pod.affinity?.nodeAffinity ?? null, pod.tolerations ?? null, pod.images ?? null]);
}

export function computeStatic(cache: SchedulerCache, reasons: ReasonTable, pod: PodToSchedule): StaticVerdicts {
  const n = cache.size;
  const reason = new Int32Array(n);
  const affinityMatch = new Uint8Array(n);
  const taintsTolerated = new Uint8Array(n);
  const preferNoSchedule = new Float64Array(n);
  const required = compileRequiredNodeAffinity(pod);
  const preferred = compilePreferredNodeAffinity(pod);
  const preferredAffinity = preferred ? new Float64Array(n) : undefined;
  const images = (pod.images ?? []).map(normalizeImage);
  const imageLocality = images.length > 0 && cache.imageNodes.size > 0 ? new Float64Array(n) : undefined;
  const unschedulableId = reasons.id(REASON_UNSCHEDULABLE);
  const affinityId = reasons.id(REASON_NODE_AFFINITY);
  const nodesWithImage = (ref: string) => cache.imageNodes.get(ref) ?? 0;
  for (let i = 0; i < n; i++) {
    const node = cache.nodes[i]!;
    const match = required(node.name, node.labels);
    affinityMatch[i] = match ? 1 : 0;
    const taint = untoleratedTaint(node.taints, pod.tolerations);
    taintsTolerated[i] = taint ? 0 : 1;
    if (nodeUnschedulableFails(node.unschedulable, pod.tolerations)) reason[i] = unschedulableId;
    else if (taint) reason[i] = reasons.id(untoleratedTaintReason(taint));
    else if (!match) reason[i] = affinityId;
    preferNoSchedule[i] = intolerablePreferNoSchedule(node.taints, pod.tolerations);
    if (preferredAffinity && preferred) preferredAffinity[i] = preferred(node.name, node.labels);
    if (imageLocality) imageLocality[i] = imageLocalityScore(images, node.images, nodesWithImage, n);
  }
  return { version: cache.nodeVersion, reason, affinityMatch, taintsTolerated, preferredAffinity, preferNoSchedule, imageLocality, spreadEligibility: new Map() };
}
