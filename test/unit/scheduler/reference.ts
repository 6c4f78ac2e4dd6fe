/**
 * A from-scratch scheduler for property tests: every aggregate is recomputed from the pod list
 * for every pod and node, the way the Kubernetes plugins describe them, with no cache, groups or
 * memo. Per-node predicates (selectors, tolerations, score formulas) are shared with the real
 * scheduler; they have their own table tests.
 */
import { normalizeImage } from "../../../src/scheduler/cache.js";
import { compileRequiredNodeAffinity } from "../../../src/scheduler/filters/node-affinity.js";
import { nodeUnschedulableFails } from "../../../src/scheduler/filters/node-unschedulable.js";
import { NOT_READY_TAINTS, untoleratedTaint, untoleratedTaintReason } from "../../../src/scheduler/filters/taint-toleration.js";
import { compileLabelSelector } from "../../../src/scheduler/labels.js";
import { unschedulableMessage } from "../../../src/scheduler/reasons.js";
import { balancedAllocationScore } from "../../../src/scheduler/scores/balanced-allocation.js";
import { imageLocalityScore } from "../../../src/scheduler/scores/image-locality.js";
import { compilePreferredNodeAffinity } from "../../../src/scheduler/scores/node-affinity.js";
import { leastAllocatedScore } from "../../../src/scheduler/scores/node-resources-fit.js";
import { intolerablePreferNoSchedule } from "../../../src/scheduler/scores/taint-toleration.js";
import { compileTerm, spreadSelector, termMatchesPod } from "../../../src/scheduler/terms.js";
import type { HostPort, PlacedPod, PodAffinityTerm, PodToSchedule, ScheduleResult, SchedulingNode, TopologySpreadConstraint } from "../../../src/scheduler/types.js";

const HOST = "kubernetes.io/hostname";

function portsClash(a: HostPort, b: HostPort): boolean {
  if (a.hostPort !== b.hostPort || (a.protocol ?? "TCP") !== (b.protocol ?? "TCP")) return false;
  const ia = a.hostIP || "0.0.0.0";
  const ib = b.hostIP || "0.0.0.0";
  return ia === "0.0.0.0" || ib === "0.0.0.0" || ia === ib;
}

