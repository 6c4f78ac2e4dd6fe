import type { Deployment } from "../../manifest/index.js";
import type { Clock } from "../clock.js";
import type { Health } from "../health.js";
import type { PodManager, PodStatus } from "../pods/types.js";
import { podIntent } from "./intent.js";
import { freePodNames, podTemplateHash } from "./revision.js";
import { DEFAULT_POD_REPLACEMENT_POLICY, rolloutStep } from "./rollout.js";
import type { PodReplacementPolicy, RolloutPod, RolloutProgress, RolloutResult } from "./rollout.js";
import type { WorkloadReport, WorkloadTarget } from "./types.js";

const POD_TROUBLE = ["ImagePullBackOff", "CrashLoopBackOff", "CreateContainerConfigError", "Unschedulable", "Unsupported"];

export function toRolloutPod(p: PodStatus, deleting: ReadonlySet<string>): RolloutPod {
  const pod: RolloutPod = {
    name: p.name,
    revision: p.revision,
    phase: p.phase,
    ready: p.ready,
    createdAt: p.createdAt,
    terminating: p.terminating || deleting.has(`${p.namespace}/${p.name}`),
  };
  if (p.readySince !== null) pod.readySince = p.readySince;
  if (p.reason) pod.reason = p.reason;
  return pod;
}

/** Argo CD's Deployment health over one rollout step: Suspended when paused, Degraded when failed. */
export function deploymentHealth(step: RolloutResult, pods: readonly RolloutPod[], revision: string): Health {
  if (step.phase === "Paused") return { status: "Suspended", message: step.message };
  const trouble = pods.find((p) => p.revision === revision && !p.terminating && p.reason && POD_TROUBLE.includes(p.reason));
  const why = trouble ? `${trouble.reason}: pod ${trouble.name}` : undefined;
  if (step.phase === "Failed") return { status: "Degraded", message: `${step.reason}: ${step.message}` };
  if (step.phase === "Complete") return { status: "Healthy", message: step.message };
  if (why && step.progress.completedRevision === revision) return { status: "Degraded", message: why };
  return { status: "Progressing", message: why ? `${step.message} (${why})` : step.message };
}

export interface DeploymentControllerOptions {
  /** When a replacement may start while the pod it replaces is stopping; default `TerminationComplete`. */
  podReplacementPolicy?: PodReplacementPolicy;
}

/**
 * Keeps a Deployment's pods at its template: one rollout step per reconcile. Pods are found by
 * their labels, so a new controller over the same engine picks up a rollout where it stopped;
 * deterministic pod names make a repeated create a no-op.
 */
export class DeploymentController {
  private readonly progress = new Map<string, RolloutProgress>();
  private readonly deleting = new Set<string>();

  constructor(
    private readonly pods: PodManager,
    private readonly clock: Clock,
    /** Told when a pod delete started in the background finishes (or fails), so the owner is looked at again. */
    private readonly onDeleted: (namespace: string, pod: string, error?: unknown) => void = () => {},
    private readonly options: DeploymentControllerOptions = {},
  ) {}

  private key(app: string, namespace: string, name: string): string {
    return `${app}/${namespace}/Deployment/${name}`;
  }

  async reconcile(target: WorkloadTarget<Deployment>): Promise<WorkloadReport> {
    const d = target.object;
    const name = d.metadata.name;
    const { namespace, app } = target;
    const key = this.key(app, namespace, name);
    const revision = podTemplateHash(d.spec.template, target.config);
    const now = this.clock.now();
    const live = this.pods.list({ app, namespace, ownerKind: "Deployment", ownerName: name });
    const intentFor = (podName: string) =>
      podIntent({ name: podName, app, namespace, ownerKind: "Deployment", ownerName: name, revision, commit: target.commit, template: d.spec.template, config: target.config });

    // Pods of the current revision found on the engine (after a restart) are declared again so they are kept.
    await Promise.all(live.filter((p) => p.adopted && p.revision === revision && !p.terminating).map((p) => this.pods.create(intentFor(p.name))));

    const pods = live.map((p) => toRolloutPod(p, this.deleting));
    const strategy = d.spec.strategy ?? {};
    const ru = strategy.rollingUpdate ?? {};
    const prev = this.progress.get(key);
    const step = rolloutStep({
      replicas: d.spec.replicas ?? 1,
      strategy: {
        type: strategy.type ?? "RollingUpdate",
        ...(ru.maxSurge !== undefined ? { maxSurge: ru.maxSurge } : {}),
        ...(ru.maxUnavailable !== undefined ? { maxUnavailable: ru.maxUnavailable } : {}),
      },
      minReadySeconds: d.spec.minReadySeconds ?? 0,
      progressDeadlineSeconds: d.spec.progressDeadlineSeconds ?? 600,
      paused: d.spec.paused ?? false,
      podReplacementPolicy: this.options.podReplacementPolicy ?? DEFAULT_POD_REPLACEMENT_POLICY,
      revision,
      pods,
      now,
      ...(prev ? { progress: prev } : {}),
    });
    this.progress.set(key, step.progress);

    for (const action of step.actions) {
      if (action.type === "delete") {
        for (const pod of action.pods) this.deleteInBackground(namespace, pod);
      }
    }
    const creates = step.actions.filter((a) => a.type === "create");
    for (const action of creates) {
      const names = freePodNames(name, revision, live.map((p) => p.name), action.count, namespace);
      await Promise.all(names.map((n) => this.pods.create(intentFor(n))));
    }

    const report: WorkloadReport = {
      kind: "Deployment",
      name,
      namespace,
      health: deploymentHealth(step, pods, revision),
      phase: step.phase,
      revision,
    };
    if (step.phase === "Failed") report.failure = { reason: step.reason, message: step.message };
    if (step.requeueAfterMs !== undefined) report.requeueAfterMs = step.requeueAfterMs;
    return report;
  }

  private deleteInBackground(namespace: string, pod: string): void {
    const id = `${namespace}/${pod}`;
    if (this.deleting.has(id)) return;
    this.deleting.add(id);
    this.pods.delete(namespace, pod).then(
      () => {
        this.deleting.delete(id);
        this.onDeleted(namespace, pod);
      },
      (err: unknown) => {
        this.deleting.delete(id);
        this.onDeleted(namespace, pod, err);
      },
    );
  }

  /** Deletes every pod of the Deployment; resolves when they are gone. */
  async remove(app: string, namespace: string, name: string): Promise<void> {
    this.progress.delete(this.key(app, namespace, name));
    const live = this.pods.list({ app, namespace, ownerKind: "Deployment", ownerName: name });
    await Promise.all(live.map((p) => this.pods.delete(namespace, p.name)));
  }

  /** Forgets rollout progress, e.g. before re-applying an older revision. */
  resetProgress(app: string, namespace: string, name: string): void {
    this.progress.delete(this.key(app, namespace, name));
  }

  /** Deletes started in the background and not yet finished. */
  pendingDeletes(): number {
    return this.deleting.size;
  }
}
