import { LABEL } from "../../runtime/labels.js";
import type { ContainerSummary } from "../../runtime/types.js";
import type { DriftItem } from "./types.js";

/**
 * Containers on the engines that are drift without being a pod's: strays (this installation's
 * labels, yet no pod the manager keeps) and foreign containers answering on a namespace network to
 * a name that is a pod's or a Service's. The manager finds them at each resync; this ledger keeps
 * what the last resync of each node found.
 */

export interface StrayContainer {
  kind: "stray";
  node: string;
  containerId: string;
  containerName: string;
  /** Its application label: the application it is reported to. */
  app: string;
  /** Its namespace label ("" when it has none). */
  namespace: string;
  items: DriftItem[];
}

export interface ForeignContainer {
  kind: "foreign";
  node: string;
  containerId: string;
  containerName: string;
  network: string;
  /** The namespace the network is: reported to the applications with pods there. */
  namespace: string;
  items: DriftItem[];
}

export type StrayFinding = StrayContainer | ForeignContainer;

const shownLabels = [LABEL.application, LABEL.namespace, LABEL.ownerKind, LABEL.ownerName, LABEL.pod];

export function strayContainer(node: string, c: ContainerSummary): StrayContainer {
  const live = shownLabels
    .filter((k) => c.labels[k] !== undefined)
    .map((k) => `${k}=${c.labels[k]}`)
    .join(", ");
  return {
    kind: "stray",
    node,
    containerId: c.id,
    containerName: c.name,
    app: c.labels[LABEL.application] ?? "",
    namespace: c.labels[LABEL.namespace] ?? "",
    items: [{ object: `Container/${c.name}`, field: "metadata.labels", live, desired: "(none: no pod of this installation keeps this container)" }],
  };
}

/**
 * The names a foreign container answers to on the network that belong to pods or Services there;
 * undefined when it holds none. `reserved` maps a name to what owns it (`Service prod/web`).
 */
export function foreignContainer(
  node: string,
  c: { id: string; name: string; aliases: readonly string[] },
  network: string,
  namespace: string,
  reserved: ReadonlyMap<string, string>,
): ForeignContainer | undefined {
  // On a user-defined network the container's name resolves like an alias.
  const held = [...new Set([c.name, ...c.aliases])].filter((a) => reserved.has(a)).sort();
  if (held.length === 0) return undefined;
  return {
    kind: "foreign",
    node,
    containerId: c.id,
    containerName: c.name,
    network,
    namespace,
    items: held.map((a) => ({ object: `Container/${c.name}`, field: `networks[${network}].aliases`, live: a, desired: `(none: ${a} is ${reserved.get(a) ?? "taken"})` })),
  };
}

const keyOf = (f: StrayFinding): string => (f.kind === "stray" ? `${f.node}/${f.containerId}` : `${f.node}/${f.containerId}/${f.network}`);

export class StrayLedger {
  /** Strays of the last resync of each node, by key; a stray counts once two resyncs in a row found it. */
  private readonly strays = new Map<string, Map<string, StrayContainer>>();
  private readonly confirmed = new Map<string, Map<string, StrayContainer>>();
  private readonly foreign = new Map<string, Map<string, ForeignContainer>>();

  /**
   * What one resync of the node found. A stray must be found twice in a row: a container seen
   * once may be one whose pod was deleted between the engine's list and the check.
   */
  observeStrays(node: string, found: StrayContainer[]): void {
    const before = this.strays.get(node) ?? new Map<string, StrayContainer>();
    const now = new Map(found.map((f) => [keyOf(f), f]));
    this.strays.set(node, now);
    this.confirmed.set(node, new Map([...now].filter(([k]) => before.has(k))));
  }

  observeForeign(node: string, found: ForeignContainer[]): void {
    this.foreign.set(node, new Map(found.map((f) => [keyOf(f), f])));
  }

  /** Done with (removed, disconnected): not reported again unless found again. */
  forget(f: StrayFinding): void {
    const k = keyOf(f);
    if (f.kind === "foreign") this.foreign.get(f.node)?.delete(k);
    else {
      this.strays.get(f.node)?.delete(k);
      this.confirmed.get(f.node)?.delete(k);
    }
  }

  findings(): StrayFinding[] {
    const out: StrayFinding[] = [];
    for (const m of this.confirmed.values()) out.push(...m.values());
    for (const m of this.foreign.values()) out.push(...m.values());
    return out.sort((a, b) => a.containerName.localeCompare(b.containerName) || a.node.localeCompare(b.node));
  }
}
