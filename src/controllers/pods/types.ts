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
  /** Node chosen by the scheduler; default: the manager's first node. */
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

export interface PodStatus {
  name: string;
  namespace: string;
  app: string;
  ownerKind: string;
  ownerName: string;
  revision: string;
  commit: string;
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
  /** Subscribes to engine events, resyncs once, starts the periodic resync. */
  start(): Promise<void>;
  /** Stops probes, timers and event streams; containers keep running. */
  stop(): Promise<void>;
}
