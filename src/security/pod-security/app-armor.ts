import { notGrantable } from "./hints.js";
import { fieldsOf, shown } from "./pod.js";
import type { Fields } from "./pod.js";
import type { PodSecurityCheck, Violation } from "./types.js";

/** The annotation that set a container's AppArmor profile before the securityContext field existed. */
export const APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

const ALLOWED_TYPES = new Set(["RuntimeDefault", "Localhost"]);

function allowedAnnotation(v: unknown): boolean {
  return v === undefined || v === "" || v === "runtime/default" || (typeof v === "string" && v.startsWith("localhost/"));
}

/** Overriding the runtime's AppArmor profile with `Unconfined` (by field or by the older annotation). */
export const appArmorProfile: PodSecurityCheck = {
  id: "appArmorProfile",
  level: "baseline",
  check(pod) {
    const out: Violation[] = [];
    const visit = (sc: Fields | undefined, at: string, who: string) => {
      const profile = fieldsOf(sc?.["appArmorProfile"]);
      if (!profile) return;
      const type = profile["type"];
      if (typeof type === "string" && ALLOWED_TYPES.has(type)) return;
      out.push({
        field: `${at}.securityContext.appArmorProfile.type`,
        reason: "forbidden AppArmor profile",
        detail: `${who} must not set securityContext.appArmorProfile.type to ${JSON.stringify(type ?? null)}`,
        fix: notGrantable('use "RuntimeDefault" or "Localhost", or leave it unset', "baseline"),
      });
    };
    visit(pod.securityContext, pod.specPath, "pod");
    for (const c of pod.containers) visit(c.securityContext, c.path, `container ${JSON.stringify(c.name)}`);
    for (const [key, value] of Object.entries(pod.annotations)) {
      if (!key.startsWith(APPARMOR_ANNOTATION_PREFIX) || allowedAnnotation(value)) continue;
      out.push({
        field: `${pod.metadataPath}.annotations[${JSON.stringify(key)}]`,
        reason: "forbidden AppArmor profile",
        detail: `${key}=${JSON.stringify(shown(value))}`,
        fix: notGrantable('use "runtime/default" or "localhost/<profile>", or remove the annotation', "baseline"),
      });
    }
    return out;
  },
};
