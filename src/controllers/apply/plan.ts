import { deepEqual } from "../../diff/index.js";
import type { Problem, Result } from "../../errors.js";
import { manifestKey } from "../../manifest/index.js";
import type { ConfigMap, ManifestObject, PodTemplate, Secret } from "../../manifest/index.js";
import { podTemplateHash } from "../workloads/revision.js";
import type { ConfigContent } from "../workloads/revision.js";
import { checkPodSecurity, DEFAULT_POD_SECURITY } from "../../security/pod-security/index.js";
import type { PodSecurityPolicy } from "../../security/pod-security/index.js";
import { applyOrder, pruneOrder, syncWave } from "./waves.js";

/** An object as found on the engine (containers, volumes, generated files), with what Capstan last applied for it. */
export interface LiveObject {
  key: string;
  kind: string;
  name: string;
  namespace: string;
  /** The object as last applied, when the desired store has it. */
  object?: Record<string, unknown>;
  /** Carries Capstan's labels for this application: Capstan made it and may prune it. */
  owned: boolean;
  /** Workloads: running pods per revision. */
  revisions?: Record<string, number>;
}

export type TaskAction = "create" | "update" | "unchanged" | "prune" | "orphan";

export interface SyncTask {
  action: TaskAction;
  key: string;
  kind: string;
  name: string;
  namespace: string;
  wave: number;
  /** The desired object (absent for prune and orphan). */
  object?: ManifestObject;
  live?: LiveObject;
  /** Workloads: the revision the desired template hashes to. */
  revision?: string;
  file?: string;
  /** Why an object is kept although Git dropped it, or why an unchanged-looking object is updated. */
  reason?: string;
}

export interface PlanPolicy {
  /** Namespace for objects that name none. */
  namespace: string;
  /** Delete owned objects Git no longer declares (syncPolicy.automated.prune, or `--prune`). */
  prune: boolean;
  /** The project's Pod Security level and exceptions, from the operator's config (default: baseline, none). */
  podSecurity?: PodSecurityPolicy;
  /** Repository-relative source file per object key, for messages. */
  files?: ReadonlyMap<string, string>;
}

export function podTemplateOf(obj: ManifestObject): PodTemplate | undefined {
  switch (obj.kind) {
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "Job":
      return obj.spec.template;
    case "CronJob":
      return obj.spec.jobTemplate.spec.template;
    default:
      return undefined;
  }
}

/** The ConfigMaps and Secrets of one namespace among `objects`, for revision hashes and pod intents. */
export function configContent(objects: readonly ManifestObject[], namespace: string, defaultNamespace: string): ConfigContent {
  const configMaps = new Map<string, ConfigMap>();
  const secrets = new Map<string, Secret>();
  for (const o of objects) {
    if ((o.metadata.namespace || defaultNamespace) !== namespace) continue;
    if (o.kind === "ConfigMap") configMaps.set(o.metadata.name, o);
    if (o.kind === "Secret") secrets.set(o.metadata.name, o);
  }
  return { configMaps, secrets };
}

/** The revision a workload's template hashes to with the configuration it reads. */
export function workloadRevision(obj: ManifestObject, all: readonly ManifestObject[], defaultNamespace: string): string | undefined {
  const template = podTemplateOf(obj);
  if (!template) return undefined;
  return podTemplateHash(template, configContent(all, obj.metadata.namespace || defaultNamespace, defaultNamespace));
}

/**
 * Pairs desired objects with live ones by key (gitops-engine's shape: no live → create, no
 * desired → prune) and orders the tasks by sync wave and kind. Refuses, all at once, pods the
 * project's Pod Security level forbids and sync waves that are not integers. Pure.
 */
export function planSync(desired: readonly ManifestObject[], live: readonly LiveObject[], policy: PlanPolicy): Result<SyncTask[]> {
  const problems: Problem[] = [];
  const fileOf = (key: string) => policy.files?.get(key);
  const subjects = desired.map((object) => {
    const file = fileOf(manifestKey(object, policy.namespace));
    return file ? { object, file } : { object };
  });
  problems.push(...checkPodSecurity(subjects, policy.podSecurity ?? DEFAULT_POD_SECURITY));

  const liveByKey = new Map(live.map((l) => [l.key, l]));
  const seen = new Set<string>();
  const apply: SyncTask[] = [];
  for (const object of desired) {
    const key = manifestKey(object, policy.namespace);
    const file = fileOf(key);
    const w = syncWave(object);
    if ("problem" in w) {
      problems.push({ ...(file ? { file } : {}), ...w.problem });
      continue;
    }
    seen.add(key);
    const current = liveByKey.get(key);
    const task: SyncTask = {
      action: "create",
      key,
      kind: object.kind,
      name: object.metadata.name,
      namespace: object.metadata.namespace || policy.namespace,
      wave: w.wave,
      object,
    };
    if (file) task.file = file;
    const revision = workloadRevision(object, desired, policy.namespace);
    if (revision) task.revision = revision;
    if (current) {
      task.live = current;
      const sameObject = current.object !== undefined && deepEqual(current.object, object);
      const revisions = Object.keys(current.revisions ?? {});
      const drifted = object.kind === "Deployment" && revision !== undefined && current.revisions !== undefined && (revisions.length !== 1 || revisions[0] !== revision);
      task.action = sameObject && !drifted ? "unchanged" : "update";
      if (sameObject && drifted) task.reason = `pods run revision ${revisions.join(", ") || "none"}, the template hashes to ${revision}`;
    }
    apply.push(task);
  }
  if (problems.length > 0) return { ok: false, errors: problems };

  const removals: SyncTask[] = [];
  for (const l of live) {
    if (seen.has(l.key)) continue;
    const task: SyncTask = { action: "prune", key: l.key, kind: l.kind, name: l.name, namespace: l.namespace, wave: waveOfLive(l), live: l };
    if (!l.owned) {
      task.action = "orphan";
      task.reason = "not made by Capstan for this application: left alone";
    } else if (!policy.prune) {
      task.action = "orphan";
      task.reason = "no longer in Git; pruning is off (enable syncPolicy.automated.prune or pass --prune)";
    }
    removals.push(task);
  }
  apply.sort(applyOrder);
  removals.sort(pruneOrder);
  return { ok: true, value: [...apply, ...removals] };
}

function waveOfLive(l: LiveObject): number {
  const annotations = (l.object?.["metadata"] as { annotations?: Record<string, string> } | undefined)?.annotations;
  const w = syncWave({ kind: l.kind, metadata: { name: l.name, ...(annotations ? { annotations } : {}) } });
  return "wave" in w ? w.wave : 0;
}

/** True when applying the plan changes anything. */
export function planHasChanges(tasks: readonly SyncTask[]): boolean {
  return tasks.some((t) => t.action === "create" || t.action === "update" || t.action === "prune");
}
