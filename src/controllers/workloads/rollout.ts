/**
 * One step of a Deployment rollout, as a pure function of what runs now: Kubernetes'
 * deployment controller semantics (RollingUpdate with maxSurge/maxUnavailable, Recreate,
 * minReadySeconds, progressDeadlineSeconds, paused), expressed over revision sets of pods.
 * The caller creates and deletes what the step says and calls again when anything changes.
 */

/**
 * When a pod that is being stopped stops counting (Kubernetes' Deployment `podReplacementPolicy`).
 * `TerminationStarted`, Kubernetes' default for RollingUpdate: a terminating pod no longer counts
 * against replicas + maxSurge, so its replacement starts while it shuts down, and a rollout whose
 * last old pods are shutting down is complete. `TerminationComplete`: it counts until its container
 * is gone, so the engine never holds more than replicas + maxSurge containers; Capstan's default.
 */
export type PodReplacementPolicy = "TerminationStarted" | "TerminationComplete";

export const DEFAULT_POD_REPLACEMENT_POLICY: PodReplacementPolicy = "TerminationComplete";

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed";

/** A pod as the rollout sees it. */
export interface RolloutPod {
  name: string;
  revision: string;
  phase: PodPhase;
  ready: boolean;
  /** When it last became ready (ms since the epoch); needed for minReadySeconds. */
  readySince?: number;
  /** Being stopped: still a container, no longer counted as wanted. */
  terminating?: boolean;
  /** Why it is not running well: `CrashLoopBackOff`, `ImagePullBackOff`, `ErrImagePull`, … */
  reason?: string;
  createdAt: number;
}

export interface RolloutStrategy {
  type: "RollingUpdate" | "Recreate";
  maxSurge?: number | string;
  maxUnavailable?: number | string;
}

/** Progress so far, kept by the caller between steps (a fresh record after a restart is fine). */
export interface RolloutProgress {
  /** When the rollout last moved forward (ms). */
  at: number;
  /** The revision the counts are about: a new revision starts its own deadline (Kubernetes' NewReplicaSetCreated). */
  revision?: string;
  newPods: number;
  newAvailable: number;
  oldPods: number;
  /** Set once the revision was fully rolled out: a pod failing later degrades it but never times it out. */
  completedRevision?: string;
}

export interface RolloutState {
  replicas: number;
  strategy: RolloutStrategy;
  minReadySeconds: number;
  progressDeadlineSeconds: number;
  paused: boolean;
  /** Default `TerminationComplete`. */
  podReplacementPolicy?: PodReplacementPolicy;
  /** The revision the template asks for now. */
  revision: string;
  pods: RolloutPod[];
  now: number;
  progress?: RolloutProgress;
}

export type RolloutAction =
  | { type: "create"; revision: string; count: number }
  | { type: "delete"; pods: string[]; reason: string };

export type RolloutPhase = "Progressing" | "Complete" | "Failed" | "Paused";

export interface RolloutStatus {
  replicas: number;
  updated: number;
  ready: number;
  available: number;
  unavailable: number;
  old: number;
}

export interface RolloutResult {
  actions: RolloutAction[];
  phase: RolloutPhase;
  /** `NewReplicaSetAvailable`, `ProgressDeadlineExceeded`, `DeploymentPaused`, `ReplicaSetUpdated`, … */
  reason: string;
  message: string;
  status: RolloutStatus;
  progress: RolloutProgress;
  /** When to look again even if nothing happens (minReadySeconds or the deadline falling due). */
  requeueAfterMs?: number;
}

/** An int-or-percent against `total`: percentages round up (surge) or down (unavailable). */
export function resolveIntOrPercent(value: number | string | undefined, total: number, roundUp: boolean, fallback: number | string): number {
  const v = value ?? fallback;
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(v.trim());
  if (!m) {
    const n = Number.parseInt(v, 10);
    return Number.isFinite(n) ? n : 0;
  }
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** maxSurge and maxUnavailable as pod counts; both 0 would never progress, so unavailable becomes 1. */
export function surgeAndUnavailable(replicas: number, strategy: RolloutStrategy): { surge: number; unavailable: number } {
  if (strategy.type === "Recreate") return { surge: 0, unavailable: replicas };
  const surge = resolveIntOrPercent(strategy.maxSurge, replicas, true, "25%");
  let unavailable = resolveIntOrPercent(strategy.maxUnavailable, replicas, false, "25%");
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable: Math.min(unavailable, replicas) };
}

