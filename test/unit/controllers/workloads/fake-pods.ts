import type { Clock } from "../../../../src/controllers/clock.js";
import type { DriftItem, PodEvent, PodIntent, PodManager, PodSelector, PodStatus } from "../../../../src/controllers/pods/types.js";

/**
 * A pod manager that runs nothing: a created pod is Pending until the test says it is up, crashes
 * it or marks it drifted. Deletes finish at once. Enough to drive a workload controller step by
 * step and look at what it reports; the real pod manager is tested against the engine.
 */
export class FakePods implements PodManager {
  private readonly pods = new Map<string, PodStatus>();
  readonly created: string[] = [];
  readonly deleted: string[] = [];

  constructor(private readonly clock: Clock) {}

  list(selector: PodSelector = {}): PodStatus[] {
    return [...this.pods.values()]
      .filter(
        (p) =>
          (selector.app === undefined || p.app === selector.app) &&
          (selector.namespace === undefined || p.namespace === selector.namespace) &&
          (selector.ownerKind === undefined || p.ownerKind === selector.ownerKind) &&
          (selector.ownerName === undefined || p.ownerName === selector.ownerName) &&
          (selector.revision === undefined || p.revision === selector.revision),
      )
      .map((p) => structuredClone(p));
  }

  get(namespace: string, name: string): PodStatus | undefined {
    const p = this.pods.get(`${namespace}/${name}`);
    return p && structuredClone(p);
  }

  async create(intent: PodIntent): Promise<PodStatus> {
    const key = `${intent.namespace}/${intent.name}`;
    let pod = this.pods.get(key);
    if (!pod) {
      pod = {
        name: intent.name,
        namespace: intent.namespace,
        app: intent.app,
        ownerKind: intent.ownerKind,
        ownerName: intent.ownerName,
        revision: intent.revision,
        commit: intent.commit,
        node: intent.node ?? "local",
        image: intent.template.spec.containers[0]?.image ?? "",
        labels: { ...(intent.template.metadata?.labels ?? {}) },
        containerIds: [],
        phase: "Pending",
        ready: false,
        readySince: null,
        restarts: 0,
        reason: "ContainerCreating",
        hostPorts: [],
        createdAt: this.clock.now(),
        terminating: false,
        adopted: false,
        drift: [],
      };
      this.pods.set(key, pod);
      this.created.push(intent.name);
    }
    return structuredClone(pod);
  }

  async delete(namespace: string, name: string): Promise<void> {
    if (this.pods.delete(`${namespace}/${name}`)) this.deleted.push(name);
  }

  /** Makes the pod Running and ready from now. */
  up(namespace: string, name: string): void {
    this.patch(namespace, name, { phase: "Running", ready: true, readySince: this.clock.now(), reason: undefined });
  }

  /** Makes every Pending pod of the owner Running and ready. */
  allUp(namespace: string, owner: string): void {
    for (const p of this.list({ namespace, ownerName: owner })) if (p.phase === "Pending") this.up(namespace, p.name);
  }

  /** The pod stops being ready for `reason` (CrashLoopBackOff, Unschedulable, …). */
  fail(namespace: string, name: string, reason: PodStatus["reason"], phase: PodStatus["phase"] = "Running"): void {
    this.patch(namespace, name, { phase, ready: false, readySince: null, reason, restarts: 3 });
  }

  /** The pod manager found the pod's container different from its intent. */
  drift(namespace: string, name: string, items: DriftItem[]): void {
    this.patch(namespace, name, { drift: items });
  }

  patch(namespace: string, name: string, fields: Partial<PodStatus> | Record<string, unknown>): void {
    const p = this.pods.get(`${namespace}/${name}`);
    if (!p) throw new Error(`no pod ${namespace}/${name}`);
    Object.assign(p, fields);
    for (const [k, v] of Object.entries(fields)) if (v === undefined) delete (p as unknown as Record<string, unknown>)[k];
  }

  setSelfHeal(): void {}

  strays(): DriftItem[] {
    return [];
  }

  onChange(): () => void {
    return () => {};
  }

  onEvent(): () => void {
    return () => {};
  }

  events(): PodEvent[] {
    return [];
  }

  async resync(): Promise<void> {}

  async start(): Promise<void> {}

  async stop(): Promise<void> {}
}
