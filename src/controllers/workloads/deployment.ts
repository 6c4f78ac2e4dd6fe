import { deploymentHealth, isPodTrouble } from "../../health/index.js";
import type { DeploymentLiveStatus, PodTrouble } from "../../health/index.js";
import type { Deployment } from "../../manifest/index.js";
import type { Clock } from "../clock.js";
import type { PodManager, PodStatus } from "../pods/types.js";
import { podIntent } from "./intent.js";
import { countReplicas } from "./replicas.js";
import { freePodNames, podTemplateHash } from "./revision.js";
import { DEFAULT_POD_REPLACEMENT_POLICY, isAvailable, rolloutStep } from "./rollout.js";
import type { PodReplacementPolicy, RolloutPod, RolloutProgress, RolloutResult } from "./rollout.js";
import type { WorkloadReplicas, WorkloadReport, WorkloadTarget } from "./types.js";

/** The revision a drifted pod has in the rollout under selfHeal: one the template no longer asks for, so it is replaced. */
export function driftedRevision(revision: string): string {
  return `${revision}:drifted`;
}

/** Whether the pod manager saw the pod's container differ from its intent; a status without the field has none. */
function hasDrift(p: PodStatus): boolean {
  const drift: unknown = "drift" in p ? p.drift : undefined;
  return Array.isArray(drift) && drift.length > 0;
}

/** A pod as the rollout sees it; with `selfHeal`, a drifted pod counts as one of an older revision. */
export function toRolloutPod(p: PodStatus, deleting: ReadonlySet<string>, selfHeal = false): RolloutPod {
  const pod: RolloutPod = {
    name: p.name,
    revision: selfHeal && hasDrift(p) ? driftedRevision(p.revision) : p.revision,
    phase: p.phase,
    ready: p.ready,
    createdAt: p.createdAt,
    terminating: p.terminating || deleting.has(`${p.namespace}/${p.name}`),
  };
  if (p.readySince !== null) pod.readySince = p.readySince;
  if (p.reason) pod.reason = p.reason;
  return pod;
}

/** What a Deployment's live status needs besides its pods. */
export interface DeploymentStatusInput {
  replicas: number;
  revision: string;
  minReadySeconds: number;
  progressDeadlineSeconds: number;
  paused: boolean;
  podReplacementPolicy: PodReplacementPolicy;
  now: number;
  /** The rollout step just taken: its deadline verdict and whether the revision was rolled out in full. */
  step: RolloutResult;
}

/** A Deployment's Kubernetes-like status and replica counts, from its pods as the rollout sees them. */
export function deploymentLiveStatus(pods: readonly RolloutPod[], input: DeploymentStatusInput): { status: DeploymentLiveStatus; replicas: WorkloadReplicas } {
  const { revision, now, minReadySeconds } = input;
  const available = (p: RolloutPod) => isAvailable(p, minReadySeconds, now);
  const replicas = countReplicas(
    input.replicas,
    revision,
    pods.map((p) => ({ revision: p.revision, phase: p.phase, ready: p.ready, terminating: p.terminating ?? false, available: available(p) })),
  );
  const troubledPods: PodTrouble[] = pods
    .filter((p) => p.revision === revision && !p.terminating && !available(p) && isPodTrouble(p.reason))
    .map((p) => ({ name: p.name, reason: p.reason ?? "" }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  // Under TerminationStarted a pod being stopped no longer counts, as for the rollout itself.
  const waitsForStopped = input.podReplacementPolicy === "TerminationComplete";
  const status: DeploymentLiveStatus = {
    replicas: input.replicas,
    updatedReplicas: replicas.updated,
    readyReplicas: replicas.ready,
    availableReplicas: replicas.available,
    totalReplicas: replicas.current,
    terminatingReplicas: waitsForStopped ? pods.filter((p) => p.terminating).length : 0,
    paused: input.paused,
    progressDeadlineExceeded: input.step.phase === "Failed" && input.step.reason === "ProgressDeadlineExceeded",
    rolledOut: input.step.progress.completedRevision === revision,
    troubledPods,
    revision,
    progressDeadlineSeconds: input.progressDeadlineSeconds,
  };
  return { status, replicas };
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
  /** Names of pods of the current revision replaced because they drifted: their replacements get other names. */
  private readonly retired = new Map<string, { revision: string; names: Set<string> }>();

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

    const pods = live.map((p) => toRolloutPod(p, this.deleting, target.selfHeal ?? false));
    const strategy = d.spec.strategy ?? {};
    const ru = strategy.rollingUpdate ?? {};
    const prev = this.progress.get(key);
    const replicas = d.spec.replicas ?? 1;
    const minReadySeconds = d.spec.minReadySeconds ?? 0;
    const progressDeadlineSeconds = d.spec.progressDeadlineSeconds ?? 600;
    const paused = d.spec.paused ?? false;
    const podReplacementPolicy = this.options.podReplacementPolicy ?? DEFAULT_POD_REPLACEMENT_POLICY;
    const step = rolloutStep({
      replicas,
      strategy: {
        type: strategy.type ?? "RollingUpdate",
        ...(ru.maxSurge !== undefined ? { maxSurge: ru.maxSurge } : {}),
        ...(ru.maxUnavailable !== undefined ? { maxUnavailable: ru.maxUnavailable } : {}),
      },
      minReadySeconds,
      progressDeadlineSeconds,
      paused,
      podReplacementPolicy,
      revision,
      pods,
      now,
      ...(prev ? { progress: prev } : {}),
    });
    this.progress.set(key, step.progress);

    const kept = this.retired.get(key);
    const retired = kept?.revision === revision ? kept.names : new Set<string>();
    this.retired.set(key, { revision, names: retired });
    const drifted = new Set(pods.filter((p) => p.revision === driftedRevision(revision)).map((p) => p.name));
    for (const action of step.actions) {
      if (action.type === "delete") {
        for (const pod of action.pods) {
          if (drifted.has(pod)) retired.add(pod);
          this.deleteInBackground(namespace, pod);
        }
      }
    }
    const creates = step.actions.filter((a) => a.type === "create");
    for (const action of creates) {
      // A drifted pod's name is not used again: its replacement is a new pod, not the old one back.
      const names = freePodNames(name, revision, [...live.map((p) => p.name), ...retired], action.count, namespace);
      await Promise.all(names.map((n) => this.pods.create(intentFor(n))));
    }

    // Health and counts are of the pods found at the start of this step: the next pod change looks again.
    const observed = deploymentLiveStatus(pods, { replicas, revision, minReadySeconds, progressDeadlineSeconds, paused, podReplacementPolicy, now, step });
    const report: WorkloadReport = {
      kind: "Deployment",
      name,
      namespace,
      health: deploymentHealth(observed.status),
      phase: step.phase,
      revision,
      replicas: observed.replicas,
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
    this.retired.delete(this.key(app, namespace, name));
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