export function isAvailable(pod: RolloutPod, minReadySeconds: number, now: number): boolean {
  if (pod.terminating || !pod.ready || pod.phase !== "Running") return false;
  if (minReadySeconds <= 0) return true;
  return pod.readySince !== undefined && now - pod.readySince >= minReadySeconds * 1000;
}

/** Kubernetes' order for removing pods: not yet running, then not ready, then the newest. */
function deletionRank(a: RolloutPod, b: RolloutPod): number {
  const rank = (p: RolloutPod) => (p.phase !== "Running" ? 0 : !p.ready ? 1 : 2);
  return rank(a) - rank(b) || b.createdAt - a.createdAt || (a.name < b.name ? -1 : 1);
}

const FAILING_REASONS = new Set(["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerError", "InvalidImageName"]);

export function rolloutStep(state: RolloutState): RolloutResult {
  const { replicas, now, minReadySeconds } = state;
  const live = state.pods.filter((p) => !p.terminating);
  const terminating = state.pods.filter((p) => p.terminating);
  const newPods = live.filter((p) => p.revision === state.revision);
  const oldPods = live.filter((p) => p.revision !== state.revision);
  const avail = (p: RolloutPod) => isAvailable(p, minReadySeconds, now);
  const newAvailable = newPods.filter(avail).length;
  const status: RolloutStatus = {
    replicas: live.length,
    updated: newPods.length,
    ready: live.filter((p) => p.ready && p.phase === "Running").length,
    available: live.filter(avail).length,
    unavailable: Math.max(0, replicas - live.filter(avail).length),
    old: oldPods.length + terminating.filter((p) => p.revision !== state.revision).length,
  };

  const prev = state.progress && (state.progress.revision === undefined || state.progress.revision === state.revision) ? state.progress : undefined;
  const moved =
    !prev || newPods.length > prev.newPods || newAvailable > prev.newAvailable || status.old < prev.oldPods;
  const terminationStarted = (state.podReplacementPolicy ?? DEFAULT_POD_REPLACEMENT_POLICY) === "TerminationStarted";
  // Under TerminationStarted a pod being stopped is already gone as far as the rollout is concerned.
  const complete = newPods.length === replicas && newAvailable === replicas && oldPods.length === 0 && (terminationStarted || terminating.length === 0);
  const completedRevision = complete ? state.revision : state.progress?.completedRevision;
  const progress: RolloutProgress =
    !prev || moved || complete
      ? { at: now, revision: state.revision, newPods: newPods.length, newAvailable, oldPods: status.old }
      : { ...prev, revision: state.revision, newPods: Math.max(prev.newPods, newPods.length), newAvailable: Math.max(prev.newAvailable, newAvailable) };
  if (completedRevision !== undefined) progress.completedRevision = completedRevision;
  else delete progress.completedRevision;
  const result = (actions: RolloutAction[], phase: RolloutPhase, reason: string, message: string, requeueAfterMs?: number): RolloutResult => {
    const r: RolloutResult = { actions, phase, reason, message, status, progress };
    if (requeueAfterMs !== undefined) r.requeueAfterMs = Math.max(0, requeueAfterMs);
    return r;
  };

  const actions: RolloutAction[] = [];
  const rollingOut = oldPods.length > 0 || status.old > 0;

  if (state.paused) {
    // A paused Deployment still scales its current set, but starts no new revision. Its deadline
    // does not run while paused: on resume the rollout has progressDeadlineSeconds from then.
    progress.at = now;
    if (!rollingOut) actions.push(...scaleSet(newPods, replicas, state.revision, "scaled down"));
    return result(actions, "Paused", "DeploymentPaused", "rollout paused (spec.paused: true)");
  }

  if (complete) return result([], "Complete", "NewReplicaSetAvailable", `${replicas}/${replicas} pods of revision ${state.revision} available`);

  if (state.strategy.type === "Recreate") {
    if (oldPods.length > 0) {
      actions.push({ type: "delete", pods: oldPods.map((p) => p.name).sort(), reason: "Recreate: stopping the old revision before starting the new one" });
    } else if (status.old === 0 || terminationStarted) {
      actions.push(...scaleSet(newPods, replicas, state.revision, "scaled down"));
    }
  } else {
    const { surge, unavailable } = surgeAndUnavailable(replicas, state.strategy);
    // Scale up the new set while the pods that count stay within replicas + surge.
    const total = terminationStarted ? live.length : state.pods.length;
    if (newPods.length > replicas) {
      actions.push(...scaleSet(newPods, replicas, state.revision, "scaled down"));
    } else {
      const room = Math.min(replicas + surge - total, replicas - newPods.length);
      if (room > 0) actions.push({ type: "create", revision: state.revision, count: room });
    }
    // Scale down old sets while availability stays at or above replicas - unavailable.
    const minAvailable = replicas - unavailable;
    const newUnavailable = newPods.filter((p) => !avail(p)).length;
    let budget = live.length - minAvailable - newUnavailable;
    if (budget > 0 && oldPods.length > 0) {
      const unhealthy = oldPods.filter((p) => !avail(p)).sort(deletionRank).slice(0, budget);
      budget -= unhealthy.length;
      const availableNow = live.filter(avail).length;
      const healthyDown = Math.max(0, Math.min(budget, availableNow - minAvailable));
      const healthy = oldPods.filter(avail).sort(deletionRank).slice(0, healthyDown);
      const doomed = [...unhealthy, ...healthy];
      if (doomed.length > 0) actions.push({ type: "delete", pods: doomed.map((p) => p.name), reason: "replaced by the new revision" });
    }
  }

  // Deadline: no progress for progressDeadlineSeconds fails the rollout (it keeps trying, as Kubernetes does).
  const deadlineMs = state.progressDeadlineSeconds * 1000;
  const idle = now - progress.at;
  const settled = progress.completedRevision === state.revision;
  if (idle >= deadlineMs && !settled) {
    const stuck = newPods.find((p) => p.reason && FAILING_REASONS.has(p.reason));
    const why = stuck ? ` (pod ${stuck.name}: ${stuck.reason})` : "";
    return result(
      actions,
      "Failed",
      "ProgressDeadlineExceeded",
      `revision ${state.revision} made no progress for ${state.progressDeadlineSeconds}s${why}: ${newAvailable}/${replicas} new pods available`,
    );
  }
  const waitingMinReady = minReadySeconds > 0 ? nextAvailableAt(newPods, minReadySeconds, now) : undefined;
  const wake = Math.min(settled ? Number.POSITIVE_INFINITY : deadlineMs - idle, waitingMinReady !== undefined ? waitingMinReady - now : Number.POSITIVE_INFINITY);
  const reason = actions.length > 0 ? "ReplicaSetUpdated" : "ReplicaSetProgressing";
  const message = `${newAvailable}/${replicas} pods of revision ${state.revision} available, ${status.old} old`;
  return result(actions, "Progressing", reason, message, Number.isFinite(wake) ? wake : undefined);
}

function nextAvailableAt(pods: RolloutPod[], minReadySeconds: number, now: number): number | undefined {
  let at: number | undefined;
  for (const p of pods) {
    if (p.ready && p.readySince !== undefined) {
      const t = p.readySince + minReadySeconds * 1000;
      if (t > now && (at === undefined || t < at)) at = t;
    }
  }
  return at;
}

/** Brings one set to `replicas`: create the missing pods or delete the worst extra ones. */
function scaleSet(pods: RolloutPod[], replicas: number, revision: string, reason: string): RolloutAction[] {
  if (pods.length < replicas) return [{ type: "create", revision, count: replicas - pods.length }];
  if (pods.length > replicas) return [{ type: "delete", pods: [...pods].sort(deletionRank).slice(0, pods.length - replicas).map((p) => p.name), reason }];
  return [];
}
