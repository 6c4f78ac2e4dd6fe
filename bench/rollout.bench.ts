/**
 * A 10-replica rolling update v1 → v2, one pod at a time, start-first (maxSurge 1, maxUnavailable 0),
 * health-gated by an HTTP readiness check, by Capstan and by Docker Swarm (`docker service update
 * --update-parallelism 1 --update-order start-first` with a health command), same images, same
 * engine, same run. Prints both times, the ratio, and the Docker calls Capstan made during its
 * rollout (`--trace` prints them as a timeline with pod events; `--capstan-only` skips Swarm;
 * `--rounds N` alternates the two N times and prints ranges and medians). A swarm
 * this benchmark initialises is left again afterwards; an existing swarm is left as it was.
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
import { DEFAULT_POD_REPLACEMENT_POLICY } from "../src/controllers/workloads/rollout.js";
import { normalize } from "../src/manifest/index.js";
import type { ManifestObject } from "../src/manifest/index.js";
import { DockerRuntime } from "../src/runtime/docker.js";

const exec = promisify(execFile);
const docker = async (...args: string[]) => (await exec("docker", args, { maxBuffer: 16 * 1024 * 1024, timeout: 600_000 })).stdout.trim();
const REPLICAS = 10;
const TRACE = process.argv.includes("--trace");
const CAPSTAN_ONLY = process.argv.includes("--capstan-only");
/** `--rounds N` alternates Capstan and Swarm N times (the machine is shared: one round is noisy). */
const roundsAt = process.argv.indexOf("--rounds");
const roundsArg = roundsAt >= 0 ? process.argv[roundsAt + 1] : process.argv.find((a) => a.startsWith("--rounds="))?.slice("--rounds=".length);
const ROUNDS = Math.max(1, Number.parseInt(roundsArg ?? "1", 10) || 1);
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

/** Docker calls Capstan made during the measured rollout: when each began (ms from its start) and how long it took. */
interface EngineCall {
  name: string;
  arg: string;
  at: number;
  ms: number;
}

