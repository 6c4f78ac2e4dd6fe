import { notGrantable } from "./hints.js";
import { fieldsOf, shown } from "./pod.js";
import type { PodSecurityCheck, Violation } from "./types.js";

const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;
const HOOKS = ["postStart", "preStop"] as const;
const ACTIONS = ["httpGet", "tcpSocket"] as const;

/**
 * A probe or hook `host` points a request that Capstan itself makes at any address, not at the
 * pod; left open, a chart could make the daemon reach hosts the pod cannot.
 */
export const probeHosts: PodSecurityCheck = {
  id: "hostProbesAndHostLifecycle",
  level: "baseline",
  check(pod) {
    const out: Violation[] = [];
    for (const c of pod.containers) {
      const handlers: [string, unknown][] = [
        ...PROBES.map((p): [string, unknown] => [p, c.fields[p]]),
        ...HOOKS.map((h): [string, unknown] => [`lifecycle.${h}`, fieldsOf(c.fields["lifecycle"])?.[h]]),
      ];
      for (const [at, handler] of handlers) {
        for (const action of ACTIONS) {
          const host = fieldsOf(fieldsOf(handler)?.[action])?.["host"];
          if (host === undefined || host === null || host === "") continue;
          out.push({
            field: `${c.path}.${at}.${action}.host`,
            reason: "probe or lifecycle host",
            detail: `container ${JSON.stringify(c.name)} uses probe or lifecycle host ${JSON.stringify(shown(host))}`,
            fix: notGrantable("remove it (the probe then reaches the pod itself)", "baseline"),
          });
        }
      }
    }
    return out;
  },
};
