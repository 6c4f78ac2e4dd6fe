import { join } from "node:path";
import { rm } from "node:fs/promises";
import { LABEL, MANAGED_BY_VALUE } from "../../runtime/labels.js";
import type { ContainerRuntime } from "../../runtime/types.js";
import { networkName, POD_LABEL } from "../pods/materialize.js";
import { serviceNetworkName } from "../../services/index.js";
import type { DesiredStore } from "./desired-store.js";

export interface DeleteApplicationOptions {
  runtime: ContainerRuntime;
  /** Every node's engine (default: `runtime` alone): containers, volumes and networks go on each. */
  runtimes?: readonly ContainerRuntime[];
  store: DesiredStore;
  stateDir: string;
  /** Also remove named volumes (PersistentVolumeClaims); emptyDir volumes always go. */
  volumes?: boolean;
  /** Only what carries these labels too (tests mark their run). */
  labels?: Record<string, string>;
  /** Grace period for stopping containers. Default 10 s. */
  graceSeconds?: number;
}

export interface DeleteReport {
  containers: string[];
  networks: string[];
  volumes: string[];
  /** Named volumes kept because `--volumes` was not given. */
  keptVolumes: string[];
  files: string[];
}

/**
 * Removes everything Capstan made for one application: its containers, its generated files and
 * stored state, the namespace networks no other container uses any more, its emptyDir volumes,
 * and its named volumes only when asked.
 */
export async function deleteApplication(app: string, options: DeleteApplicationOptions): Promise<DeleteReport> {
  const { stateDir } = options;
  const engines = options.runtimes && options.runtimes.length > 0 ? options.runtimes : [options.runtime];
  const extra = options.labels ?? {};
  const selector = { ...extra, [LABEL.managedBy]: MANAGED_BY_VALUE, [LABEL.application]: app };
  const report: DeleteReport = { containers: [], networks: [], volumes: [], keptVolumes: [], files: [] };
  const namespaces = new Set<string>();
  const state = await options.store.load(app);
  for (const o of [...(state.applied?.objects ?? []), ...(state.healthy?.objects ?? [])]) if (o.metadata.namespace) namespaces.add(o.metadata.namespace);
  for (const runtime of engines) {
    const containers = await runtime.list(selector);
    await Promise.all(
      containers.map(async (c) => {
        const ns = c.labels[LABEL.namespace];
        const pod = c.labels[LABEL.pod];
        if (ns) namespaces.add(ns);
        await runtime.stop(c.id, { graceSeconds: options.graceSeconds ?? 10 }).catch(() => undefined);
        await runtime.remove(c.id, { force: true });
        report.containers.push(c.name);
        if (ns && pod) {
          const dir = join(stateDir, "files", ns, pod);
          await rm(dir, { recursive: true, force: true });
          report.files.push(dir);
        }
      }),
    );
    for (const v of await runtime.listVolumes(selector)) {
      const ns = v.labels[LABEL.namespace];
      if (ns) namespaces.add(ns);
      if (v.labels[POD_LABEL.claim] !== undefined && !options.volumes) {
        report.keptVolumes.push(v.name);
        continue;
      }
      await runtime.removeVolume(v.name);
      report.volumes.push(v.name);
    }
  }
  // A namespace's networks (its pods' and its Services') go once nothing of Capstan's uses them on that node:
  // left behind, each holds one of the engine's address pools until none is left.
  for (const runtime of engines) {
    const networks = await runtime.listNetworks({ [LABEL.managedBy]: MANAGED_BY_VALUE });
    for (const ns of namespaces) {
      const users = await runtime.list({ [LABEL.managedBy]: MANAGED_BY_VALUE, [LABEL.namespace]: ns });
      if (users.length > 0) continue;
      for (const name of [networkName(ns), serviceNetworkName(ns)]) {
        if (!networks.some((n) => n.name === name)) continue;
        try {
          await runtime.removeNetwork(name);
          report.networks.push(engines.length > 1 ? `${name} on ${runtime.node}` : name);
        } catch {
          // Still joined by a container that is not Capstan's (an alias someone connected): kept.
        }
      }
    }
  }
  await options.store.remove(app);
  report.files.push(join(stateDir, "apps", app));
  report.containers.sort();
  return report;
}
