/**
 * The nodes of a running daemon as the API, the dashboard and /metrics show them. Every figure
 * comes from where the scheduler takes it: allocatable from the registry (the configuration's
 * `capacity`, else the engine's info, less the reserve), requested from the placer's count of the
 * pods' requests, cordons from the registry, readiness from the node health monitor. So `capstan
 * get nodes` never shows room that the NodeResourcesFit filter would not give.
 */
import { containerPods, NO_USAGE, nodeUsage, type NodeCapacity, type NodeHealthMonitor, type NodePlacer, type NodeRegistry, type NodeUsage } from "../nodes/index.js";
import { LABEL, MANAGED_BY_VALUE } from "../runtime/labels.js";
import type { ResourceAmounts } from "../scheduler/index.js";
import type { MetricsSink, NodeView } from "../server/index.js";

export interface NodeViewSources {
  /** The configured nodes: engines, capacity, cordons (a promise: the daemon opens it while it starts). */
  registry: NodeRegistry | Promise<NodeRegistry>;
  /** Readiness as the node health monitor last found it. */
  health: Pick<NodeHealthMonitor, "isReady">;
  /** Requests of the pods on each node, summed as the scheduler sums them. */
  placer: Pick<NodePlacer, "nodeUsage">;
  /** Told each node's figures: the node gauges of /metrics. */
  metrics?: Pick<MetricsSink, "node">;
}

/** A node as the daemon sees it: NodeView, plus what `get nodes` shows that NodeView has no field for yet. */
export interface DaemonNodeView extends NodeView {
  /** Cordoned (`capstan cordon`): new pods are not placed here. Shown as `Ready,SchedulingDisabled`. */
  unschedulable: boolean;
  /** When the state directory first knew the node (ISO 8601), for AGE; null when not recorded. */
  firstSeen: string | null;
}

/** What the scheduler offers on a node whose capacity cannot be read: nothing. */
const NOTHING: ResourceAmounts = { cpuMillis: 0, memoryBytes: 0 };

/** Every configured node, in the configuration's order; each is also reported to `metrics`. */
export async function nodeViews(sources: NodeViewSources): Promise<DaemonNodeView[]> {
  const registry = await sources.registry;
  // Cordons made by `capstan cordon` in another process, as the placer reads them before placing.
  await registry.reloadIfChanged().catch(() => []);
  const usage = sources.placer.nodeUsage();
  return Promise.all(
    registry.names().map(async (name): Promise<DaemonNodeView> => {
      const ready = sources.health.isReady(name);
      const capacity = await capacityOf(registry, name, ready);
      const allocatable = capacity ? await registry.allocatable(name) : NOTHING;
      const used = usage ? (usage.get(name) ?? NO_USAGE) : ready ? await engineUsage(registry, name) : NO_USAGE;
      const view: DaemonNodeView = {
        name,
        status: ready ? "Ready" : "NotReady",
        cpu: { allocatable: allocatable.cpuMillis, requested: used.cpuMillis },
        memory: { allocatable: allocatable.memoryBytes, requested: used.memoryBytes },
        pods: used.pods,
        engineVersion: capacity?.engineVersion ?? "",
        unschedulable: registry.isCordoned(name),
        firstSeen: registry.firstSeen(name)?.toISOString() ?? null,
      };
      sources.metrics?.node(view);
      return view;
    }),
  );
}

/**
 * The registry's capacity (kept from the first read, as the scheduler keeps it); read again when
 * the engine's version is missing and the node answers now. Undefined when it cannot be known.
 */
async function capacityOf(registry: NodeRegistry, name: string, ready: boolean): Promise<NodeCapacity | undefined> {
  const known = await registry.capacity(name).catch(() => undefined);
  if (known?.engineVersion !== undefined || !ready) return known;
  return registry.capacity(name, { refresh: true }).catch(() => known);
}

/** Requests of the pods the engine's containers stand for, while the placer has no pods to count. */
async function engineUsage(registry: NodeRegistry, name: string): Promise<NodeUsage> {
  try {
    const containers = await registry.runtime(name).list({ [LABEL.managedBy]: MANAGED_BY_VALUE });
    return nodeUsage(containerPods(name, containers)).get(name) ?? NO_USAGE;
  } catch {
    return NO_USAGE;
  }
}
