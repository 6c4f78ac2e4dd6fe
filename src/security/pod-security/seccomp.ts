import { notGrantable } from "./hints.js";
import { fieldsOf, shown } from "./pod.js";
import type { Fields, PodView } from "./pod.js";
import type { PodSecurityCheck, PodSecurityLevel, Violation } from "./types.js";

const ALLOWED = new Set(["RuntimeDefault", "Localhost"]);

type Seccomp = { set: false } | { set: true; ok: boolean; type: unknown };

function seccompOf(sc: Fields | undefined): Seccomp {
  const profile = sc?.["seccompProfile"];
  if (profile === undefined || profile === null) return { set: false };
  const type = fieldsOf(profile)?.["type"];
  return { set: true, ok: typeof type === "string" && ALLOWED.has(type), type };
}

function explicitlyBad(pod: PodView, level: PodSecurityLevel): Violation[] {
  const out: Violation[] = [];
  const visit = (sc: Fields | undefined, at: string, who: string) => {
    const s = seccompOf(sc);
    if (!s.set || s.ok) return;
    out.push({
      field: `${at}.securityContext.seccompProfile.type`,
      reason: "seccompProfile",
      detail: `${who} must not set securityContext.seccompProfile.type to ${JSON.stringify(shown(s.type ?? null))}`,
      fix: notGrantable('use "RuntimeDefault" or "Localhost"', level),
    });
  };
  visit(pod.securityContext, pod.specPath, "pod");
  for (const c of pod.containers) visit(c.securityContext, c.path, `container ${JSON.stringify(c.name)}`);
  return out;
}

/** Baseline: a seccomp profile, when set, is the runtime's default or a local one; never Unconfined. */
export const seccompBaseline: PodSecurityCheck = {
  id: "seccompProfile_baseline",
  level: "baseline",
  check: (pod) => explicitlyBad(pod, "baseline"),
};

/** Restricted: every container runs under RuntimeDefault or Localhost, set on the pod or on itself. */
export const seccompRestricted: PodSecurityCheck = {
  id: "seccompProfile_restricted",
  level: "restricted",
  overrides: ["seccompProfile_baseline"],
  check(pod) {
    const out = explicitlyBad(pod, "restricted");
    const podLevel = seccompOf(pod.securityContext);
    if (podLevel.set && podLevel.ok) return out;
    for (const c of pod.containers) {
      if (seccompOf(c.securityContext).set) continue;
      out.push({
        field: `${c.path}.securityContext.seccompProfile.type`,
        reason: "seccompProfile",
        detail: `pod or container ${JSON.stringify(c.name)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
        fix: notGrantable(`set ${pod.specPath}.securityContext.seccompProfile.type to "RuntimeDefault"`, "restricted"),
      });
    }
    return out;
  },
};
