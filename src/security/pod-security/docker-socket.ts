import { grantable } from "./hints.js";
import { coveringHostPath, exposesDockerSocket } from "./host-paths.js";
import { fieldsOf, listOf } from "./pod.js";
import type { PodSecurityCheck, Violation } from "./types.js";

/**
 * Capstan's one rule beyond the standards, enforced at every level including privileged: on a
 * Docker host the engine's socket is the whole host, so only a hostPaths exception that names it
 * (or a directory holding it) lets a pod mount it.
 */
export const dockerSocket: PodSecurityCheck = {
  id: "dockerSocket",
  level: "privileged",
  check(pod, exceptions) {
    const out: Violation[] = [];
    listOf(pod.spec["volumes"]).forEach((v, i) => {
      const volume = fieldsOf(v);
      const path = fieldsOf(volume?.["hostPath"])?.["path"];
      if (typeof path !== "string" || !exposesDockerSocket(path) || coveringHostPath(path, exceptions.hostPaths)) return;
      out.push({
        field: `${pod.specPath}.volumes[${i}].hostPath.path`,
        reason: "Docker socket",
        detail: `volume ${JSON.stringify(volume?.["name"] ?? i)} mounts ${path}, which gives the container the Docker API and so root on the host`,
        fix: grantable("remove it", `hostPaths: [${JSON.stringify(path)}]; no level lifts this rule`),
      });
    });
    return out;
  },
};
