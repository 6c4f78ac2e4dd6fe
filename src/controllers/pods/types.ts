import type { ConfigMap, PodTemplate, Secret } from "../../manifest/index.js";

/**
 * The pod layer's contract with the workload controllers (Deployment, Job, CronJob, …):
 * owners say which pods should exist (`PodIntent`), the `PodManager` makes them run on Docker,
 * keeps them running (probes, restarts with back-off, self-heal) and reports `PodStatus`.
 */

export interface PodIntent {
  /** Deterministic pod name (e.g. `<deployment>-<revision>-<n>`): creating it twice is a no-op. */
  name: string;
  namespace: string;
  /** The Application the pod belongs to. */
  app: string;
  ownerKind: string;
  ownerName: string;
  /** The pod-template hash of the owner's revision. */
  revision: string;
  /** Git commit SHA the template came from. */
  commit: string;
  /** Defaulted pod template (see manifest `applyDefaults`). */
  template: PodTemplate;
  /**
   * Node the pod must run on (DaemonSets name it). Absent: the manager's placer chooses one
   * (the scheduler), or without a placer the manager's first node.
   */
  node?: string;
  /** ConfigMaps the template refers to, by name (env, envFrom, volumes). */
  configMaps: Record<string, ConfigMap>;
  /** Secrets the template refers to, by name; values stay in memory and in the container only. */
  secrets: Record<string, Secret>;
  /** Extra DNS aliases on the namespace network (Services' hook); the pod name is always one. */
  aliases?: string[];
}

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed";

export type PodReason =
  | "ContainerCreating"
  | "ImagePullBackOff"
  | "CreateContainerConfigError"
  | "CrashLoopBackOff"
  | "Unschedulable"
  | "Unsupported"
  | "Error"
  | "Completed"
  | "OOMKilled"
  | "Terminating"
  | "NodeUnavailable";

/**
 * One way a live object differs from what is declared (Argo CD's "drift"). Values are written as
 * users read them: memory in Ki/Mi/Gi (bytes when not a whole number of those), CPU in cores or
 * millicores, "(none)" for an unset limit or variable; values from Secrets are never shown.
 */
export interface DriftItem {
  /** `Pod/<pod>` or `Container/<container>` (a container that is no pod's). */
  object: string;
  /** e.g. `spec.containers[0].resources.limits.memory`, `spec.containers[0].env.FOO`, `metadata.name`. */
  field: string;
  live: string;
  desired: string;
}

export interface PodStatus {
  name: string;
  namespace: string;
  app: string;
  ownerKind: string;
  ownerName: string;
  revision: string;
  commit: string;
  /** The node the pod runs on; "" while it is Pending unscheduled. */
  node: string;
  image: string;
  /** Pod labels (template metadata.labels): what Service selectors match. */
  labels: Record<string, string>;
  /** Docker ids of the pod's containers (empty before creation). */
  containerIds: string[];
  phase: PodPhase;
  ready: boolean;
  /** Clock ms when the pod last became ready; null while not ready. */
  readySince: number | null;
  restarts: number;
  reason?: PodReason;
  message?: string;
  /** Where each declared container port is published on the node's 127.0.0.1. */
  hostPorts: { containerPort: number; hostPort: number; name?: string }[];
  /** Clock ms when the manager first saw or created the pod. */
  createdAt: number;
  terminating: boolean;
  /** Exit code of the last finished run of the main container. */
  exitCode?: number;
  /** True when the pod was found on the engine (adopted) and no owner has re-declared it yet. */
  adopted: boolean;
  /**
   * How the pod's container differs from its materialized template (image, env, limits, name,
   * network aliases); empty when it does not, and for pods no owner has declared yet.
   */
  drift: DriftItem[];
}

/** What the manager did to a pod and why; a short list per pod for `capstan status`/events. */
export interface PodEvent {
  time: number;
  namespace: string;
  pod: string;
  /** Kubernetes-style reason: Created, Started, Killing, BackOff, Unhealthy, Recreated, Replaced, Adopted, Failed, … */
  reason: string;
  message: string;
  type: "Normal" | "Warning";
}

export interface PodSelector {
  app?: string;
  namespace?: string;
  ownerKind?: string;
  ownerName?: string;
  revision?: string;
}

