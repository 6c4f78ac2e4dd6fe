import type { PodSecurityLevel } from "./types.js";

/** The one way a rule that has an exception tells users how to get it. */
export const ASK_OPERATOR = "ask the operator to grant it in the project's podSecurity.exceptions in the Capstan config file";

/** `remove it, or ask the operator … (hostIPC: true)`. */
export function grantable(change: string, exception: string): string {
  return `${change}, or ${ASK_OPERATOR} (${exception})`;
}

/** For rules no exception lifts: only a lower level for the whole project does. */
export function notGrantable(change: string, level: PodSecurityLevel): string {
  const below = level === "restricted" ? "baseline" : "privileged";
  return `${change}; no exception lifts this rule (only the operator can lower the project's podSecurity.level to "${below}" in the Capstan config file)`;
}
