import { notGrantable } from "./hints.js";
import { fieldsOf, listOf, shown } from "./pod.js";
import type { PodSecurityCheck, Violation } from "./types.js";

/** Sysctls namespaced to the pod and isolated from the rest of the node. */
export const SAFE_SYSCTLS: ReadonlySet<string> = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_rmem",
  "net.ipv4.tcp_wmem",
]);

export const sysctls: PodSecurityCheck = {
  id: "sysctls",
  level: "baseline",
  check(pod) {
    const out: Violation[] = [];
    listOf(pod.securityContext?.["sysctls"]).forEach((s, i) => {
      const name = fieldsOf(s)?.["name"];
      if (typeof name === "string" && SAFE_SYSCTLS.has(name)) return;
      out.push({
        field: `${pod.specPath}.securityContext.sysctls[${i}].name`,
        reason: "forbidden sysctls",
        detail: shown(name ?? null),
        fix: notGrantable(`remove it (safe sysctls: ${[...SAFE_SYSCTLS].join(", ")})`, "baseline"),
      });
    });
    return out;
  },
};
