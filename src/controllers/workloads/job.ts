import { jobHealth } from "../../health/index.js";
import type { JobLiveStatus } from "../../health/index.js";
import type { Job } from "../../manifest/index.js";
import type { Clock } from "../clock.js";
import type { PodManager, PodStatus } from "../pods/types.js";
import { podIntent } from "./intent.js";
import { ordinalSuffix, podTemplateHash } from "./revision.js";
import { jobStep } from "./job-step.js";
import type { JobFinished, JobPod, JobResult } from "./job-step.js";
import type { WorkloadReport, WorkloadTarget } from "./types.js";

/** Where a finished Job's outcome is remembered, so a restart does not run it again. */
export interface JobMemory {
  get(key: string): { revision: string; finished: JobFinished } | undefined;
  set(key: string, value: { revision: string; finished: JobFinished } | undefined): void;
}

export function inMemoryJobMemory(): JobMemory {
  const map = new Map<string, { revision: string; finished: JobFinished }>();
  return {
    get: (k) => map.get(k),
    set: (k, v) => void (v ? map.set(k, v) : map.delete(k)),
  };
}

export function toJobPod(p: PodStatus): JobPod {
  const pod: JobPod = { name: p.name, phase: p.phase, restarts: p.restarts, createdAt: p.createdAt };
  if (p.terminating) pod.terminating = true;
  return pod;
}

/** A Job's Kubernetes-like status from one step over its live pods (and its remembered outcome). */
export function jobLiveStatus(step: JobResult, completions: number, suspended: boolean): JobLiveStatus {
  const status: JobLiveStatus = { completions, active: step.active, succeeded: step.succeeded, failed: step.failed, suspended };
  if (step.finished) {
    status.finished = { outcome: step.finished.outcome, message: step.finished.message };
    if (step.finished.reason !== undefined) status.finished.reason = step.finished.reason;
  }
  return status;
}

/** Runs a Job's pods to completion: `<job>-<suffix>` names, one suffix per attempt. */
export class JobController {
  private readonly started = new Map<string, number>();

  constructor(
    private readonly pods: PodManager,
    private readonly clock: Clock,
    private readonly memory: JobMemory = inMemoryJobMemory(),
  ) {}

  private key(app: string, namespace: string, name: string): string {
    return `${app}/${namespace}/Job/${name}`;
  }

  async reconcile(target: WorkloadTarget<Job>): Promise<WorkloadReport & { step: JobResult }> {
    const job = target.object;
    const { app, namespace } = target;
    const name = job.metadata.name;
    const key = this.key(app, namespace, name);
    const revision = podTemplateHash(job.spec.template, target.config);
    const now = this.clock.now();
    let live = this.pods.list({ app, namespace, ownerKind: "Job", ownerName: name });

    // A changed template is a new Job: its old pods go and it runs again.
    const stale = live.filter((p) => p.revision !== revision);
    if (stale.length > 0) {
      await Promise.all(stale.map((p) => this.pods.delete(namespace, p.name)));
      this.memory.set(key, undefined);
      this.started.delete(key);
      live = live.filter((p) => p.revision === revision);
    }
    const remembered = this.memory.get(key);
    const finished = remembered?.revision === revision ? remembered.finished : undefined;
    const startedAt = this.started.get(key) ?? Math.min(now, ...live.map((p) => p.createdAt));
    this.started.set(key, startedAt);

    const spec = job.spec;
    const step = jobStep({
      completions: spec.completions ?? 1,
      parallelism: spec.parallelism ?? 1,
      backoffLimit: spec.backoffLimit ?? 6,
      ...(spec.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: spec.activeDeadlineSeconds } : {}),
      ...(spec.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: spec.ttlSecondsAfterFinished } : {}),
      restartPolicy: spec.template.spec.restartPolicy ?? "Never",
      suspend: spec.suspend ?? false,
      startedAt,
      now,
      pods: live.map(toJobPod),
      ...(finished ? { finished } : {}),
    });
    if (step.finished && !finished) this.memory.set(key, { revision, finished: step.finished });

    for (const a of step.actions) {
      if (a.type === "delete") await Promise.all(a.pods.map((p) => this.pods.delete(namespace, p)));
      if (a.type === "create") {
        const taken = new Set(live.map((p) => p.name));
        const names: string[] = [];
        for (let i = 0; names.length < a.count; i++) {
          const n = `${name}-${ordinalSuffix(`${namespace}/${name}-${revision}`, i)}`;
          if (!taken.has(n)) names.push(n);
        }
        await Promise.all(
          names.map((n) =>
            this.pods.create(
              podIntent({ name: n, app, namespace, ownerKind: "Job", ownerName: name, revision, commit: target.commit, template: spec.template, config: target.config }),
            ),
          ),
        );
      }
    }
    const report: WorkloadReport & { step: JobResult } = { kind: "Job", name, namespace, health: jobHealth(jobLiveStatus(step, spec.completions ?? 1, spec.suspend ?? false)), phase: step.phase, revision, step };
    if (step.phase === "Failed" && step.finished) report.failure = { reason: step.finished.reason ?? "Failed", message: step.finished.message };
    if (step.requeueAfterMs !== undefined) report.requeueAfterMs = step.requeueAfterMs;
    return report;
  }

  /** Deletes every pod of the Job and forgets it. */
  async remove(app: string, namespace: string, name: string): Promise<void> {
    const key = this.key(app, namespace, name);
    this.memory.set(key, undefined);
    this.started.delete(key);
    const live = this.pods.list({ app, namespace, ownerKind: "Job", ownerName: name });
    await Promise.all(live.map((p) => this.pods.delete(namespace, p.name)));
  }
}
