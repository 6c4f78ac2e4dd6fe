import { grantable, notGrantable } from "./hints.js";
import { fieldsOf, listOf, shown } from "./pod.js";
import type { ContainerView } from "./pod.js";
import type { PodSecurityCheck, PodSecurityExceptions, Violation } from "./types.js";

/** Docker's spelling of a capability without its variants: `cap_net_admin` is `NET_ADMIN`. */
export function capabilityName(c: unknown): string | undefined {
  return typeof c === "string" ? c.trim().toUpperCase().replace(/^CAP_/, "") : undefined;
}

/** The capabilities baseline lets a container add: those of the container runtimes' default set. */
export const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);

/** The only capability restricted lets a container add back after dropping ALL. */
export const RESTRICTED_CAPABILITIES: ReadonlySet<string> = new Set(["NET_BIND_SERVICE"]);

function capabilitiesOf(c: ContainerView) {
  return fieldsOf(c.securityContext?.["capabilities"]);
}

/** Added capabilities outside `allowed` and the operator's list, as written in the manifest. */
function refusedAdds(c: ContainerView, allowed: ReadonlySet<string>, exceptions: PodSecurityExceptions): string[] {
  const granted = new Set((exceptions.capabilities ?? []).map(capabilityName));
  return listOf(capabilitiesOf(c)?.["add"])
    .filter((cap) => {
      const name = capabilityName(cap);
      return name === undefined || (!allowed.has(name) && !granted.has(name));
    })
    .map(shown);
}

function addViolation(c: ContainerView, refused: string[], reason: string): Violation {
  const list = refused.map((x) => JSON.stringify(x)).join(", ");
  return {
    field: `${c.path}.securityContext.capabilities.add`,
    reason,
    detail: `container ${JSON.stringify(c.name)} must not include ${list} in securityContext.capabilities.add`,
    fix: grantable("remove them", `capabilities: [${refused.map((x) => JSON.stringify(capabilityName(x) ?? x)).join(", ")}]`),
  };
}

export const capabilitiesBaseline: PodSecurityCheck = {
  id: "capabilities_baseline",
  level: "baseline",
  check(pod, exceptions) {
    const out: Violation[] = [];
    for (const c of pod.containers) {
      const refused = refusedAdds(c, BASELINE_CAPABILITIES, exceptions);
      if (refused.length > 0) out.push(addViolation(c, refused, "non-default capabilities"));
    }
    return out;
  },
};

/** Restricted: drop ALL, add back only NET_BIND_SERVICE (and what the operator grants). */
export const capabilitiesRestricted: PodSecurityCheck = {
  id: "capabilities_restricted",
  level: "restricted",
  overrides: ["capabilities_baseline"],
  check(pod, exceptions) {
    const out: Violation[] = [];
    for (const c of pod.containers) {
      const dropsAll = listOf(capabilitiesOf(c)?.["drop"]).some((cap) => capabilityName(cap) === "ALL");
      if (!dropsAll) {
        out.push({
          field: `${c.path}.securityContext.capabilities.drop`,
          reason: "unrestricted capabilities",
          detail: `container ${JSON.stringify(c.name)} must set securityContext.capabilities.drop=["ALL"]`,
          fix: notGrantable('add "ALL" to securityContext.capabilities.drop', "restricted"),
        });
      }
      const refused = refusedAdds(c, RESTRICTED_CAPABILITIES, exceptions);
      if (refused.length > 0) out.push(addViolation(c, refused, "unrestricted capabilities"));
    }
    return out;
  },
};
