import { SchedulerCache } from "./cache.js";
import { prepareInterPodAffinityFilter, interPodAffinityFails } from "./filters/inter-pod-affinity.js";
import { portsConflict, REASON_NODE_PORTS } from "./filters/node-ports.js";
import {
  FIT_CPU,
  FIT_MEMORY,
  FIT_PODS,
  insufficientResources,
  REASON_INSUFFICIENT_CPU,
  REASON_INSUFFICIENT_MEMORY,
  REASON_TOO_MANY_PODS,
} from "./filters/node-resources-fit.js";
import { prepareSpreadFilter, spreadFilterFails } from "./filters/pod-topology-spread.js";
import { ReasonTable, unschedulableMessage } from "./reasons.js";
import { balancedAllocationScore } from "./scores/balanced-allocation.js";
import { interPodAffinityScores, prepareInterPodAffinityScore } from "./scores/inter-pod-affinity.js";
import { leastAllocatedScore, mostAllocatedScore } from "./scores/node-resources-fit.js";
import { normalizeToMax } from "./scores/normalize.js";
import { prepareSpreadScore, spreadScores } from "./scores/pod-topology-spread.js";
import { computeStatic, staticKey, type StaticVerdicts } from "./static.js";
import {
  DEFAULT_WEIGHTS,
  type ClusterSnapshot,
  type Placement,
  type PodToSchedule,
  type ScheduleResult,
  type SchedulerOptions,
  type ScoreName,
} from "./types.js";
import { NON_ZERO_CPU, NON_ZERO_MEMORY } from "./cache.js";

const MIN_FEASIBLE_NODES = 100;
const MIN_FEASIBLE_PERCENTAGE = 5;

/** Kubernetes' numFeasibleNodesToFind: how many feasible nodes to find before scoring stops the search. */
export function numFeasibleNodesToFind(totalNodes: number, percentage = 0): number {
  if (totalNodes < MIN_FEASIBLE_NODES) return totalNodes;
  let p = percentage;
  if (p <= 0) p = Math.max(MIN_FEASIBLE_PERCENTAGE, 50 - Math.trunc(totalNodes / 125));
  if (p >= 100) return totalNodes;
  const n = Math.trunc((totalNodes * p) / 100);
  return Math.max(n, MIN_FEASIBLE_NODES);
}

/**
 * Places pods one at a time over a `SchedulerCache`, with Kubernetes' default filters and scores.
 *
 * Filters, in the order the Kubernetes scheduler runs them (a node reports the reason of the
 * first one it fails): NodeUnschedulable, TaintToleration (a not-ready node carries the
 * `node.kubernetes.io/not-ready` taint), NodeAffinity, NodePorts, NodeResourcesFit,
 * PodTopologySpread, InterPodAffinity.
 *
 * Scores (0–100 each, weighted): NodeResourcesFit 1, NodeResourcesBalancedAllocation 1,
 * NodeAffinity 2, InterPodAffinity 2, PodTopologySpread 2, TaintToleration 3, ImageLocality 1.
 *
 * Ties are broken deterministically, where Kubernetes picks at random: the highest total wins,
 * then the node with fewer pods, then the node whose name sorts first.
 */
export class Scheduler {
  readonly cache: SchedulerCache;
  private readonly reasons = new ReasonTable();
  private readonly statics = new Map<string, StaticVerdicts>();
  private readonly weights: Record<ScoreName, number>;
  private readonly options: SchedulerOptions;
  private feasible = new Int32Array(0);
  private reasonCounts = new Int32Array(16);
  private ipaOut = new Float64Array(0);
  private ptsOut = new Float64Array(0);

  constructor(snapshot: ClusterSnapshot | SchedulerCache, options: SchedulerOptions = {}) {
    this.cache = snapshot instanceof SchedulerCache ? snapshot : new SchedulerCache(snapshot);
    this.options = options;
    this.weights = { ...DEFAULT_WEIGHTS, ...options.weights };
  }

  /** Records a placement so the next pod sees it (Kubernetes' assume). */
  assume(pod: PodToSchedule, node: string): void {
    this.cache.assume(pod, node);
  }

  forget(pod: PodToSchedule, node: string): void {
    this.cache.forget(pod, node);
  }

  private staticFor(pod: PodToSchedule): StaticVerdicts {
    const key = staticKey(pod);
    let st = this.statics.get(key);
    if (!st || st.version !== this.cache.nodeVersion) {
      if (this.statics.size > 256) this.statics.clear();
      st = computeStatic(this.cache, this.reasons, pod);
      this.statics.set(key, st);
    }
    return st;
  }

