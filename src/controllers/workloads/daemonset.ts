import { daemonSetHealth } from "../../health/index.js";
import type { DaemonSet, PodTemplate } from "../../manifest/index.js";
import type { Affinity } from "../../scheduler/types.js";
import type { Clock } from "../clock.js";
import type { PodManager, PodStatus } from "../pods/types.js";
import { daemonSetStep, daemonSetTolerations, pinnedAffinity } from "./daemonset-step.js";
import type { DaemonNode, DaemonPod, DaemonStep } from "./daemonset-step.js";
import { podIntent } from "./intent.js";
import { countReplicas } from "./replicas.js";
import { ordinalSuffix, podTemplateHash } from "./revision.js";
import type { WorkloadReport, WorkloadTarget } from "./types.js";

/** `<daemonset>-<node>-<suffix>`: one name per node and revision, so a repeated create is a no-op. */
export function daemonPodName(set: string, node: string, revision: string, namespace = ""): string {
  return `${set}-${node}-${ordinalSuffix(`${namespace}/${set}-${revision}/${node}`, 0)}`;
}

/** The template a daemon pod runs on `node`: pinned there by node affinity, with the DaemonSet tolerations. */
export function daemonPodTemplate(template: PodTemplate, node: string): PodTemplate {
  const spec = template.spec;
  return {
    ...template,
    spec: { ...spec, affinity: pinnedAffinity(spec.affinity as Affinity | undefined, node), tolerations: daemonSetTolerations(spec) },
  } as PodTemplate;
}

/**
 * Keeps one pod of a DaemonSet on every eligible node, one `daemonSetStep` per reconcile. The
 * revision is the hash of the set's template (before pinning), so all nodes share it.
 */
export class DaemonSetController {
  constructor(
    private readonly pods: PodManager,
    /** The nodes pods may go to, read on every reconcile (nodes come and go). */
    private readonly nodes: () => readonly DaemonNode[],
    private readonly clock: Clock,
  ) {}

  async reconcile(target: WorkloadTarget<DaemonSet>): Promise<WorkloadReport & { step: DaemonStep }> {
    const ds = target.object;
    const { app, namespace } = target;
    const name = ds.metadata.name;
    const revision = podTemplateHash(ds.spec.template, target.config);
    const now = this.clock.now();
    const minReadyMs = (ds.spec.minReadySeconds ?? 0) * 1000;
    const live = this.pods.list({ app, namespace, ownerKind: "DaemonSet", ownerName: name });
    const intentFor = (node: string, podName: string) => ({
      ...podIntent({ name: podName, app, namespace, ownerKind: "DaemonSet", ownerName: name, revision, commit: target.commit, template: daemonPodTemplate(ds.spec.template, node), config: target.config }),
      node,
    });
    await Promise.all(live.filter((p) => p.adopted && p.revision === revision && !p.terminating).map((p) => this.pods.create(intentFor(p.node, p.name))));

    const daemonPods = live.map((p) => toDaemonPod(p, now, minReadyMs));
    const strategy = ds.spec.updateStrategy?.type ?? "RollingUpdate";
    const maxUnavailable = ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable;
    const step = daemonSetStep({
      name,
      revision,
      spec: ds.spec.template.spec,
      nodes: this.nodes(),
      pods: daemonPods,
      updateStrategy: strategy,
      ...(maxUnavailable !== undefined ? { maxUnavailable } : {}),
    });
    for (const a of step.actions) {
      if (a.type === "create") await this.pods.create(intentFor(a.node, daemonPodName(name, a.node, revision, namespace)));
      else await this.pods.delete(namespace, a.name);
    }
    const waitingForMinReady = live.some((p) => p.ready && p.readySince !== null && now - p.readySince < minReadyMs);
    const health = daemonSetHealth(step.status);
    const eligible = new Set(step.eligible);
    return {
      kind: "DaemonSet",
      name,
      namespace,
      health,
      phase: health.status === "Healthy" ? "Complete" : "Progressing",
      revision,
      // Counted from the pods found at the start of this step; pods on nodes that should not run one are not replicas.
      replicas: countReplicas(step.eligible.length, revision, daemonPods.filter((p) => eligible.has(p.node))),
      step,
      ...(health.status !== "Healthy" || waitingForMinReady ? { requeueAfterMs: 1000 } : {}),
    };
  }

  /** Deletes every pod of the DaemonSet. */
  async remove(app: string, namespace: string, name: string): Promise<void> {
    const live = this.pods.list({ app, namespace, ownerKind: "DaemonSet", ownerName: name });
    await Promise.all(live.map((p) => this.pods.delete(namespace, p.name)));
  }
}

function toDaemonPod(p: PodStatus, now: number, minReadyMs: number): DaemonPod {
  const pod: DaemonPod = {
    name: p.name,
    node: p.node,
    revision: p.revision,
    phase: p.phase,
    ready: p.ready,
    available: p.ready && p.readySince !== null && now - p.readySince >= minReadyMs,
    terminating: p.terminating,
  };
  if (p.reason) pod.reason = p.reason;
  return pod;
}
