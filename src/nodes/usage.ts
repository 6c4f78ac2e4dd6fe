/**
 * What the pods on each node request, as `kubectl describe node` shows under "Allocated
 * resources". Requests are read as the scheduler reads them (`podRequests` of the template, as
 * `placedPod` does), so what a user is shown and what the NodeResourcesFit filter subtracts from a
 * node's allocatable are one figure.
 */
import { livePodFromContainer } from "../controllers/pods/live.js";
import type { PlacementPod } from "../controllers/pods/types.js";
import type { ContainerSummary } from "../runtime/types.js";
import { podRequests } from "../scheduler/index.js";

export interface NodeUsage {
  /** Sum of the pods' CPU requests, in millicores. */
  cpuMillis: number;
  /** Sum of the pods' memory requests, in bytes. */
  memoryBytes: number;
  pods: number;
}

export const NO_USAGE: Readonly<NodeUsage> = Object.freeze({ cpuMillis: 0, memoryBytes: 0, pods: 0 });

/**
 * Requests summed per node over the pods that have one. Terminating pods count, as they do for the
 * scheduler: their containers hold the room until they are gone.
 */
export function nodeUsage(pods: readonly PlacementPod[]): Map<string, NodeUsage> {
  const out = new Map<string, NodeUsage>();
  for (const p of pods) {
    if (!p.node) continue;
    const u = out.get(p.node) ?? { cpuMillis: 0, memoryBytes: 0, pods: 0 };
    if (p.template) {
      const requests = podRequests(p.template.spec);
      u.cpuMillis += requests.cpuMillis;
      u.memoryBytes += requests.memoryBytes;
    }
    u.pods += 1;
    out.set(p.node, u);
  }
  return out;
}

/**
 * The pods an engine's containers stand for, read from the labels Capstan puts on them (the pod
 * template among them), for when no pod manager is there to ask: one pod per namespace and pod
 * label, whatever its number of containers. Containers being removed or dead hold no room; a
 * label that cannot be read counts as no requests, as the scheduler counts an adopted pod without one.
 */
export function containerPods(node: string, containers: readonly ContainerSummary[]): PlacementPod[] {
  const pods = new Map<string, PlacementPod>();
  for (const c of containers) {
    if (c.status === "dead" || c.status === "removing") continue;
    const live = livePodFromContainer(node, c);
    const key = live ? `${live.namespace}/${live.name}` : `container/${c.name}`;
    const known = pods.get(key);
    const template = live?.template && Array.isArray(live.template.spec?.containers) ? live.template : undefined;
    if (known && (known.template || !template)) continue;
    pods.set(key, {
      namespace: live?.namespace ?? "",
      name: live?.name ?? c.name,
      node,
      labels: live?.podLabels ?? {},
      ...(template ? { template } : {}),
      terminating: false,
    });
  }
  return [...pods.values()];
}
