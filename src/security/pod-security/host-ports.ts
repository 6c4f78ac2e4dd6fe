import { grantable } from "./hints.js";
import { fieldsOf, listOf, shown } from "./pod.js";
import type { PodSecurityCheck, Violation } from "./types.js";

/** Binding a port on the node's address, unless the operator listed that port. */
export const hostPorts: PodSecurityCheck = {
  id: "hostPorts",
  level: "baseline",
  check(pod, exceptions) {
    const granted = new Set(exceptions.hostPorts ?? []);
    const out: Violation[] = [];
    for (const c of pod.containers) {
      listOf(c.fields["ports"]).forEach((p, i) => {
        const hostPort = fieldsOf(p)?.["hostPort"];
        if (hostPort === undefined || hostPort === null || hostPort === 0) return;
        if (typeof hostPort === "number" && granted.has(hostPort)) return;
        out.push({
          field: `${c.path}.ports[${i}].hostPort`,
          reason: "hostPort",
          detail: `container ${JSON.stringify(c.name)} uses hostPort ${shown(hostPort)}`,
          fix: grantable("remove it and publish the port through a Service (NodePort or LoadBalancer)", `hostPorts: [${shown(hostPort)}]`),
        });
      });
    }
    return out;
  },
};
