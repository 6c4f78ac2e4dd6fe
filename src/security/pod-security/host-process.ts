import { notGrantable } from "./hints.js";
import { fieldsOf, isSet } from "./pod.js";
import type { Fields } from "./pod.js";
import type { PodSecurityCheck, Violation } from "./types.js";

/** Windows HostProcess containers run as the node itself. */
export const hostProcess: PodSecurityCheck = {
  id: "windowsHostProcess",
  level: "baseline",
  check(pod) {
    const out: Violation[] = [];
    const visit = (sc: Fields | undefined, at: string, who: string) => {
      const value = fieldsOf(sc?.["windowsOptions"])?.["hostProcess"];
      if (!isSet(value)) return;
      out.push({
        field: `${at}.securityContext.windowsOptions.hostProcess`,
        reason: "hostProcess",
        detail: `${who} must not set securityContext.windowsOptions.hostProcess=true`,
        fix: notGrantable("remove it", "baseline"),
      });
    };
    visit(pod.securityContext, pod.specPath, "pod");
    for (const c of pod.containers) visit(c.securityContext, c.path, `container ${JSON.stringify(c.name)}`);
    return out;
  },
};
