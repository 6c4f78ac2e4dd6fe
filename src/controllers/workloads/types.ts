import type { Health } from "../health.js";
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
  requeueAfterMs?: number;
}
