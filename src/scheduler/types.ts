/**
 * The scheduler's inputs and outputs: plain data, in Kubernetes' field names where a field has one,
 * so a PodSpec's `affinity`, `tolerations` and `topologySpreadConstraints` pass through unchanged.
 */

export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

export interface Toleration {
  /** Empty with `Exists` tolerates every taint. */
  key?: string;
  /** Default `Equal`. */
  operator?: "Equal" | "Exists";
  value?: string;
  /** Empty tolerates every effect. */
  effect?: "" | TaintEffect;
  tolerationSeconds?: number;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

/** `{}` selects everything; an absent selector selects nothing (Kubernetes' rule for affinity terms). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface NodeSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  /** Only `metadata.name` with `In`/`NotIn`, as Kubernetes. */
  matchFields?: { key: string; operator: string; values?: string[] }[];
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  topologyKey: string;
  /** Empty with no namespaceSelector: the pod's own namespace. */
  namespaces?: string[];
  /** `{}` selects every namespace; others match `ClusterSnapshot.namespaceLabels`. */
  namespaceSelector?: LabelSelector;
}

export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

export interface PodAffinityRules {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

export interface Affinity {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
    preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference: NodeSelectorTerm }[];
  };
  podAffinity?: PodAffinityRules;
  podAntiAffinity?: PodAffinityRules;
}

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway";
  labelSelector?: LabelSelector;
  minDomains?: number;
  /** Values of these pod labels are added to the selector (Kubernetes `matchLabelKeys`). */
  matchLabelKeys?: string[];
  /** Default Honor: only nodes matching the pod's node selector/affinity count. */
  nodeAffinityPolicy?: "Honor" | "Ignore";
  /** Default Ignore: tainted nodes count too. */
  nodeTaintsPolicy?: "Honor" | "Ignore";
}

export interface HostPort {
  hostPort: number;
  /** Default TCP. */
  protocol?: "TCP" | "UDP" | "SCTP";
  /** Default 0.0.0.0, which conflicts with every address. */
  hostIP?: string;
}

/** CPU in millicores, memory in bytes. */
export interface ResourceAmounts {
  cpuMillis: number;
  memoryBytes: number;
}

export interface SchedulingNode {
  name: string;
  /** `kubernetes.io/hostname` is added (= name) when absent. */
  labels: Record<string, string>;
  taints: Taint[];
  /** Capacity minus the node reserve; `pods` bounds the number of pods (unbounded when absent). */
  allocatable: ResourceAmounts & { pods?: number };
  /** Cordoned. */
  unschedulable?: boolean;
  /** Default true. A node that is not ready carries the `node.kubernetes.io/not-ready` taints. */
  ready?: boolean;
  /** Images present on the node: normalized reference → size in bytes. */
  images?: Record<string, number>;
}

export interface PodToSchedule {
  /** For messages and `forget`; not used to decide. */
  name?: string;
  namespace: string;
  labels: Record<string, string>;
  /** Requests of the pod (see `podRequests`: a limit stands in for a missing request). */
  requests: ResourceAmounts;
  hostPorts?: HostPort[];
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
  topologySpreadConstraints?: TopologySpreadConstraint[];
  /** Images of the pod's containers and init containers. */
  images?: string[];
}

/** A pod already bound to a node (running, or assumed by an earlier placement). */
export interface PlacedPod extends PodToSchedule {
  node: string;
  /** Terminating pods are not counted by topology spreading, as Kubernetes. */
  terminating?: boolean;
}

export interface ClusterSnapshot {
  nodes: SchedulingNode[];
  pods: PlacedPod[];
  /** Namespace labels, for affinity terms with a namespaceSelector. */
  namespaceLabels?: Record<string, Record<string, string>>;
}

export const SCORE_NAMES = [
  "NodeResourcesFit",
  "NodeResourcesBalancedAllocation",
  "NodeAffinity",
  "InterPodAffinity",
  "PodTopologySpread",
  "TaintToleration",
  "ImageLocality",
] as const;
export type ScoreName = (typeof SCORE_NAMES)[number];

/** Kubernetes' default score weights. */
export const DEFAULT_WEIGHTS: Readonly<Record<ScoreName, number>> = {
  NodeResourcesFit: 1,
  NodeResourcesBalancedAllocation: 1,
  NodeAffinity: 2,
  InterPodAffinity: 2,
  PodTopologySpread: 2,
  TaintToleration: 3,
  ImageLocality: 1,
};

export interface SchedulerOptions {
  /** NodeResourcesFit scoring: spread load (default) or pack it. */
  scoringStrategy?: "LeastAllocated" | "MostAllocated";
  /**
   * Share of nodes to find feasible before scoring, as Kubernetes' percentageOfNodesToScore:
   * 0 (default) is adaptive (50% − nodes/125, at least 5%), 100 evaluates every node. Clusters
   * under 100 nodes are always evaluated whole. Every placement still passes every filter.
   */
  percentageOfNodesToScore?: number;
  weights?: Partial<Record<ScoreName, number>>;
  /** Weight of existing pods' required affinity terms that match the incoming pod (default 1). */
  hardPodAffinityWeight?: number;
}

export interface Placement {
  node: string;
  /** Weighted sum of the normalized scores. */
  score: number;
  /** Normalized (0–100) score of each plugin on the chosen node. */
  scores: Record<ScoreName, number>;
  feasibleNodes: number;
  evaluatedNodes: number;
}

export interface Unschedulable {
  unschedulable: true;
  /** Kubernetes' FailedScheduling message, e.g. `0/3 nodes are available: 3 Insufficient memory.` */
  reason: string;
  /** Nodes per failure reason. */
  reasons: Record<string, number>;
}

export type ScheduleResult = Placement | Unschedulable;