/** Wraps the engine's methods to record each call made while `window()` gives a start time. */
function recordEngineCalls(rt: DockerRuntime, window: () => number | undefined, calls: EngineCall[]): void {
  const target = rt as unknown as Record<string, unknown>;
  for (const name of ["create", "start", "stop", "remove", "inspect", "list", "ensureNetwork", "ensureVolume", "listVolumes", "connectNetwork", "disconnectNetwork"]) {
    const original = target[name];
    if (typeof original !== "function") continue;
    target[name] = async (...args: unknown[]) => {
      const t = performance.now();
      try {
        return await (original as (...a: unknown[]) => Promise<unknown>).apply(rt, args);
      } finally {
        const from = window();
        if (from !== undefined) calls.push({ name, arg: typeof args[0] === "string" ? args[0] : "", at: t - from, ms: performance.now() - t });
      }
    };
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(3).padStart(7)}`;

function engineSummary(calls: EngineCall[]): string {
  const by = new Map<string, number[]>();
  for (const c of calls) by.set(c.name, [...(by.get(c.name) ?? []), c.ms]);
  return [...by.entries()]
    .sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0))
    .map(([name, ms]) => `${name} ${ms.length}× ${Math.round(ms.reduce((x, y) => x + y, 0) / ms.length)} ms`)
    .join(", ");
}

async function capstan(round: number): Promise<{ ms: number; calls: EngineCall[] }> {
  const labels = { "capstan.dev/bench-run": id };
  const rt = new DockerRuntime({ node: "local" });
  let from: number | undefined;
  const calls: EngineCall[] = [];
  recordEngineCalls(rt, () => from, calls);
  const stateDir = await mkdtemp(join(tmpdir(), "capstan-bench-rollout-"));
  const pods = new DockerPodManager({ runtimes: new Map([["local", rt]]), stateDir, labels });
  await pods.start();
  const applier = new Applier({ runtime: rt, pods, store: new MemoryDesiredStore(), labels });
  applier.start();
  const timeline: { at: number; line: string }[] = [];
  if (TRACE) {
    const seen = new Map<string, string>();
    pods.onEvent((e) => {
      if (from !== undefined) timeline.push({ at: performance.now() - from, line: `${e.pod.slice(-5)} ${e.reason}: ${e.message.slice(0, 90)}` });
    });
    pods.onChange((p) => {
      const line = `${p.phase} ready=${p.ready} terminating=${p.terminating}${p.message ? ` (${p.message.slice(0, 60)})` : ""}`;
      if (from !== undefined && seen.get(p.name) !== line) timeline.push({ at: performance.now() - from, line: `${p.name.slice(-5)} ${line}` });
      seen.set(p.name, line);
    });
  }
  const ns = `bench${id}r${round}`;
  try {
    await applier.sync({ app: "bench", namespace: ns, commit: "v1", objects: [deployment("capstan-demo/web:v1", ns)], prune: false });
    const first = await applier.waitForHealthy("bench", 120_000);
    if (first.status !== "Healthy") throw new Error(`v1 did not become healthy: ${first.reason}`);
    const t0 = performance.now();
    from = t0;
    await applier.sync({ app: "bench", namespace: ns, commit: "v2", objects: [deployment("capstan-demo/web:v2", ns)], prune: false });
    const done = await applier.waitForHealthy("bench", 300_000);
    const ms = performance.now() - t0;
    from = undefined;
    if (done.status !== "Healthy") throw new Error(`v2 rollout failed: ${done.reason}: ${done.message}`);
    if (TRACE) {
      const lines = [...timeline, ...calls.map((c) => ({ at: c.at, line: `engine ${c.name}(${c.arg.slice(-5)}) ${Math.round(c.ms)} ms` }))].sort((a, b) => a.at - b.at);
      for (const l of lines) console.log(`${seconds(l.at)} ${l.line}`);
    }
    return { ms, calls };
  } finally {
    from = undefined;
    await applier.stop();
    await pods.stop();
    for (const c of await rt.list(labels)) await rt.remove(c.id, { force: true });
    for (const n of await rt.listNetworks(labels)) await rt.removeNetwork(n.name).catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function swarm(round: number): Promise<number | string> {
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
  const name = `capstan-bench-${id}-${round}`;
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

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const ratios: number[] = [];
const capstanTimes: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  if (ROUNDS > 1) console.log(`round ${round}/${ROUNDS}`);
  const result = await capstan(round);
  capstanTimes.push(result.ms);
  console.log(
    `capstan: ${REPLICAS}-replica rolling update (maxSurge 1, maxUnavailable 0, readiness httpGet every 1 s, pod replacement ${DEFAULT_POD_REPLACEMENT_POLICY}): ${(result.ms / 1000).toFixed(2)} s`,
  );
  console.log(`capstan: engine calls during the rollout: ${engineSummary(result.calls)}`);
  const swarmResult = CAPSTAN_ONLY ? "skipped (--capstan-only)" : await swarm(round);
  if (typeof swarmResult === "string") {
    console.log(`docker swarm: not measured: ${swarmResult}`);
  } else {
    ratios.push(swarmResult / result.ms);
    console.log(`docker swarm: service update --update-parallelism 1 --update-order start-first with --health-cmd: ${(swarmResult / 1000).toFixed(2)} s`);
    console.log(`ratio: Capstan is ${(swarmResult / result.ms).toFixed(1)}x faster (goal ≥ 3x)`);
  }
}
if (ROUNDS > 1) {
  const range = (xs: number[], f: (x: number) => string) => `${f(Math.min(...xs))}–${f(Math.max(...xs))}, median ${f(median(xs))}`;
  console.log(`capstan over ${ROUNDS} rounds: ${range(capstanTimes, (x) => `${(x / 1000).toFixed(2)} s`)}`);
  if (ratios.length > 0) console.log(`ratio over ${ratios.length} rounds: ${range(ratios, (x) => `${x.toFixed(1)}x`)} (goal ≥ 3x)`);
}
