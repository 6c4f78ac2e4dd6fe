import { notGrantable } from "./hints.js";
import type { PodSecurityCheck, Violation } from "./types.js";

/** Container ulimits (raising them lets one pod exhaust the node's limits) are for privileged only. */
export const ulimits: PodSecurityCheck = {
  id: "ulimits",
  level: "baseline",
  check(pod) {
    const out: Violation[] = [];
    for (const c of pod.containers) {
      const value = c.securityContext?.["ulimits"];
      if (value === undefined || value === null) continue;
      out.push({
        field: `${c.path}.securityContext.ulimits`,
        reason: "ulimits",
        detail: `container ${JSON.stringify(c.name)} must not set securityContext.ulimits`,
        fix: notGrantable("remove it", "baseline"),
      });
    }
    return out;
  },
};