  /** Chooses a node for the pod without recording it; call `assume` to bind it. */
  schedule(pod: PodToSchedule): ScheduleResult {
    const cache = this.cache;
    const n = cache.size;
    if (n === 0) return { unschedulable: true, reason: unschedulableMessage(0, {}), reasons: {} };
    const st = this.staticFor(pod);
    const reasons = this.reasons;
    const podCpu = pod.requests.cpuMillis;
    const podMem = pod.requests.memoryBytes;
    const hostPorts = pod.hostPorts && pod.hostPorts.length > 0 ? pod.hostPorts : undefined;
    const spread = prepareSpreadFilter(cache, st, pod, reasons);
    const affinity = prepareInterPodAffinityFilter(cache, pod, reasons);
    const portsId = reasons.id(REASON_NODE_PORTS);
    const podsId = reasons.id(REASON_TOO_MANY_PODS);
    const cpuId = reasons.id(REASON_INSUFFICIENT_CPU);
    const memId = reasons.id(REASON_INSUFFICIENT_MEMORY);
    if (this.reasonCounts.length < reasons.texts.length + 8) this.reasonCounts = new Int32Array(reasons.texts.length * 2 + 16);
    const reasonCounts = this.reasonCounts;
    reasonCounts.fill(0);
    if (this.feasible.length < n) this.feasible = new Int32Array(n);
    const feasible = this.feasible;

    const toFind = numFeasibleNodesToFind(n, this.options.percentageOfNodesToScore ?? 0);
    const start = cache.nextStartNodeIndex % n;
    const { allocCpu, allocMem, allocPods, reqCpu, reqMem, podCount, ports } = cache;
    const staticReason = st.reason;
    let found = 0;
    let processed = 0;
    for (; processed < n && found < toFind; processed++) {
      let idx = start + processed;
      if (idx >= n) idx -= n;
      const r = staticReason[idx] as number;
      if (r !== 0) {
        reasonCounts[r] = (reasonCounts[r] as number) + 1;
        continue;
      }
      if (hostPorts && portsConflict(ports[idx], hostPorts)) {
        reasonCounts[portsId] = (reasonCounts[portsId] as number) + 1;
        continue;
      }
      const short = insufficientResources(podCpu, podMem, allocCpu[idx] as number, allocMem[idx] as number, allocPods[idx] as number, reqCpu[idx] as number, reqMem[idx] as number, podCount[idx] as number);
      if (short !== 0) {
        if (short & FIT_PODS) reasonCounts[podsId] = (reasonCounts[podsId] as number) + 1;
        if (short & FIT_CPU) reasonCounts[cpuId] = (reasonCounts[cpuId] as number) + 1;
        if (short & FIT_MEMORY) reasonCounts[memId] = (reasonCounts[memId] as number) + 1;
        continue;
      }
      if (spread) {
        const f = spreadFilterFails(spread, idx);
        if (f !== 0) {
          reasonCounts[f] = (reasonCounts[f] as number) + 1;
          continue;
        }
      }
      if (affinity) {
        const f = interPodAffinityFails(affinity, idx);
        if (f !== 0) {
          reasonCounts[f] = (reasonCounts[f] as number) + 1;
          continue;
        }
      }
      feasible[found++] = idx;
    }
    cache.nextStartNodeIndex = (start + processed) % n;

    if (found === 0) {
      const counts: Record<string, number> = {};
      for (let r = 1; r < reasons.texts.length; r++) if ((reasonCounts[r] as number) > 0) counts[reasons.texts[r] as string] = reasonCounts[r] as number;
      return { unschedulable: true, reason: unschedulableMessage(n, counts), reasons: counts };
    }
    return this.score(pod, st, feasible, found, processed);
  }

