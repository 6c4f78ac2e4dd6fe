import type { Problem } from "../../errors.js";
import { checksFor } from "./levels.js";
import { podOf } from "./pod.js";
import type { PodSecurityPolicy, PodSecuritySubject } from "./types.js";

export type { PodSecurityCheck, PodSecurityExceptions, PodSecurityLevel, PodSecurityPolicy, PodSecuritySubject, Violation } from "./types.js";
export { POD_SECURITY_CHECKS, checksFor } from "./levels.js";
export { podOf } from "./pod.js";
export type { ContainerView, PodView } from "./pod.js";
export { normalizeHostPath, isWithin, exposesDockerSocket } from "./host-paths.js";
export { ASK_OPERATOR } from "./hints.js";

/** What applies when the operator configured nothing: Kubernetes' default level, no exceptions. */
export const DEFAULT_POD_SECURITY: PodSecurityPolicy = Object.freeze({ level: "baseline", exceptions: Object.freeze({}) });

/**
 * Every refusal of every pod at once, Pod Security admission's way: one Problem per refused field,
 * naming the object, its file when known, the level and the rule, and how to get an exception.
 * Objects that run no pod pass. Pure.
 */
export function checkPodSecurity(subjects: readonly PodSecuritySubject[], policy: PodSecurityPolicy): Problem[] {
  const checks = checksFor(policy.level);
  const problems: Problem[] = [];
  for (const { object, file } of subjects) {
    const pod = podOf(object);
    if (!pod) continue;
    for (const check of checks) {
      for (const v of check.check(pod, policy.exceptions)) {
        problems.push({
          ...(file ? { file } : {}),
          field: v.field,
          message: `${pod.who}: violates PodSecurity "${policy.level}:latest": ${v.reason} (${v.detail}); ${v.fix}`,
        });
      }
    }
  }
  return problems;
}
