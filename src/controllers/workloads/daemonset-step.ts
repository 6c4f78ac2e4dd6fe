import { isPodTrouble } from "../../health/index.js";
import type { DaemonSetLiveStatus } from "../../health/index.js";
import type { PodSpec } from "../../manifest/index.js";
import { compileRequiredNodeAffinity } from "../../scheduler/filters/node-affinity.js";
import { NOT_READY_TAINTS, untoleratedTaint } from "../../scheduler/filters/taint-toleration.js";
import { UNSCHEDULABLE_TAINT } from "../../scheduler/filters/node-unschedulable.js";
import { podToSchedule } from "../../scheduler/snapshot.js";
import type { Affinity, Taint, Toleration } from "../../scheduler/types.js";
import { resolveIntOrPercent } from "./rollout.js";

/**
 * One step of a DaemonSet, as a pure function: one pod on every node the pod template may run on
 * (nodeSelector, required node affinity, and taints against the template's tolerations plus the
 * ones Kubernetes adds to every daemon pod), and a RollingUpdate that replaces at most
 * `maxUnavailable` nodes' pods at a time.
 */

/** What the DaemonSet needs to know of a node. */
export interface DaemonNode {
  name: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  /** Cordoned: daemon pods tolerate it. */
  unschedulable?: boolean;
  /** Default true; a node that is not ready carries the not-ready taints. */
  ready?: boolean;
}

export interface DaemonPod {
  name: string;
  node: string;
  revision: string;
  phase: "Pending" | "Running" | "Succeeded" | "Failed";
  ready: boolean;
  /** Ready for at least minReadySeconds. */
  available: boolean;
  terminating: boolean;
  reason?: string;
}

export interface DaemonSetState {
  name: string;
  revision: string;
  spec: PodSpec;
  nodes: readonly DaemonNode[];
  pods: readonly DaemonPod[];
  updateStrategy: "RollingUpdate" | "OnDelete";
  maxUnavailable?: number | string;
}

export type DaemonAction = { type: "create"; node: string } | { type: "delete"; name: string; node: string; why: "ineligible" | "duplicate" | "update" | "failed" };

export interface DaemonStep {
  actions: DaemonAction[];
  /** Nodes that should run a daemon pod, sorted. */
  eligible: string[];
  /** Nodes left out, with the reason. */
  skipped: { node: string; reason: string }[];
  /** The set's status as counted from the pods given: what its health is computed from. */
  status: DaemonSetLiveStatus;
}

/** Tolerations Kubernetes' DaemonSet controller adds to every daemon pod (merged with the template's). */
export function daemonSetTolerations(spec: Pick<PodSpec, "tolerations" | "hostNetwork">): Toleration[] {
  const added: Toleration[] = [
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: UNSCHEDULABLE_TAINT.key, operator: "Exists", effect: "NoSchedule" },
  ];
  if (spec.hostNetwork) added.push({ key: "node.kubernetes.io/network-unavailable", operator: "Exists", effect: "NoSchedule" });
  const own = (spec.tolerations ?? []) as Toleration[];
  const same = (a: Toleration, b: Toleration) => a.key === b.key && (a.operator ?? "Equal") === (b.operator ?? "Equal") && (a.effect ?? "") === (b.effect ?? "");
  return [...own, ...added.filter((t) => !own.some((o) => same(o, t)))];
}

/** Node affinity that pins a pod to one node (`matchFields metadata.name In [node]`), replacing the template's required terms. */
export function pinnedAffinity(affinity: Affinity | undefined, node: string): Affinity {
  return {
    ...affinity,
    nodeAffinity: {
      ...affinity?.nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] }] },
    },
  };
}

function nodeTaints(n: DaemonNode): Taint[] {
  return [...(n.taints ?? []), ...(n.ready === false ? NOT_READY_TAINTS : []), ...(n.unschedulable ? [UNSCHEDULABLE_TAINT] : [])];
}

/**
 * Whether a daemon pod should be placed on the node (`shouldRun`), and whether one already there
 * may stay (`shouldContinue`: only NoExecute taints evict), as Kubernetes' nodeShouldRunDaemonPod.
 * The template's required affinity is checked with the pod pinned to the node, so a term that
 * names other nodes by `metadata.name` leaves this one out.
 */
export function nodeEligibility(spec: PodSpec, node: DaemonNode, namespace = ""): { shouldRun: boolean; shouldContinue: boolean; reason?: string } {
  const pod = podToSchedule({ namespace, spec });
  const labels = { "kubernetes.io/hostname": node.name, ...(node.labels ?? {}) };
  const required = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const pin = { key: "metadata.name", operator: "In", values: [node.name] };
  const pinnedTerms = required ? required.nodeSelectorTerms.map((t) => ({ ...t, matchFields: [...(t.matchFields ?? []), pin] })) : [{ matchFields: [pin] }];
  const affinity: Affinity = { ...pod.affinity, nodeAffinity: { ...pod.affinity?.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: pinnedTerms } } };
  const matches = compileRequiredNodeAffinity({ ...(pod.nodeSelector ? { nodeSelector: pod.nodeSelector } : {}), affinity })(node.name, labels);
  if (!matches) return { shouldRun: false, shouldContinue: false, reason: "node(s) didn't match Pod's node affinity/selector" };
  const tolerations = daemonSetTolerations(spec);
  const taints = nodeTaints(node);
  const evicting = untoleratedTaint(
    taints.filter((t) => t.effect === "NoExecute"),
    tolerations,
  );
  if (evicting) return { shouldRun: false, shouldContinue: false, reason: `node(s) had untolerated taint {${evicting.key}: ${evicting.value ?? ""}}` };
  const refusing = untoleratedTaint(taints, tolerations);
  if (refusing) return { shouldRun: false, shouldContinue: true, reason: `node(s) had untolerated taint {${refusing.key}: ${refusing.value ?? ""}}` };
  return { shouldRun: true, shouldContinue: true };
}