  private score(pod: PodToSchedule, st: StaticVerdicts, feasible: Int32Array, count: number, processed: number): Placement {
    const cache = this.cache;
    const w = this.weights;
    const { allocCpu, allocMem, reqCpu, reqMem, nzCpu, nzMem, podCount } = cache;
    const podCpu = pod.requests.cpuMillis;
    const podMem = pod.requests.memoryBytes;
    const nzPodCpu = podCpu || NON_ZERO_CPU;
    const nzPodMem = podMem || NON_ZERO_MEMORY;
    const most = this.options.scoringStrategy === "MostAllocated";
    const wFit = w.NodeResourcesFit;
    // Kubernetes skips BalancedAllocation for pods without requests.
    const wBalanced = podCpu > 0 || podMem > 0 ? w.NodeResourcesBalancedAllocation : 0;
    const naRaw = w.NodeAffinity ? st.preferredAffinity : undefined;
    const ttRaw = st.preferNoSchedule;
    const ilRaw = w.ImageLocality ? st.imageLocality : undefined;
    let naMax = 0;
    let ttMax = 0;
    for (let i = 0; i < count; i++) {
      const idx = feasible[i] as number;
      if (naRaw && (naRaw[idx] as number) > naMax) naMax = naRaw[idx] as number;
      if ((ttRaw[idx] as number) > ttMax) ttMax = ttRaw[idx] as number;
    }
    if (this.ipaOut.length < count) {
      this.ipaOut = new Float64Array(cache.size);
      this.ptsOut = new Float64Array(cache.size);
    }
    const ipaState = w.InterPodAffinity ? prepareInterPodAffinityScore(cache, pod, this.options.hardPodAffinityWeight ?? 1) : undefined;
    const ipa = ipaState ? this.ipaOut : undefined;
    if (ipaState && ipa) interPodAffinityScores(ipaState, feasible, count, ipa);
    const ptsState = w.PodTopologySpread ? prepareSpreadScore(cache, st, pod) : undefined;
    const pts = ptsState ? this.ptsOut : undefined;
    if (ptsState && pts) spreadScores(ptsState, feasible, count, pts);

    const breakdown = (i: number): Record<ScoreName, number> => {
      const idx = feasible[i] as number;
      const c = (nzCpu[idx] as number) + nzPodCpu;
      const m = (nzMem[idx] as number) + nzPodMem;
      return {
        NodeResourcesFit: wFit ? (most ? mostAllocatedScore : leastAllocatedScore)(c, allocCpu[idx] as number, m, allocMem[idx] as number) : 0,
        NodeResourcesBalancedAllocation: wBalanced
          ? balancedAllocationScore((reqCpu[idx] as number) + podCpu, allocCpu[idx] as number, (reqMem[idx] as number) + podMem, allocMem[idx] as number)
          : 0,
        NodeAffinity: naRaw ? normalizeToMax(naRaw[idx] as number, naMax, false) : 0,
        InterPodAffinity: ipa ? (ipa[i] as number) : 0,
        PodTopologySpread: pts ? (pts[i] as number) : 0,
        TaintToleration: normalizeToMax(ttRaw[idx] as number, ttMax, true),
        ImageLocality: ilRaw ? (ilRaw[idx] as number) : 0,
      };
    };

    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    const wNa = w.NodeAffinity;
    const wTt = w.TaintToleration;
    const wIl = w.ImageLocality;
    const wIpa = w.InterPodAffinity;
    const wPts = w.PodTopologySpread;
    for (let i = 0; i < count; i++) {
      const idx = feasible[i] as number;
      let total = 0;
      if (wFit) {
        const c = (nzCpu[idx] as number) + nzPodCpu;
        const m = (nzMem[idx] as number) + nzPodMem;
        total += wFit * (most ? mostAllocatedScore(c, allocCpu[idx] as number, m, allocMem[idx] as number) : leastAllocatedScore(c, allocCpu[idx] as number, m, allocMem[idx] as number));
      }
      if (wBalanced) total += wBalanced * balancedAllocationScore((reqCpu[idx] as number) + podCpu, allocCpu[idx] as number, (reqMem[idx] as number) + podMem, allocMem[idx] as number);
      if (naRaw && naMax > 0) total += wNa * normalizeToMax(naRaw[idx] as number, naMax, false);
      total += wTt * normalizeToMax(ttRaw[idx] as number, ttMax, true);
      if (ilRaw) total += wIl * (ilRaw[idx] as number);
      if (ipa) total += wIpa * (ipa[i] as number);
      if (pts) total += wPts * (pts[i] as number);
      if (total > bestScore) {
        best = i;
        bestScore = total;
      } else if (total === bestScore) {
        const pa = podCount[idx] as number;
        const bIdx = feasible[best] as number;
        const pb = podCount[bIdx] as number;
        if (pa < pb || (pa === pb && idx < bIdx)) best = i;
      }
    }
    const idx = feasible[best] as number;
    return { node: cache.nodes[idx]!.name, score: bestScore, scores: breakdown(best), feasibleNodes: count, evaluatedNodes: processed };
  }
}

/** Places one pod on a snapshot: a node and its scores, or Kubernetes' reason why none fits. */
export function schedulePod(pod: PodToSchedule, snapshot: ClusterSnapshot, options: SchedulerOptions = {}): ScheduleResult {
  return new Scheduler(snapshot, options).schedule(pod);
}

export function isUnschedulable(r: ScheduleResult): r is Extract<ScheduleResult, { unschedulable: true }> {
  return "unschedulable" in r;
}
