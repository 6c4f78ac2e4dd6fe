import type { Problem } from "../errors.js";
import type { Service } from "../manifest/index.js";

export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

export interface NodePortAssignment {
  /** `namespace/name:port` of the Service port. */
  servicePort: string;
  service: string;
  namespace: string;
  port: number;
  nodePort: number;
}

/**
 * Gives every NodePort/LoadBalancer Service port a node port (pure): explicit ones are honoured
 * and checked against the range and each other; others keep their previous port when they had
 * one, else take the lowest free port of the range. Every clash is reported, naming both sides.
 */
export function assignNodePorts(
  services: Service[],
  previous: NodePortAssignment[] = [],
): { assignments: NodePortAssignment[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const taken = new Map<number, string>();
  const assignments: NodePortAssignment[] = [];
  const exposed = services.filter((s) => s.spec.type === "NodePort" || s.spec.type === "LoadBalancer");
  const pending: { svc: Service; port: number; id: string; index: number }[] = [];
  for (const svc of exposed) {
    const ns = svc.metadata.namespace ?? "default";
    (svc.spec.ports ?? []).forEach((p, index) => {
      const id = `${ns}/${svc.metadata.name}:${p.port}`;
      if (p.nodePort === undefined) {
        pending.push({ svc, port: p.port, id, index });
        return;
      }
      const field = `spec.ports[${index}].nodePort`;
      if (p.nodePort < NODE_PORT_RANGE.min || p.nodePort > NODE_PORT_RANGE.max) {
        problems.push({ field, message: `Service ${ns}/${svc.metadata.name}: nodePort ${p.nodePort} is outside the range ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}` });
        return;
      }
      const holder = taken.get(p.nodePort);
      if (holder) {
        problems.push({ field, message: `Service ${ns}/${svc.metadata.name}: nodePort ${p.nodePort} is already allocated to ${holder}` });
        return;
      }
      taken.set(p.nodePort, id);
      assignments.push({ servicePort: id, service: svc.metadata.name, namespace: ns, port: p.port, nodePort: p.nodePort });
    });
  }
  let next: number = NODE_PORT_RANGE.min;
  for (const { svc, port, id } of pending) {
    const before = previous.find((a) => a.servicePort === id);
    let nodePort = before && !taken.has(before.nodePort) ? before.nodePort : undefined;
    if (nodePort === undefined) {
      while (taken.has(next) || previous.some((a) => a.nodePort === next && a.servicePort !== id && pending.some((q) => q.id === a.servicePort))) next++;
      if (next > NODE_PORT_RANGE.max) {
        problems.push({ message: `Service ${id}: no free nodePort left in ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}` });
        continue;
      }
      nodePort = next++;
    }
    taken.set(nodePort, id);
    assignments.push({ servicePort: id, service: svc.metadata.name, namespace: svc.metadata.namespace ?? "default", port, nodePort });
  }
  return { assignments, problems };
}
