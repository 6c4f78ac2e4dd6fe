import { notGrantable } from "./hints.js";
import { shown } from "./pod.js";
import type { PodSecurityCheck, Violation } from "./types.js";

/** /proc stays masked: procMount may only be Default. */
export const procMount: PodSecurityCheck = {
  id: "procMount",
  level: "baseline",
  check(pod) {
    const out: Violation[] = [];
    for (const c of pod.containers) {
      const value = c.securityContext?.["procMount"];
      if (value === undefined || value === null || value === "Default") continue;
      out.push({
        field: `${c.path}.securityContext.procMount`,
        reason: "procMount",
        detail: `container ${JSON.stringify(c.name)} must not set securityContext.procMount to ${JSON.stringify(shown(value))}`,
        fix: notGrantable('use "Default" or leave it unset', "baseline"),
      });
    }
    return out;
  },
};
