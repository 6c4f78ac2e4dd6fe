import type { Problem } from "../../errors.js";

/**
 * Argo CD's sync waves under Capstan's name: the `capstan.dev/sync-wave` annotation (an integer,
 * default 0). Lower waves go first; within a wave, configuration before workloads before Services.
 */
export const SYNC_WAVE_ANNOTATION = "capstan.dev/sync-wave";

export const KIND_ORDER = [
  "ConfigMap",
  "Secret",
  "PersistentVolumeClaim",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "Job",
  "CronJob",
  "Service",
] as const;

export function kindRank(kind: string): number {
  const i = (KIND_ORDER as readonly string[]).indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

/** The object's wave, or a Problem naming the annotation when it is not an integer. */
export function syncWave(obj: { kind: string; metadata: { name: string; annotations?: Record<string, string> } }): { wave: number } | { problem: Problem } {
  const raw = obj.metadata.annotations?.[SYNC_WAVE_ANNOTATION];
  if (raw === undefined) return { wave: 0 };
  if (!/^\s*[-+]?\d+\s*$/.test(raw)) {
    return {
      problem: {
        field: `metadata.annotations["${SYNC_WAVE_ANNOTATION}"]`,
        message: `${obj.kind} ${obj.metadata.name}: sync wave "${raw}" is not an integer (write a whole number such as "-1" or "2")`,
      },
    };
  }
  return { wave: Number.parseInt(raw, 10) };
}

export interface Ordered {
  wave: number;
  kind: string;
  name: string;
  namespace: string;
}

/** Wave, then kind order, then namespace and name: the order objects are applied in. */
export function applyOrder(a: Ordered, b: Ordered): number {
  return a.wave - b.wave || kindRank(a.kind) - kindRank(b.kind) || cmp(a.namespace, b.namespace) || cmp(a.name, b.name);
}

/** Pruning runs backwards: highest wave first, Services before workloads before configuration. */
export function pruneOrder(a: Ordered, b: Ordered): number {
  return b.wave - a.wave || kindRank(b.kind) - kindRank(a.kind) || cmp(a.namespace, b.namespace) || cmp(a.name, b.name);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