export function referenceSchedule(pod: PodToSchedule, rawNodes: SchedulingNode[], pods: PlacedPod[]): ScheduleResult {
  const nodes = [...rawNodes]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((n) => ({ ...n, labels: { [HOST]: n.name, ...n.labels } as Record<string, string>, taints: n.ready === false ? [...n.taints, ...NOT_READY_TAINTS] : n.taints }));
  const byNode = new Map(nodes.map((n) => [n.name, pods.filter((p) => p.node === n.name)]));
  const podsOn = (name: string) => byNode.get(name) ?? [];
  const nodeOf = new Map(nodes.map((n) => [n.name, n]));
  const required = compileRequiredNodeAffinity(pod);
  const c = (t: PodAffinityTerm, ns: string) => compileTerm(t, ns, undefined);

  const spreadFor = (when: TopologySpreadConstraint["whenUnsatisfiable"]) =>
    (pod.topologySpreadConstraints ?? []).filter((x) => x.whenUnsatisfiable === when).map((x) => ({ ...x, sel: compileLabelSelector(spreadSelector(x, pod.labels)) }));
  const hard = spreadFor("DoNotSchedule");
  const eligibleFor = (set: typeof hard, k: number, n: (typeof nodes)[number]) => {
    if (!set.every((x) => n.labels[x.topologyKey] !== undefined)) return false;
    const x = set[k]!;
    if ((x.nodeAffinityPolicy ?? "Honor") === "Honor" && !required(n.name, n.labels)) return false;
    if (x.nodeTaintsPolicy === "Honor" && untoleratedTaint(n.taints, pod.tolerations)) return false;
    return true;
  };
  const matching = (x: (typeof hard)[number], on: string) => podsOn(on).filter((p) => p.namespace === pod.namespace && !p.terminating && x.sel(p.labels)).length;
  const hardCounts = hard.map((x, k) => {
    const counts = new Map<string, number>();
    for (const n of nodes) if (eligibleFor(hard, k, n)) counts.set(n.labels[x.topologyKey]!, (counts.get(n.labels[x.topologyKey]!) ?? 0) + matching(x, n.name));
    const min = counts.size < (x.minDomains ?? 1) ? 0 : Math.min(...counts.values());
    return { counts, min };
  });

  const affTerms = (pod.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => c(t, pod.namespace));
  const antiTerms = (pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => c(t, pod.namespace));
  const affCounts = new Map<string, number>();
  const antiCounts = new Map<string, number>();
  const existingAnti = new Map<string, number>();
  for (const p of pods) {
    const n = nodeOf.get(p.node);
    if (!n) continue;
    if (affTerms.length > 0 && affTerms.every((t) => termMatchesPod(t, p.namespace, p.labels))) {
      for (const t of affTerms) if (n.labels[t.topologyKey] !== undefined) affCounts.set(`${t.topologyKey}=${n.labels[t.topologyKey]}`, (affCounts.get(`${t.topologyKey}=${n.labels[t.topologyKey]}`) ?? 0) + 1);
    }
    for (const t of antiTerms) {
      if (termMatchesPod(t, p.namespace, p.labels) && n.labels[t.topologyKey] !== undefined) antiCounts.set(`${t.topologyKey}=${n.labels[t.topologyKey]}`, (antiCounts.get(`${t.topologyKey}=${n.labels[t.topologyKey]}`) ?? 0) + 1);
    }
    for (const raw of p.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      const t = c(raw, p.namespace);
      if (termMatchesPod(t, pod.namespace, pod.labels) && n.labels[t.topologyKey] !== undefined) existingAnti.set(`${t.topologyKey}=${n.labels[t.topologyKey]}`, (existingAnti.get(`${t.topologyKey}=${n.labels[t.topologyKey]}`) ?? 0) + 1);
    }
  }

  const reasons = new Map<string, number>();
  const fail = (r: string) => reasons.set(r, (reasons.get(r) ?? 0) + 1);
  const feasible: typeof nodes = [];
  for (const n of nodes) {
    const on = podsOn(n.name);
    if (nodeUnschedulableFails(n.unschedulable, pod.tolerations)) { fail("node(s) were unschedulable"); continue; }
    const taint = untoleratedTaint(n.taints, pod.tolerations);
    if (taint) { fail(untoleratedTaintReason(taint)); continue; }
    if (!required(n.name, n.labels)) { fail("node(s) didn't match Pod's node affinity/selector"); continue; }
    if ((pod.hostPorts ?? []).some((w) => on.some((p) => (p.hostPorts ?? []).some((u) => portsClash(u, w))))) { fail("node(s) didn't have free ports for the requested pod ports"); continue; }
    const cpu = on.reduce((s, p) => s + p.requests.cpuMillis, 0);
    const mem = on.reduce((s, p) => s + p.requests.memoryBytes, 0);
    const short: string[] = [];
    if (on.length + 1 > (n.allocatable.pods ?? Infinity)) short.push("Too many pods");
    if (pod.requests.cpuMillis > 0 && pod.requests.cpuMillis > n.allocatable.cpuMillis - cpu) short.push("Insufficient cpu");
    if (pod.requests.memoryBytes > 0 && pod.requests.memoryBytes > n.allocatable.memoryBytes - mem) short.push("Insufficient memory");
    if (short.length) { short.forEach(fail); continue; }
    let spreadFail = "";
    for (let k = 0; k < hard.length && !spreadFail; k++) {
      const x = hard[k]!;
      const v = n.labels[x.topologyKey];
      if (v === undefined) spreadFail = "node(s) didn't match pod topology spread constraints (missing required label)";
      else if ((hardCounts[k]!.counts.get(v) ?? 0) + (x.sel(pod.labels) ? 1 : 0) - hardCounts[k]!.min > x.maxSkew) spreadFail = "node(s) didn't match pod topology spread constraints";
    }
    if (spreadFail) { fail(spreadFail); continue; }
    if (affTerms.length > 0) {
      let exist = true;
      let missing = false;
      for (const t of affTerms) {
        const v = n.labels[t.topologyKey];
        if (v === undefined) missing = true;
        else if ((affCounts.get(`${t.topologyKey}=${v}`) ?? 0) <= 0) exist = false;
      }
      const selfOk = affCounts.size === 0 && affTerms.every((t) => termMatchesPod(t, pod.namespace, pod.labels));
      if (missing || (!exist && !selfOk)) { fail("node(s) didn't match pod affinity rules"); continue; }
    }
    if (antiTerms.some((t) => n.labels[t.topologyKey] !== undefined && (antiCounts.get(`${t.topologyKey}=${n.labels[t.topologyKey]}`) ?? 0) > 0)) { fail("node(s) didn't match pod anti-affinity rules"); continue; }
    if (Object.entries(n.labels).some(([k, v]) => (existingAnti.get(`${k}=${v}`) ?? 0) > 0)) { fail("node(s) didn't satisfy existing pods anti-affinity rules"); continue; }
    feasible.push(n);
  }
  if (feasible.length === 0) return { unschedulable: true, reason: unschedulableMessage(nodes.length, reasons), reasons: Object.fromEntries(reasons) };

  // Scores.
  const pc = pod.requests.cpuMillis;
  const pm = pod.requests.memoryBytes;
  const fit = feasible.map((n) => {
    const on = podsOn(n.name);
    const cpu = on.reduce((s, p) => s + (p.requests.cpuMillis || 100), 0) + (pc || 100);
    const mem = on.reduce((s, p) => s + (p.requests.memoryBytes || 200 * 1024 * 1024), 0) + (pm || 200 * 1024 * 1024);
    return leastAllocatedScore(cpu, n.allocatable.cpuMillis, mem, n.allocatable.memoryBytes);
  });
  const balanced = feasible.map((n) => {
    if (pc === 0 && pm === 0) return 0;
    const on = podsOn(n.name);
    return balancedAllocationScore(on.reduce((s, p) => s + p.requests.cpuMillis, 0) + pc, n.allocatable.cpuMillis, on.reduce((s, p) => s + p.requests.memoryBytes, 0) + pm, n.allocatable.memoryBytes);
  });
  const pref = compilePreferredNodeAffinity(pod);
  const naRaw = feasible.map((n) => (pref ? pref(n.name, n.labels) : 0));
  const naMax = Math.max(...naRaw);
  const na = naRaw.map((r) => (naMax > 0 ? Math.floor((100 * r) / naMax) : 0));
  const ttRaw = feasible.map((n) => intolerablePreferNoSchedule(n.taints, pod.tolerations));
  const ttMax = Math.max(...ttRaw);
  const tt = ttRaw.map((r) => (ttMax > 0 ? 100 - Math.floor((100 * r) / ttMax) : 100));
  const images = (pod.images ?? []).map(normalizeImage);
  const withImage = (ref: string) => nodes.filter((n) => Object.keys(n.images ?? {}).map(normalizeImage).includes(ref)).length;
  const il = feasible.map((n) => {
    const own: Record<string, number> = {};
    for (const [k, v] of Object.entries(n.images ?? {})) own[normalizeImage(k)] = v;
    return imageLocalityScore(images, own, withImage, nodes.length);
  });

  // InterPodAffinity preferred.
  const topo = new Map<string, number>();
  const addTopo = (key: string, n: (typeof nodes)[number] | undefined, w: number) => {
    if (!n || n.labels[key] === undefined) return;
    topo.set(`${key}=${n.labels[key]}`, (topo.get(`${key}=${n.labels[key]}`) ?? 0) + w);
  };
  const ownPref = [
    ...(pod.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => [w.weight, c(w.podAffinityTerm, pod.namespace)] as const),
    ...(pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => [-w.weight, c(w.podAffinityTerm, pod.namespace)] as const),
  ];
  for (const p of pods) {
    const n = nodeOf.get(p.node);
    for (const [w, t] of ownPref) if (termMatchesPod(t, p.namespace, p.labels)) addTopo(t.topologyKey, n, w);
    for (const t of p.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      const ct = c(t, p.namespace);
      if (termMatchesPod(ct, pod.namespace, pod.labels)) addTopo(ct.topologyKey, n, 1);
    }
    for (const w of p.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      const ct = c(w.podAffinityTerm, p.namespace);
      if (termMatchesPod(ct, pod.namespace, pod.labels)) addTopo(ct.topologyKey, n, w.weight);
    }
    for (const w of p.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      const ct = c(w.podAffinityTerm, p.namespace);
      if (termMatchesPod(ct, pod.namespace, pod.labels)) addTopo(ct.topologyKey, n, -w.weight);
    }
  }
  const ipaRaw = feasible.map((n) => Object.entries(n.labels).reduce((s, [k, v]) => s + (topo.get(`${k}=${v}`) ?? 0), 0));
  const ipaMin = Math.min(...ipaRaw);
  const ipaMax = Math.max(...ipaRaw);
  const ipa = ipaRaw.map((r) => (topo.size > 0 && ipaMax - ipaMin > 0 ? Math.trunc((100 * (r - ipaMin)) / (ipaMax - ipaMin)) : 0));

  // PodTopologySpread preferred.
  const soft = spreadFor("ScheduleAnyway");
  let pts = feasible.map(() => 0);
  if (soft.length > 0) {
    const ignored = feasible.map((n) => !soft.every((x) => n.labels[x.topologyKey] !== undefined));
    const kept = feasible.filter((_, i) => !ignored[i]);
    const weights = soft.map((x) => Math.log((x.topologyKey === HOST ? kept.length : new Set(kept.map((n) => n.labels[x.topologyKey])).size) + 2));
    const domainCount = (k: number, v: string) =>
      nodes.filter((n) => n.labels[soft[k]!.topologyKey] === v && eligibleFor(soft, k, n)).reduce((s, n) => s + matching(soft[k]!, n.name), 0);
    const raw = feasible.map((n, i) => {
      if (ignored[i]) return 0;
      let s = 0;
      soft.forEach((x, k) => {
        const cnt = x.topologyKey === HOST ? matching(x, n.name) : domainCount(k, n.labels[x.topologyKey]!);
        s += cnt * weights[k]! + (x.maxSkew - 1);
      });
      return Math.round(s);
    });
    const keptRaw = raw.filter((_, i) => !ignored[i]);
    const min = Math.min(...keptRaw);
    const max = Math.max(0, ...keptRaw);
    pts = raw.map((r, i) => (ignored[i] ? 0 : max === 0 ? 100 : Math.floor((100 * (max + min - r)) / max)));
  }

  let best = -1;
  let bestScore = -Infinity;
  feasible.forEach((n, i) => {
    const total = fit[i]! + balanced[i]! + 2 * na[i]! + 2 * ipa[i]! + 2 * pts[i]! + 3 * tt[i]! + il[i]!;
    const better = total > bestScore || (total === bestScore && podsOn(n.name).length < podsOn(feasible[best]!.name).length);
    if (better) {
      best = i;
      bestScore = total;
    }
  });
  return {
    node: feasible[best]!.name,
    score: bestScore,
    scores: { NodeResourcesFit: fit[best]!, NodeResourcesBalancedAllocation: balanced[best]!, NodeAffinity: na[best]!, InterPodAffinity: ipa[best]!, PodTopologySpread: pts[best]!, TaintToleration: tt[best]!, ImageLocality: il[best]! },
    feasibleNodes: feasible.length,
    evaluatedNodes: nodes.length,
  };
}
