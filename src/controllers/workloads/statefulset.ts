import { statefulSetHealth } from "../../health/index.js";
import type { PodTemplate, StatefulSet } from "../../manifest/index.js";
import type { PodManager, PodStatus } from "../pods/types.js";
import { podIntent } from "./intent.js";
import { countReplicas } from "./replicas.js";
import { podTemplateHash } from "./revision.js";
import type { ConfigContent } from "./revision.js";
import { statefulPodName, statefulSetStep } from "./statefulset-step.js";
import type { StatefulPod, StatefulStep } from "./statefulset-step.js";
import type { WorkloadReport, WorkloadTarget } from "./types.js";

/** `<claim>-<set>-<ordinal>`: the claim one pod of a set keeps across re-creation, as Kubernetes names it. */
export function statefulClaimName(claim: string, set: string, ordinal: number): string {
  return `${claim}-${set}-${ordinal}`;
}

/**
 * The pod template of one ordinal: each volumeClaimTemplate becomes a `persistentVolumeClaim`
 * volume of the same name pointing at the ordinal's own claim (a template volume of that name is
 * replaced, as Kubernetes does), so the pod manager mounts the same Docker volume every time.
 */
export function ordinalTemplate(set: StatefulSet, ordinal: number): PodTemplate {
  const claims = set.spec.volumeClaimTemplates ?? [];
  const template = set.spec.template;
  // A stable network identity, as Kubernetes gives it: the pod's hostname is its name, and with a
  // serviceName it is also known as `<pod>.<serviceName>` in its namespace.
  const identity = { hostname: statefulPodName(set.metadata.name, ordinal), ...(set.spec.serviceName ? { subdomain: set.spec.serviceName } : {}) };
  if (claims.length === 0) return { ...template, spec: { ...template.spec, ...identity } } as PodTemplate;
  const names = new Set(claims.map((c) => c.metadata.name));
  const volumes = [
    ...(template.spec.volumes ?? []).filter((v) => !names.has(v.name)),
    ...claims.map((c) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: statefulClaimName(c.metadata.name, set.metadata.name, ordinal) } })),
  ];
  return { ...template, spec: { ...template.spec, ...identity, volumes } } as PodTemplate;
}

function toStatefulPod(p: PodStatus): StatefulPod {
  const pod: StatefulPod = { name: p.name, revision: p.revision, phase: p.phase, ready: p.ready, terminating: p.terminating };
  if (p.reason) pod.reason = p.reason;
  return pod;
}

/**
 * Keeps a StatefulSet's pods at its template, one `statefulSetStep` per reconcile. The revision is
 * the hash of the set's pod template (without the per-ordinal claim volumes). Templates of revisions
 * seen by this controller are remembered so that an ordinal below the partition is re-created at the
 * revision it ran; after a restart an unknown older revision is re-created at the current one.
 */
export class StatefulSetController {
  private readonly templates = new Map<string, { set: StatefulSet; config: ConfigContent }>();

  constructor(private readonly pods: PodManager) {}

  async reconcile(target: WorkloadTarget<StatefulSet>): Promise<WorkloadReport & { step: StatefulStep }> {
    const set = target.object;
    const { app, namespace } = target;
    const name = set.metadata.name;
    const revision = podTemplateHash(set.spec.template, target.config);
    this.templates.set(`${app}/${namespace}/${name}/${revision}`, { set, config: target.config });
    const live = this.pods.list({ app, namespace, ownerKind: "StatefulSet", ownerName: name });
    const strategy = set.spec.updateStrategy?.type ?? "RollingUpdate";
    const partition = strategy === "RollingUpdate" ? (set.spec.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;

    const intentFor = (ordinal: number, rev: string, from: { set: StatefulSet; config: ConfigContent }) =>
      podIntent({
        name: statefulPodName(name, ordinal),
        app,
        namespace,
        ownerKind: "StatefulSet",
        ownerName: name,
        revision: rev,
        commit: target.commit,
        template: ordinalTemplate(from.set, ordinal),
        config: from.config,
      });

    // Pods found on the engine after a restart are declared again, at the revision they run when it is known.
    await Promise.all(
      live
        .filter((p) => p.adopted && !p.terminating)
        .map((p) => {
          const known = this.templates.get(`${app}/${namespace}/${name}/${p.revision}`);
          const ordinal = Number(p.name.slice(name.length + 1));
          return known && Number.isInteger(ordinal) ? this.pods.create(intentFor(ordinal, p.revision, known)) : undefined;
        }),
    );

    const step = statefulSetStep({
      name,
      replicas: set.spec.replicas ?? 1,
      updateRevision: revision,
      partition,
      podManagementPolicy: set.spec.podManagementPolicy ?? "OrderedReady",
      updateStrategy: strategy,
      pods: live.map(toStatefulPod),
    });

    // The revision kept below the partition: the one most pods there still run.
    const current = live.find((p) => p.revision !== revision && Number(p.name.slice(name.length + 1)) < partition)?.revision;
    for (const a of step.actions) {
      if (a.type === "delete") await this.pods.delete(namespace, a.name);
      else {
        const old = a.revision === "current" && current ? this.templates.get(`${app}/${namespace}/${name}/${current}`) : undefined;
        await this.pods.create(old && current ? intentFor(a.ordinal, current, old) : intentFor(a.ordinal, revision, { set, config: target.config }));
      }
    }
    const health = statefulSetHealth(step.status);
    return {
      kind: "StatefulSet",
      name,
      namespace,
      health,
      phase: health.status === "Healthy" ? "Complete" : "Progressing",
      revision,
      // Counted from the pods found at the start of this step; the next pod change looks again.
      replicas: countReplicas(
        set.spec.replicas ?? 1,
        revision,
        live.map((p) => ({ revision: p.revision, phase: p.phase, ready: p.ready, terminating: p.terminating, available: p.ready })),
      ),
      step,
      // Pod changes enqueue the set; the requeue is a safety net for a missed change.
      ...(health.status === "Healthy" ? {} : { requeueAfterMs: 1000 }),
    };
  }

  /** Deletes every pod of the set, highest ordinal first. Claims are kept (Kubernetes' default Retain). */
  async remove(app: string, namespace: string, name: string): Promise<void> {
    const live = this.pods.list({ app, namespace, ownerKind: "StatefulSet", ownerName: name });
    const ordinal = (p: PodStatus) => Number(p.name.slice(name.length + 1)) || 0;
    for (const p of live.sort((a, b) => ordinal(b) - ordinal(a))) await this.pods.delete(namespace, p.name);
    for (const key of this.templates.keys()) if (key.startsWith(`${app}/${namespace}/${name}/`)) this.templates.delete(key);
  }
}
