import { notGrantable } from "./hints.js";
import type { PodSecurityCheck, Violation } from "./types.js";

/** Restricted: setuid binaries must not gain privileges, so every container says false explicitly. */
export const allowPrivilegeEscalation: PodSecurityCheck = {
  id: "allowPrivilegeEscalation",
  level: "restricted",
  check(pod) {
    const out: Violation[] = [];
    for (const c of pod.containers) {
      if (c.securityContext?.["allowPrivilegeEscalation"] === false) continue;
      out.push({
        field: `${c.path}.securityContext.allowPrivilegeEscalation`,
        reason: "allowPrivilegeEscalation != false",
        detail: `container ${JSON.stringify(c.name)} must set securityContext.allowPrivilegeEscalation=false`,
        fix: notGrantable("set it to false", "restricted"),
      });
    }
    return out;
  },
};
