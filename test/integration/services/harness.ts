import { createServer } from "node:net";
import { Applier } from "../../../src/controllers/apply/applier.js";
import { MemoryDesiredStore } from "../../../src/controllers/apply/desired-store.js";
import { createPodManager } from "../../../src/controllers/pods/index.js";
import type { PodManager } from "../../../src/controllers/pods/types.js";
import type { Problem } from "../../../src/errors.js";
import type { ManifestObject, Service } from "../../../src/manifest/index.js";
import { ServiceController } from "../../../src/services/index.js";
import { EngineRun } from "../controllers/workloads/harness.js";

/** The wiring the daemon uses: pod manager → ServiceController (drains before delete) → Applier. */
export class ServiceRun extends EngineRun {
  readonly warnings: Problem[] = [];
  private readonly stacks: { applier: Applier; pods: PodManager; controller: ServiceController }[] = [];

  async stack(): Promise<{ applier: Applier; pods: PodManager; controller: ServiceController }> {
    const runtimes = new Map([["local", this.rt]]);
    const pods = createPodManager({ runtimes, stateDir: this.stateDir, labels: this.labels });
    await pods.start();
    const controller = new ServiceController({ pods, runtimes, serveProxies: true, labels: this.labels, onWarning: (p) => this.warnings.push(p) });
    const applier = new Applier({ runtime: this.rt, pods: controller.pods, store: new MemoryDesiredStore(), labels: this.labels });
    applier.start();
    const s = { applier, pods, controller };
    this.stacks.push(s);
    return s;
  }

  override async teardown(): Promise<void> {
    for (const s of this.stacks.splice(0)) {
      await s.applier.stop();
      await s.controller.close();
      await s.pods.stop();
    }
    await super.teardown();
  }
}

export function service(name: string, options: { selector?: Record<string, string>; port?: number; nodePort?: number; type?: string } = {}): ManifestObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name },
    spec: {
      type: options.type ?? "NodePort",
      selector: options.selector ?? { app: name },
      ports: [{ port: options.port ?? 80, targetPort: "http", ...(options.nodePort !== undefined ? { nodePort: options.nodePort } : {}) }],
    },
  } as ManifestObject;
}

export function worker(name: string): ManifestObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "w", image: "capstan-demo/worker:latest" }] } },
    },
  } as ManifestObject;
}

export const asService = (o: ManifestObject): Service => o as unknown as Service;

/** A port in the NodePort range nobody listens on right now (picked at random, then probed). */
export async function freeNodePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 30000 + Math.floor(Math.random() * 2768);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port in 30000-32767");
}

export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}
