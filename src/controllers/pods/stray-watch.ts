import { CapstanError } from "../../errors.js";
import { LABEL, MANAGED_BY_VALUE } from "../../runtime/labels.js";
import type { ContainerDetails, ContainerRuntime, ContainerSummary } from "../../runtime/types.js";
import type { Clock } from "../clock.js";
import { type ForeignContainer, type StrayFinding, StrayLedger, foreignContainer, strayContainer } from "./strays.js";
import type { DriftItem, PodEvent } from "./types.js";

/** What the stray watch needs to know of the pod manager. */
export interface StrayWatchOptions {
  runtimes: Map<string, ContainerRuntime>;
  clock: Clock;
  /** Whether the labels are this installation's (managed-by and the manager's own labels). */
  isOurs(labels: Record<string, string>): boolean;
  /** Whether a pod the manager keeps on the node owns the container (by its name, or renamed, by its id). */
  keeps(node: string, c: Pick<ContainerSummary, "id" | "name" | "labels">): boolean;
  /** Per namespace with pods: the names taken there (pods', Services') and what takes each. */
  takenNames(): Map<string, Map<string, string>>;
  /** Applications with pods in the namespace. */
  appsIn(namespace: string): Set<string>;
  selfHealing(app: string): boolean;
  onEvent(event: PodEvent): void;
  log(entry: Record<string, unknown>): void;
}

/**
 * Finds strays and foreign containers at each resync and, under selfHeal, deals with them. The
 * engine is read through what the resync already listed plus, per namespace network, one call
 * for its members and one inspect per foreign member.
 */
export class StrayWatch {
  private readonly ledger = new StrayLedger();

  constructor(private readonly o: StrayWatchOptions) {}

  /** What one resync listed on the node (this installation's containers): those no kept pod owns are strays. */
  observeNode(node: string, containers: ContainerSummary[]): void {
    this.ledger.observeStrays(node, containers.filter((c) => c.labels[LABEL.application] && !this.o.keeps(node, c)).map((c) => strayContainer(node, c)));
  }

  async observeForeign(nodes: Iterable<string>, ownIds: ReadonlySet<string>): Promise<void> {
    const taken = this.o.takenNames();
    for (const node of nodes) {
      const rt = this.o.runtimes.get(node);
      if (!rt) continue;
      try {
        const found: ForeignContainer[] = [];
        for (const net of await rt.listNetworks({ [LABEL.managedBy]: MANAGED_BY_VALUE })) {
          const namespace = net.labels[LABEL.namespace];
          const names = namespace === undefined ? undefined : taken.get(namespace);
          if (namespace === undefined || !names) continue;
          for (const m of await rt.networkMembers(net.name)) {
            if (ownIds.has(m.id)) continue;
            const c = await inspect(rt, m.id);
            if (!c || this.o.isOurs(c.labels)) continue;
            const aliases = c.networks.find((n) => n.name === net.name)?.aliases ?? [];
            const f = foreignContainer(node, { id: c.id, name: c.name, aliases }, net.name, namespace, names);
            if (f) found.push(f);
          }
        }
        this.ledger.observeForeign(node, found);
      } catch (err) {
        this.o.log({ msg: "resync: looking for foreign containers failed", node, error: (err as Error).message });
      }
    }
  }

  items(app?: string): DriftItem[] {
    return this.findings(app).flatMap((f) => f.items.map((i) => ({ ...i })));
  }

  /**
   * Under selfHeal: a stray is removed (checked again first: it may be a pod's by now), a foreign
   * container leaves the network where it holds a taken name (never removed: it is not ours).
   */
  async heal(): Promise<void> {
    for (const f of this.findings()) {
      if (![...this.appsOf(f)].some((a) => this.o.selfHealing(a))) continue;
      const rt = this.o.runtimes.get(f.node);
      if (!rt) continue;
      try {
        if (f.kind === "stray") {
          const c = await inspect(rt, f.containerId);
          if (c && this.o.isOurs(c.labels) && !this.o.keeps(f.node, c)) {
            await rt.remove(c.id, { force: true });
            this.event(f, "StrayRemoved", `removed container ${f.containerName} on node ${f.node}: it carries this installation's labels (${f.items[0]?.live ?? ""}) but no pod keeps it`);
          }
        } else {
          await rt.disconnectNetwork(f.containerId, f.network);
          const names = f.items.map((i) => i.live).join(", ");
          this.event(f, "AliasReclaimed", `disconnected container ${f.containerName} from network ${f.network} on node ${f.node}: it answered to ${names}, taken by this namespace's pods or Services; the container is not Capstan's and keeps running`);
        }
        this.ledger.forget(f);
      } catch (err) {
        this.o.log({ msg: "self-heal failed", container: f.containerName, node: f.node, error: (err as Error).message });
      }
    }
  }

  /** A stray's application is its label; a foreign container's are those with pods in its namespace. */
  private appsOf(f: StrayFinding): Set<string> {
    return f.kind === "stray" ? new Set([f.app]) : this.o.appsIn(f.namespace);
  }

  private findings(app?: string): StrayFinding[] {
    const all = this.ledger.findings();
    return app === undefined ? all : all.filter((f) => this.appsOf(f).has(app));
  }

  /** Such a container is no pod: its events name the container in place of the pod. */
  private event(f: StrayFinding, reason: string, message: string): void {
    this.o.onEvent({ time: this.o.clock.now(), namespace: f.namespace, pod: f.containerName, type: "Warning", reason, message });
  }
}

async function inspect(rt: ContainerRuntime, id: string): Promise<ContainerDetails | undefined> {
  try {
    return await rt.inspect(id);
  } catch (err) {
    if (err instanceof CapstanError && err.code === "CONTAINER_NOT_FOUND") return undefined;
    throw err;
  }
}
