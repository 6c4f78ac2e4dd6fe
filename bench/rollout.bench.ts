/**
 * A 10-replica rolling update v1 → v2, one pod at a time, start-first (maxSurge 1, maxUnavailable 0),
 * health-gated by an HTTP readiness check, by Capstan and by Docker Swarm (`docker service update
 * --update-parallelism 1 --update-order start-first` with a health command), same images, same
 * engine, same run. Prints both times and the ratio. A swarm this benchmark initialises is left
 * again afterwards; an existing swarm is left as it was.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Applier } from "../src/controllers/apply/applier.js";
import { MemoryDesiredStore } from "../src/controllers/apply/desired-store.js";
import { DockerPodManager } from "../src/controllers/pods/manager.js";
import { normalize } from "../src/manifest/index.js";
import type { ManifestObject } from "../src/manifest/index.js";
import { DockerRuntime } from "../src/runtime/docker.js";

const exec = promisify(execFile);
const docker = async (...args: string[]) => (await exec("docker", args, { maxBuffer: 16 * 1024 * 1024, timeout: 600_000 })).stdout.trim();
const REPLICAS = 10;
const id = randomBytes(3).toString("hex");

function deployment(image: string, namespace: string): ManifestObject {
  return normalize(
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: { app: "web" } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            terminationGracePeriodSeconds: 10,
            containers: [{ name: "web", image, ports: [{ name: "http", containerPort: 8080 }], readinessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 1 } }],
          },
        },
      },
    } as ManifestObject,
    namespace,
  );
}

async function capstan(): Promise<number> {
  const labels = { "capstan.dev/bench-run": id };
  const rt = new DockerRuntime({ node: "local" });
  const stateDir = await mkdtemp(join(tmpdir(), "capstan-bench-rollout-"));
  const pods = new DockerPodManager({ runtimes: new Map([["local", rt]]), stateDir, labels });
  await pods.start();
  const applier = new Applier({ runtime: rt, pods, store: new MemoryDesiredStore(), labels });
  applier.start();
  const ns = `bench${id}`;
  try {
    await applier.sync({ app: "bench", namespace: ns, commit: "v1", objects: [deployment("capstan-demo/web:v1", ns)], prune: false });
    const first = await applier.waitForHealthy("bench", 120_000);
    if (first.status !== "Healthy") throw new Error(`v1 did not become healthy: ${first.reason}`);
    const t0 = performance.now();
    await applier.sync({ app: "bench", namespace: ns, commit: "v2", objects: [deployment("capstan-demo/web:v2", ns)], prune: false });
    const done = await applier.waitForHealthy("bench", 300_000);
    const ms = performance.now() - t0;
    if (done.status !== "Healthy") throw new Error(`v2 rollout failed: ${done.reason}: ${done.message}`);
    return ms;
  } finally {
    await applier.stop();
    await pods.stop();
    for (const c of await rt.list(labels)) await rt.remove(c.id, { force: true });
    for (const n of await rt.listNetworks(labels)) await rt.removeNetwork(n.name).catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function swarm(): Promise<number | string> {
  const state = await docker("info", "--format", "{{.Swarm.LocalNodeState}}");
  let initialised = false;
  if (state !== "active") {
    try {
      await docker("swarm", "init", "--advertise-addr", "127.0.0.1");
      initialised = true;
    } catch (err) {
      return `docker swarm init failed: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim()}`;
    }
  }
  const name = `capstan-bench-${id}`;
  const health = ["--health-cmd", "http-get http://127.0.0.1:8080/healthz", "--health-interval", "1s", "--health-timeout", "2s", "--health-retries", "3", "--health-start-period", "0s"];
  try {
    try {
      await docker("service", "create", "--detach=false", "--quiet", "--name", name, "--replicas", String(REPLICAS), "--stop-grace-period", "10s", ...health, "--update-parallelism", "1", "--update-order", "start-first", "--update-delay", "0s", "--update-monitor", "1s", "capstan-demo/web:v1");
    } catch (err) {
      return `docker service create failed: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split("\n").slice(-3).join(" ")}`;
    }
    const t0 = performance.now();
    await docker("service", "update", "--detach=false", "--quiet", "--image", "capstan-demo/web:v2", "--update-parallelism", "1", "--update-order", "start-first", name);
    return performance.now() - t0;
  } catch (err) {
    return `docker service update failed: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split("\n").slice(-3).join(" ")}`;
  } finally {
    await docker("service", "rm", name).catch(() => undefined);
    if (initialised) await docker("swarm", "leave", "--force").catch(() => undefined);
  }
}

const capstanMs = await capstan();
console.log(`capstan: ${REPLICAS}-replica rolling update (maxSurge 1, maxUnavailable 0, readiness httpGet every 1 s): ${(capstanMs / 1000).toFixed(2)} s`);
const swarmResult = await swarm();
if (typeof swarmResult === "string") {
  console.log(`docker swarm: not measured: ${swarmResult}`);
} else {
  console.log(`docker swarm: service update --update-parallelism 1 --update-order start-first with --health-cmd: ${(swarmResult / 1000).toFixed(2)} s`);
  console.log(`ratio: Capstan is ${(swarmResult / capstanMs).toFixed(1)}x faster (goal ≥ 3x)`);
}
