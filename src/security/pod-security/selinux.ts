import { notGrantable } from "./hints.js";
import { fieldsOf, isSet, shown } from "./pod.js";
import type { Fields } from "./pod.js";
import type { PodSecurityCheck, Violation } from "./types.js";

/** The container SELinux types a pod may ask for; anything else (spc_t) escapes confinement. */
export const SELINUX_TYPES: ReadonlySet<string> = new Set(["", "container_t", "container_init_t", "container_kvm_t"]);

/** seLinuxOptions: only the container types, never a user or role. */
export const seLinuxOptions: PodSecurityCheck = {
  id: "seLinuxOptions",
  level: "baseline",
  check(pod) {
    const out: Violation[] = [];
    const visit = (sc: Fields | undefined, at: string, who: string) => {
      const opts = fieldsOf(sc?.["seLinuxOptions"]);
      if (!opts) return;
      const base = `${at}.securityContext.seLinuxOptions`;
      const type = opts["type"];
      if (type !== undefined && type !== null && !(typeof type === "string" && SELINUX_TYPES.has(type))) {
        out.push({
          field: `${base}.type`,
          reason: "seLinuxOptions",
          detail: `${who} set forbidden securityContext.seLinuxOptions: type ${JSON.stringify(shown(type))}`,
          fix: notGrantable("use container_t, container_init_t or container_kvm_t, or leave it unset", "baseline"),
        });
      }
      for (const key of ["user", "role"] as const) {
        if (!isSet(opts[key]) || opts[key] === "") continue;
        out.push({
          field: `${base}.${key}`,
          reason: "seLinuxOptions",
          detail: `${who} set forbidden securityContext.seLinuxOptions: ${key} may not be set`,
          fix: notGrantable("remove it", "baseline"),
        });
      }
    };
    visit(pod.securityContext, pod.specPath, "pod");
    for (const c of pod.containers) visit(c.securityContext, c.path, `container ${JSON.stringify(c.name)}`);
    return out;
  },
};
