import { grantable } from "./hints.js";
import { isSet } from "./pod.js";
import type { PodSecurityCheck, Violation } from "./types.js";

const NAMESPACES = ["hostNetwork", "hostPID", "hostIPC"] as const;

/** Sharing the host's network, process or IPC namespace; each can be granted on its own. */
export const hostNamespaces: PodSecurityCheck = {
  id: "hostNamespaces",
  level: "baseline",
  check(pod, exceptions) {
    const out: Violation[] = [];
    for (const ns of NAMESPACES) {
      const value = pod.spec[ns];
      if (!isSet(value) || exceptions[ns] === true) continue;
      out.push({
        field: `${pod.specPath}.${ns}`,
        reason: "host namespaces",
        detail: `${ns}=${JSON.stringify(value)}`,
        fix: grantable("remove it", `${ns}: true`),
      });
    }
    return out;
  },
};