/** A pod the manager keeps, as the placer counts it (requests, labels, affinity terms, ports). */
export interface PlacementPod {
  namespace: string;
  name: string;
  node: string;
  labels: Record<string, string>;
  /** Absent for a pod adopted from a container whose template label is unreadable. */
  template?: PodTemplate;
  terminating: boolean;
}

export interface PlacementRequest {
  intent: PodIntent;
  /**
   * Every other pod the manager keeps on a node (this one excluded). A pod is the same object
   * from one request to the next while nothing in it changed, so a placer may count pods once
   * and then follow only what changed.
   */
  pods: PlacementPod[];
  /** The node the pod is on now (its container vanished and is being made again): kept when it still fits. */
  current?: string;
}

/** Where a pod goes, or why it cannot go anywhere now (Kubernetes' FailedScheduling message). */
export type PlacementResult = { node: string } | { unschedulable: true; message: string };

/** Chooses nodes for pods whose intent names none. */
export interface PodPlacer {
  place(request: PlacementRequest): Promise<PlacementResult>;
  /** Called when nodes change (added, uncordoned, Ready again) so Pending pods are tried again. Returns unsubscribe. */
  onNodesChanged?(listener: () => void): () => void;
  /** Gives the placer the pods the manager keeps, so it can tell each node's requested resources at any time. */
  countPods?(source: () => readonly PlacementPod[]): void;
}

export interface PodManager {
  /** Pods known to the manager (created or adopted), filtered; copies. */
  list(selector?: PodSelector): PodStatus[];
  get(namespace: string, name: string): PodStatus | undefined;
  /**
   * Declares the pod and makes its first step (create + start, or adopt the container that
   * already has the name). Idempotent by name; a later call with a changed intent updates what
   * the pod is kept at (a changed materialized spec replaces the container). Never throws for
   * missing images or config: those show as status (`ImagePullBackOff`, `CreateContainerConfigError`).
   */
  create(intent: PodIntent): Promise<PodStatus>;
  /** SIGTERM, grace (option, else the template's terminationGracePeriodSeconds), kill, remove; emptyDir and generated files go with it. */
  delete(namespace: string, name: string, options?: { graceSeconds?: number }): Promise<void>;
  /** Called on every change of a pod's status (phase, ready, restarts, reason, terminating, removal). Returns unsubscribe. */
  onChange(listener: (pod: PodStatus) => void): () => void;
  /** Called on every pod event. Returns unsubscribe. */
  onEvent(listener: (event: PodEvent) => void): () => void;
  /** The pod's recent events (newest last, bounded). */
  events(namespace: string, name: string): PodEvent[];
  /** Rebuilds state from container labels on every node: adopts what is found, recreates what vanished. */
  resync(): Promise<void>;
  /**
   * The node was NotReady past the eviction timeout: its pods are given up (removed from the
   * manager, reason NodeUnavailable) so their owners replace them on other nodes. Returns the
   * pods given up (`namespace/name`). Optional so wrappers of a manager may leave it out: the
   * daemon hooks the node health monitor to the DockerPodManager itself.
   */
  evictNode?(node: string): Promise<string[]>;
  /**
   * Removes the containers on the node whose pods the manager no longer keeps there (an evicted
   * node that answers again). Returns the pods removed (`namespace/name`).
   */
  removeStale?(node: string): Promise<string[]>;
  /**
   * Argo CD's `selfHeal` for one application (off until set). Off: drift is only reported. On: a
   * drifted pod whose owner is not a Deployment is replaced (one pod per owner at a time, the next
   * once it is Ready again), a container with this installation's labels that is no pod's is
   * removed, a foreign container holding a pod's or Service's alias leaves the namespace network.
   * A Deployment's drifted pods are left to its rollout (it treats them as outdated).
   */
  setSelfHeal(app: string, on: boolean): void;
  /**
   * Containers that are no pod's but carry this installation's labels, and foreign containers
   * holding a pod's or Service's alias on a namespace network, as of the last resync; for one
   * application (strays by their application label, foreign containers by the applications with
   * pods in the namespace) or all.
   */
  strays(app?: string): DriftItem[];
  /** The Service names of a namespace (the Service controller's hook): a foreign container answering to one is drift. */
  setServiceNames?(namespace: string, names: string[]): void;
  /** Subscribes to engine events, resyncs once, starts the periodic resync. */
  start(): Promise<void>;
  /** Stops probes, timers and event streams; containers keep running. */
  stop(): Promise<void>;
}