const isUp = (p: DaemonPod) => !p.terminating && p.phase === "Running" && p.available;

export function daemonSetStep(s: DaemonSetState): DaemonStep {
  const actions: DaemonAction[] = [];
  const eligible: string[] = [];
  const skipped: { node: string; reason: string }[] = [];
  const byNode = new Map<string, DaemonPod[]>();
  for (const p of s.pods) byNode.set(p.node, [...(byNode.get(p.node) ?? []), p]);
  const nodes = [...s.nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const known = new Set(nodes.map((n) => n.name));
  /** Nodes whose pod runs an older revision and is up: candidates for the rolling update. */
  const oldUp: DaemonPod[] = [];
  let unavailable = 0;

  for (const node of nodes) {
    const verdict = nodeEligibility(s.spec, node);
    const pods = (byNode.get(node.name) ?? []).filter((p) => !p.terminating);
    const keep = verdict.shouldRun || (verdict.shouldContinue && pods.length > 0);
    if (!keep) {
      skipped.push({ node: node.name, reason: verdict.reason ?? "not eligible" });
      for (const p of pods) actions.push({ type: "delete", name: p.name, node: node.name, why: "ineligible" });
      continue;
    }
    eligible.push(node.name);
    const failed = pods.filter((p) => p.phase === "Failed" || p.phase === "Succeeded");
    for (const p of failed) actions.push({ type: "delete", name: p.name, node: node.name, why: "failed" });
    const running = pods.filter((p) => !failed.includes(p));
    const terminating = (byNode.get(node.name) ?? []).some((p) => p.terminating);
    if (running.length === 0) {
      unavailable++;
      // Wait for the old pod to be gone before its replacement starts (maxSurge 0).
      if (!terminating && verdict.shouldRun) actions.push({ type: "create", node: node.name });
      continue;
    }
    // More than one pod on a node: keep one, preferring the current revision, then the one that is up.
    const rank = (p: DaemonPod) => (p.revision === s.revision ? 0 : 2) + (isUp(p) ? 0 : 1);
    const [kept, ...extra] = [...running].sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : 1));
    for (const p of extra) actions.push({ type: "delete", name: p.name, node: node.name, why: "duplicate" });
    if (!kept) continue;
    if (!isUp(kept)) unavailable++;
    if (kept.revision !== s.revision && s.updateStrategy === "RollingUpdate") {
      // An old pod that is not up is replaced at once: it is unavailable already.
      if (isUp(kept)) oldUp.push(kept);
      else actions.push({ type: "delete", name: kept.name, node: node.name, why: "update" });
    }
  }
  // Pods on nodes that are gone are removed.
  for (const [node, pods] of byNode) if (!known.has(node)) for (const p of pods) if (!p.terminating) actions.push({ type: "delete", name: p.name, node, why: "ineligible" });

  const maxUnavailable = Math.max(1, resolveIntOrPercent(s.maxUnavailable, eligible.length, true, 1));
  const budget = Math.max(0, maxUnavailable - unavailable);
  for (const p of oldUp.slice(0, budget)) actions.push({ type: "delete", name: p.name, node: p.node, why: "update" });

  return { actions, eligible, skipped, status: daemonSetStatus(s, eligible, skipped.length) };
}

/** Kubernetes' DaemonSet counts, per node that should run a pod. */
function daemonSetStatus(s: DaemonSetState, eligible: string[], skipped: number): DaemonSetLiveStatus {
  const on = (node: string) => s.pods.filter((p) => p.node === node && !p.terminating);
  const nodesWith = (has: (p: DaemonPod) => boolean) => eligible.filter((n) => on(n).some(has)).length;
  const wanted = new Set(eligible);
  return {
    desiredNumberScheduled: eligible.length,
    currentNumberScheduled: nodesWith(() => true),
    updatedNumberScheduled: nodesWith((p) => p.revision === s.revision),
    numberReady: nodesWith((p) => p.phase === "Running" && p.ready),
    numberAvailable: nodesWith((p) => isUp(p) && p.ready),
    numberMisscheduled: s.pods.filter((p) => p.terminating || !wanted.has(p.node)).length,
    updateStrategy: s.updateStrategy,
    revision: s.revision,
    skippedNodes: skipped,
    troubledPods: s.pods
      .filter((p) => p.revision === s.revision && !p.terminating && !isUp(p) && isPodTrouble(p.reason))
      .map((p) => ({ name: p.name, node: p.node, reason: p.reason ?? "" })),
  };
}
