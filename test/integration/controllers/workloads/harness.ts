import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Applier } from "../../../../src/controllers/apply/applier.js";
import type { SyncOutcome, SyncRequest } from "../../../../src/controllers/apply/applier.js";
import { MemoryDesiredStore } from "../../../../src/controllers/apply/desired-store.js";
import type { DesiredStore } from "../../../../src/controllers/apply/desired-store.js";
import type { Clock } from "../../../../src/controllers/clock.js";
import { DockerPodManager } from "../../../../src/controllers/pods/manager.js";
import { normalize } from "../../../../src/manifest/index.js";
import type { ManifestObject } from "../../../../src/manifest/index.js";
import { DockerRuntime } from "../../../../src/runtime/docker.js";
import { LABEL } from "../../../../src/runtime/labels.js";

/** One test run on the real engine: everything made carries `capstan.dev/test-run`, and only that is removed. */
export class EngineRun {
  readonly id = randomBytes(3).toString("hex");
  readonly labels = { "capstan.dev/test-run": this.id };
  readonly namespace = `it${this.id}`;
  readonly rt = new DockerRuntime({ node: "local" });
  readonly store: DesiredStore = new MemoryDesiredStore();
  stateDir = "";
  private readonly running: { applier: Applier; pods: DockerPodManager }[] = [];

  async setup(): Promise<void> {
    this.stateDir = await mkdtemp(join(tmpdir(), "capstan-it-workloads-"));
  }

  async start(options: { clock?: Clock } = {}): Promise<{ applier: Applier; pods: DockerPodManager }> {
    const log = process.env["CAPSTAN_IT_LOG"] ? (e: Record<string, unknown>) => console.error(JSON.stringify(e)) : undefined;
    const pods = new DockerPodManager({ runtimes: new Map([["local", this.rt]]), stateDir: this.stateDir, labels: this.labels, ...(options.clock ? { clock: options.clock } : {}), ...(log ? { log } : {}) });
    await pods.start();
    const applier = new Applier({ runtime: this.rt, pods, store: this.store, labels: this.labels, ...(options.clock ? { clock: options.clock } : {}), ...(log ? { log } : {}) });
    applier.start();
    const pair = { applier, pods };
    this.running.push(pair);
    return pair;
  }

  /** Stops an applier and its pod manager as a crash would leave them: containers keep running. */
  async kill(pair: { applier: Applier; pods: DockerPodManager }): Promise<void> {
    const i = this.running.indexOf(pair);
    if (i >= 0) this.running.splice(i, 1);
    await pair.applier.stop();
    await pair.pods.stop();
  }

  async teardown(): Promise<void> {
    for (const p of this.running.splice(0)) {
      await p.applier.stop();
      await p.pods.stop();
    }
    for (const c of await this.rt.list(this.labels)) await this.rt.remove(c.id, { force: true });
    for (const v of await this.rt.listVolumes(this.labels)) await this.rt.removeVolume(v.name).catch(() => undefined);
    for (const n of await this.rt.listNetworks(this.labels)) await this.rt.removeNetwork(n.name).catch(() => undefined);
    await rm(this.stateDir, { recursive: true, force: true });
  }

  request(app: string, commit: string, objects: ManifestObject[], over: Partial<SyncRequest> = {}): SyncRequest {
    // One namespace per application: pod names are unique per namespace, as in Kubernetes.
    const namespace = `${this.namespace}-${app}`.slice(0, 63);
    return { app, namespace, commit, objects: objects.map((o) => normalize(o, namespace)), prune: false, ...over };
  }

  async containers(app: string, owner?: string): Promise<{ name: string; image: string; running: boolean; port?: number }[]> {
    const list = await this.rt.list({ ...this.labels, [LABEL.application]: app, ...(owner ? { [LABEL.ownerName]: owner } : {}) });
    return list.map((c) => ({ name: c.name, image: c.image, running: c.status === "running", ...(c.ports[0] ? { port: c.ports[0].hostPort } : {}) })).sort((a, b) => (a.name < b.name ? -1 : 1));
  }
}

export function web(name: string, options: { image?: string; replicas?: number; strategy?: Record<string, unknown>; spec?: Record<string, unknown>; configMap?: string } = {}): ManifestObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas: options.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      ...(options.strategy ? { strategy: options.strategy } : {}),
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: "web",
              image: options.image ?? "capstan-demo/web:v1",
              ports: [{ name: "http", containerPort: 8080 }],
              readinessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 1 },
              ...(options.configMap ? { envFrom: [{ configMapRef: { name: options.configMap } }] } : {}),
            },
          ],
        },
      },
      ...(options.spec ?? {}),
    },
  } as ManifestObject;
}

export function configMap(name: string, data: Record<string, string>): ManifestObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data } as ManifestObject;
}

/** Samples every ~100 ms while `work` runs: containers on the engine and ready pods in the pod manager. */
export async function sampled<T>(work: Promise<T>, sample: () => Promise<{ containers: number; ready: number }>): Promise<{ value: T; maxContainers: number; minReady: number; samples: number }> {
  let maxContainers = 0;
  let minReady = Infinity;
  let samples = 0;
  let done = false;
  const loop = (async () => {
    while (!done) {
      const s = await sample();
      maxContainers = Math.max(maxContainers, s.containers);
      minReady = Math.min(minReady, s.ready);
      samples++;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const value = await work.finally(() => {
    done = true;
  });
  await loop;
  return { value, maxContainers, minReady, samples };
}

export async function httpGet(port: number, path = "/"): Promise<string> {
  let last: unknown;
  for (let i = 0; i < 50; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return await res.text();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nothing answered on 127.0.0.1:${port}: ${String(last)}`);
}

export type { SyncOutcome };
