import { manifestKey } from "../../manifest/index.js";
import type { ManifestObject } from "../../manifest/index.js";
import { LABEL, MANAGED_BY_VALUE } from "../../runtime/labels.js";
import type { ContainerRuntime } from "../../runtime/types.js";
import { POD_LABEL } from "../pods/materialize.js";
import { scheduledAtOf } from "../workloads/cronjob.js";
import type { LiveObject } from "./plan.js";

/**
 * An application's live objects rebuilt from what the engine holds: workloads from container
 * labels (owner kind/name, revision), claims from volume labels, and objects without containers
 * (ConfigMaps, Secrets, Services) from what was last applied. Given several engines (nodes), all are read. `lastApplied` gives each object's
 * content for the diff.
 */
export async function readLiveObjects(
  runtime: ContainerRuntime | readonly ContainerRuntime[],
  app: string,
  defaultNamespace: string,
  lastApplied: readonly ManifestObject[] = [],
  extraLabels: Record<string, string> = {},
): Promise<LiveObject[]> {
  const applied = new Map(lastApplied.map((o) => [manifestKey(o, defaultNamespace), o]));
  const cronJobs = new Set(lastApplied.filter((o) => o.kind === "CronJob").map((o) => `${o.metadata.namespace || defaultNamespace}/${o.metadata.name}`));
  const out = new Map<string, LiveObject>();
  const put = (kind: string, name: string, namespace: string): LiveObject => {
    const key = `${namespace}/${kind}/${name}`;
    let l = out.get(key);
    if (!l) {
      l = { key, kind, name, namespace, owned: true };
      const known = applied.get(key);
      if (known) l.object = known as unknown as Record<string, unknown>;
      out.set(key, l);
    }
    return l;
  };
  const selector = { ...extraLabels, [LABEL.managedBy]: MANAGED_BY_VALUE, [LABEL.application]: app };
  const engines = Array.isArray(runtime) ? (runtime as readonly ContainerRuntime[]) : [runtime as ContainerRuntime];
  // Every node's engine: an engine that does not answer shows nothing (its pods are the node monitor's business).
  const containers = (await Promise.all(engines.map((e, i) => (i === 0 ? e.list(selector) : e.list(selector).catch(() => []))))).flat();
  const volumes = (await Promise.all(engines.map((e, i) => (i === 0 ? e.listVolumes(selector) : e.listVolumes(selector).catch(() => []))))).flat();
  for (const c of containers) {
    const ns = c.labels[LABEL.namespace];
    let kind = c.labels[LABEL.ownerKind];
    let name = c.labels[LABEL.ownerName];
    const revision = c.labels[LABEL.revision] ?? "";
    if (!ns || !kind || !name) continue;
    if (kind === "Job") {
      // A CronJob's runs show as the CronJob.
      const dash = name.lastIndexOf("-");
      const parent = dash > 0 ? name.slice(0, dash) : "";
      if (parent && cronJobs.has(`${ns}/${parent}`) && scheduledAtOf(parent, name) !== undefined) {
        kind = "CronJob";
        name = parent;
      }
    }
    const l = put(kind, name, ns);
    if (kind === "Deployment") l.revisions = { ...l.revisions, [revision]: (l.revisions?.[revision] ?? 0) + 1 };
  }
  for (const v of volumes) {
    const claim = v.labels[POD_LABEL.claim];
    const ns = v.labels[LABEL.namespace];
    if (claim && ns) put("PersistentVolumeClaim", claim, ns);
  }
  for (const o of lastApplied) {
    if (o.kind === "ConfigMap" || o.kind === "Secret" || o.kind === "Service" || o.kind === "CronJob" || o.kind === "Job" || o.kind === "PersistentVolumeClaim") {
      put(o.kind, o.metadata.name, o.metadata.namespace || defaultNamespace);
    }
  }
  return [...out.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}
