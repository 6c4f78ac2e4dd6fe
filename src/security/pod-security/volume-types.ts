import { notGrantable } from "./hints.js";
import { fieldsOf, listOf } from "./pod.js";
import type { PodSecurityCheck, Violation } from "./types.js";

/** Volume sources restricted allows: those that carry the pod's own data, nothing of the node's. */
export const RESTRICTED_VOLUME_TYPES: ReadonlySet<string> = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);

/** Baseline refuses gitRepo: it runs git on the node with the pod's arguments. */
export const baselineVolumes: PodSecurityCheck = {
  id: "baselineVolumes",
  level: "baseline",
  check(pod) {
    const out: Violation[] = [];
    listOf(pod.spec["volumes"]).forEach((v, i) => {
      const volume = fieldsOf(v);
      if (volume?.["gitRepo"] === undefined || volume["gitRepo"] === null) return;
      out.push({
        field: `${pod.specPath}.volumes[${i}].gitRepo`,
        reason: "restricted volume types",
        detail: `volume ${JSON.stringify(volume["name"] ?? i)} uses restricted volume type "gitRepo"`,
        fix: notGrantable("clone in an init container into an emptyDir volume instead", "baseline"),
      });
    });
    return out;
  },
};

/**
 * Restricted allows only the volume types above. hostPath and gitRepo stay with their baseline
 * rules (the first can be granted per path), so each volume is reported once.
 */
export const restrictedVolumes: PodSecurityCheck = {
  id: "restrictedVolumes",
  level: "restricted",
  check(pod) {
    const out: Violation[] = [];
    listOf(pod.spec["volumes"]).forEach((v, i) => {
      const volume = fieldsOf(v) ?? {};
      for (const type of Object.keys(volume)) {
        if (type === "name" || type === "hostPath" || type === "gitRepo" || RESTRICTED_VOLUME_TYPES.has(type)) continue;
        out.push({
          field: `${pod.specPath}.volumes[${i}].${type}`,
          reason: "restricted volume types",
          detail: `volume ${JSON.stringify(volume["name"] ?? i)} uses restricted volume type ${JSON.stringify(type)}`,
          fix: notGrantable(`use one of ${[...RESTRICTED_VOLUME_TYPES].join(", ")}`, "restricted"),
        });
      }
    });
    return out;
  },
};
