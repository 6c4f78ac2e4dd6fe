import { appArmorProfile } from "./app-armor.js";
import { capabilitiesBaseline, capabilitiesRestricted } from "./capabilities.js";
import { dockerSocket } from "./docker-socket.js";
import { hostNamespaces } from "./host-namespaces.js";
import { hostPathVolumes } from "./host-path-volumes.js";
import { hostPorts } from "./host-ports.js";
import { hostProcess } from "./host-process.js";
import { allowPrivilegeEscalation } from "./privilege-escalation.js";
import { privileged } from "./privileged.js";
import { probeHosts } from "./probe-hosts.js";
import { procMount } from "./proc-mount.js";
import { runAsNonRoot, runAsUser } from "./run-as.js";
import { seccompBaseline, seccompRestricted } from "./seccomp.js";
import { seLinuxOptions } from "./selinux.js";
import { sysctls } from "./sysctls.js";
import type { PodSecurityCheck, PodSecurityLevel } from "./types.js";
import { ulimits } from "./ulimits.js";
import { baselineVolumes, restrictedVolumes } from "./volume-types.js";

/** Every rule, in the order refusals are reported. */
export const POD_SECURITY_CHECKS: readonly PodSecurityCheck[] = [
  dockerSocket,
  hostProcess,
  hostNamespaces,
  privileged,
  capabilitiesBaseline,
  hostPathVolumes,
  hostPorts,
  appArmorProfile,
  seLinuxOptions,
  procMount,
  seccompBaseline,
  sysctls,
  probeHosts,
  baselineVolumes,
  ulimits,
  restrictedVolumes,
  allowPrivilegeEscalation,
  runAsNonRoot,
  runAsUser,
  seccompRestricted,
  capabilitiesRestricted,
];

const RANK: Record<PodSecurityLevel, number> = { privileged: 0, baseline: 1, restricted: 2 };

/** A level is the checks at or below it, less those a stricter check in the level replaces. */
export function checksFor(level: PodSecurityLevel): PodSecurityCheck[] {
  const applicable = POD_SECURITY_CHECKS.filter((c) => RANK[c.level] <= RANK[level]);
  const replaced = new Set(applicable.flatMap((c) => c.overrides ?? []));
  return applicable.filter((c) => !replaced.has(c.id));
}
