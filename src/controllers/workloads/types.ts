import type { Health } from "../../health/index.js";
import type { ConfigContent } from "./revision.js";

/** What a workload controller is asked to converge: one desired object of one application at one commit. */
export interface WorkloadTarget<T> {
  app: string;
  commit: string;
  /** The object's namespace (metadata.namespace or the application's). */
  namespace: string;
  object: T;
  /** ConfigMaps and Secrets of the object's namespace, for revisions and pod intents. */
  config: ConfigContent;
  /**
   * The Application's `syncPolicy.automated.selfHeal`: a pod whose container drifted from its intent
   * is replaced like one of an older revision, within the rollout's surge and unavailability budget.
   */
  selfHeal?: boolean;
}

/** A workload's pods counted from what runs now, for views ("2/3 ready" during a rollout). */
export interface WorkloadReplicas {
  /** Pods the spec asks for (replicas; eligible nodes for a DaemonSet). */
  desired: number;
  /** Live pods not being stopped, of any revision. */
  current: number;
  /** Of `current`, pods of the current revision (a drifted pod under selfHeal is not). */
  updated: number;
  /** Of `current`, pods Running and ready. */
  ready: number;
  /** Of `current`, pods ready for at least minReadySeconds. */
  available: number;
}

/** One step's outcome, for the applier: health with its reason, and when to look again. */
export interface WorkloadReport {
  kind: string;
  name: string;
  namespace: string;
  health: Health;
  /** Kind-specific phase: `Progressing`, `Complete`, `Failed`, `Paused`, `Running`, `Suspended`, `Scheduled`. */
  phase: string;
  /** Set when the workload failed for good (a rollout past its deadline, a Job over its backoff limit). */
  failure?: { reason: string; message: string };
  revision?: string;
  /** Pod counts from live pods; absent for kinds whose pods are runs, not replicas (Job, CronJob). */
  replicas?: WorkloadReplicas;
  requeueAfterMs?: number;
}
