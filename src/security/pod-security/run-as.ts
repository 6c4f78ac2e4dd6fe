import { notGrantable } from "./hints.js";
import type { PodSecurityCheck, Violation } from "./types.js";

/** Restricted: runAsNonRoot=true on the pod, or on every container that does not inherit it. */
export const runAsNonRoot: PodSecurityCheck = {
  id: "runAsNonRoot",
  level: "restricted",
  check(pod) {
    const out: Violation[] = [];
    const podValue = pod.securityContext?.["runAsNonRoot"];
    if (podValue !== undefined && podValue !== null && podValue !== true) {
      out.push({
        field: `${pod.specPath}.securityContext.runAsNonRoot`,
        reason: "runAsNonRoot != true",
        detail: "pod must not set securityContext.runAsNonRoot=false",
        fix: notGrantable("set it to true", "restricted"),
      });
    }
    for (const c of pod.containers) {
      const value = c.securityContext?.["runAsNonRoot"];
      if (value === true) continue;
      const explicit = value !== undefined && value !== null;
      if (!explicit && podValue === true) continue;
      out.push({
        field: `${c.path}.securityContext.runAsNonRoot`,
        reason: "runAsNonRoot != true",
        detail: explicit
          ? `container ${JSON.stringify(c.name)} must not set securityContext.runAsNonRoot=false`
          : `pod or container ${JSON.stringify(c.name)} must set securityContext.runAsNonRoot=true`,
        fix: notGrantable(explicit ? "set it to true" : `set ${pod.specPath}.securityContext.runAsNonRoot=true`, "restricted"),
      });
    }
    return out;
  },
};

/** Restricted: nothing asks for user 0 by number. */
export const runAsUser: PodSecurityCheck = {
  id: "runAsUser",
  level: "restricted",
  check(pod) {
    const out: Violation[] = [];
    if (pod.securityContext?.["runAsUser"] === 0) {
      out.push({
        field: `${pod.specPath}.securityContext.runAsUser`,
        reason: "runAsUser=0",
        detail: "pod must not set runAsUser=0",
        fix: notGrantable("use a non-zero user id", "restricted"),
      });
    }
    for (const c of pod.containers) {
      if (c.securityContext?.["runAsUser"] !== 0) continue;
      out.push({
        field: `${c.path}.securityContext.runAsUser`,
        reason: "runAsUser=0",
        detail: `container ${JSON.stringify(c.name)} must not set runAsUser=0`,
        fix: notGrantable("use a non-zero user id", "restricted"),
      });
    }
    return out;
  },
};
