import { grantable } from "./hints.js";
import { coveringHostPath, exposesDockerSocket, normalizeHostPath } from "./host-paths.js";
import { fieldsOf, listOf } from "./pod.js";
import type { PodSecurityCheck, Violation } from "./types.js";

/**
 * hostPath volumes, unless the path is one the operator listed or below one. Paths that expose the
 * Docker socket are left to the dockerSocket rule, which says why they matter more.
 */
export const hostPathVolumes: PodSecurityCheck = {
  id: "hostPathVolumes",
  level: "baseline",
  check(pod, exceptions) {
    const out: Violation[] = [];
    listOf(pod.spec["volumes"]).forEach((v, i) => {
      const volume = fieldsOf(v);
      const hostPath = volume?.["hostPath"];
      if (hostPath === undefined || hostPath === null) return;
      const path = fieldsOf(hostPath)?.["path"];
      if (typeof path === "string" && (exposesDockerSocket(path) || coveringHostPath(path, exceptions.hostPaths))) return;
      const normalized = normalizeHostPath(path);
      const shownPath = typeof path === "string" ? path : "(no path)";
      const resolved = normalized !== undefined && normalized !== path ? ` (that is ${normalized})` : "";
      out.push({
        field: `${pod.specPath}.volumes[${i}].hostPath`,
        reason: "hostPath volumes",
        detail: `volume ${JSON.stringify(volume?.["name"] ?? i)} mounts host path ${shownPath}${resolved}`,
        fix:
          normalized === undefined
            ? "remove it (a host path must be absolute to be granted)"
            : grantable("remove it or use an emptyDir or persistentVolumeClaim volume", `hostPaths: [${JSON.stringify(normalized)}]`),
      });
    });
    return out;
  },
};
