import { freePodNames } from "./revision.js";
import { rolloutStep } from "./rollout.js";
import type { RolloutPod, RolloutStrategy } from "./rollout.js";

/** One batch of a previewed rollout: pods started and pods stopped together. */
export interface RolloutBatch {
  create: string[];
  delete: string[];
  /** Where each created pod would go (node name, or `Pending: <why>`), when a placer was given. */
  nodes?: Record<string, string>;
}

/**
 * Chooses nodes for the preview: `place` is asked for each new pod in the order the rollout
 * starts them (and counts it from then on), `remove` is told of each pod the rollout stops.
 */
export interface PreviewPlacer {
  place(pod: string): string;
  remove(pod: string): void;
}

/**
 * The batches a rollout would go through if every new pod became ready at once: what
 * `capstan plan` shows as "which pods are replaced, in which order". Runs the real
 * `rolloutStep`, so the preview and the rollout cannot disagree on the rules.
 */
export function previewRollout(input: {
  owner: string;
  namespace?: string;
  replicas: number;
  strategy: RolloutStrategy;
  revision: string;
  current: { name: string; revision: string }[];
  placer?: PreviewPlacer;
}): RolloutBatch[] {
  let pods: RolloutPod[] = input.current.map((p, i) => ({ name: p.name, revision: p.revision, phase: "Running", ready: true, readySince: 0, createdAt: i }));
  const batches: RolloutBatch[] = [];
  let now = 1;
  for (let i = 0; i < 1000; i++) {
    const step = rolloutStep({
      replicas: input.replicas,
      strategy: input.strategy,
      minReadySeconds: 0,
      progressDeadlineSeconds: 600,
      paused: false,
      revision: input.revision,
      pods,
      now,
    });
    if (step.actions.length === 0) break;
    const batch: RolloutBatch = { create: [], delete: [] };
    for (const a of step.actions) {
      if (a.type === "delete") {
        batch.delete.push(...a.pods);
        pods = pods.filter((p) => !a.pods.includes(p.name));
        for (const p of a.pods) input.placer?.remove(p);
      } else {
        const names = freePodNames(input.owner, a.revision, pods.map((p) => p.name), a.count, input.namespace ?? "");
        batch.create.push(...names);
        if (input.placer) {
          batch.nodes ??= {};
          for (const n of names) batch.nodes[n] = input.placer.place(n);
        }
        pods = [...pods, ...names.map((name) => ({ name, revision: a.revision, phase: "Running" as const, ready: true, readySince: now, createdAt: now }))];
      }
    }
    batches.push(batch);
    now++;
  }
  return batches;
}
