import { grantable } from "./hints.js";
import { isSet } from "./pod.js";
import type { PodSecurityCheck, Violation } from "./types.js";

/** Privileged containers switch off nearly every isolation Docker gives. */
export const privileged: PodSecurityCheck = {
  id: "privileged",
  level: "baseline",
  check(pod, exceptions) {
    if (exceptions.privileged === true) return [];
    const out: Violation[] = [];
    for (const c of pod.containers) {
      if (!isSet(c.securityContext?.["privileged"])) continue;
      out.push({
        field: `${c.path}.securityContext.privileged`,
        reason: "privileged",
        detail: `container ${JSON.stringify(c.name)} must not set securityContext.privileged=true`,
        fix: grantable("remove it", "privileged: true"),
      });
    }
    return out;
  },
};
