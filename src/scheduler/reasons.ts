/**
 * Why a pod is Pending, in the words of Kubernetes' FailedScheduling event:
 * `0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient memory.`
 * Each node counts once per reason its first failing filter gave; the entries are "<count> <reason>"
 * sorted as plain strings, which is how the Kubernetes scheduler orders them.
 */
export const NO_NODES_MESSAGE = "no nodes available to schedule pods";

export function unschedulableMessage(totalNodes: number, reasons: ReadonlyMap<string, number> | Record<string, number>): string {
  if (totalNodes === 0) return NO_NODES_MESSAGE;
  const entries = reasons instanceof Map ? [...reasons] : Object.entries(reasons);
  const parts = entries.filter(([, n]) => n > 0).map(([r, n]) => `${n} ${r}`);
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return parts.length === 0 ? `0/${totalNodes} nodes are available.` : `0/${totalNodes} nodes are available: ${parts.join(", ")}.`;
}

/** Interns reason strings so the per-node loop records small integers. Id 0 means "passed". */
export class ReasonTable {
  private readonly ids = new Map<string, number>();
  readonly texts: string[] = [""];

  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.ids.set(text, id);
      this.texts.push(text);
    }
    return id;
  }
}
