/**
 * The sync daemon's speed and footprint:
 * - commit → new version serving through the Service's NodePort proxy, via the file watch and via a
 *   signed webhook (real Git and Docker; goal ≤ 1.5 s plus container start);
 * - daemon RSS with 100 applications / 1,000 containers on the fake runtime (goal ≤ 120 MB),
 *   measured in a child process so the first part does not count.
 * Run: npx tsx bench/daemon.bench.ts
 */
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startDaemon } from "../src/daemon/index.js";
import { FakeRuntime } from "../src/runtime/fake.js";
import type { ContainerRuntime } from "../src/runtime/types.js";
import { makeRepo, removeDir, tempDir } from "../test/helpers/git.js";
import { githubSignature, served, until, webFixture } from "../test/integration/daemon/fixture.js";

const NO_POLL = "0 0 1 1 *";
const ROUNDS = 5;

async function latency(via: "watch" | "webhook"): Promise<number[]> {
  const fx = webFixture(`bench-${via}`);
  const stateDir = tempDir("capstan-bench-");
  const secret = "bench-secret";
  const d = await startDaemon({ stateDir, repo: fx.repo.path, port: 0, poll: NO_POLL, watch: via === "watch", webhookSecret: secret, labels: fx.runLabel });
  const out: number[] = [];
  try {
    await until("v1 serving", async () => (await served(fx.nodePort)) === "web v1", 60_000);
    for (let i = 0; i < ROUNDS; i++) {
      const tag = i % 2 === 0 ? "v2" : "v1";
      const started = performance.now();
      fx.deploy(tag);
      if (via === "webhook") {
        const body = Buffer.from(JSON.stringify({ ref: "refs/heads/main", repository: { clone_url: fx.repo.path } }));
        await fetch(`${d.url}/api/webhook`, { method: "POST", headers: { "content-type": "application/json", "x-github-event": "push", "x-hub-signature-256": githubSignature(secret, body) }, body });
      }
      await until(`web ${tag} serving`, async () => (await served(fx.nodePort)) === `web ${tag}`, 60_000, 20);
      out.push(performance.now() - started);
      // Let the rollout finish (old pod drained) before the next commit.
      await until("healthy", async () => (await d.daemon.view.summary(fx.app)).health === "Healthy", 30_000, 50);
    }
  } finally {
    await d.stop();
    fx.cleanup();
    await removeDir(stateDir);
  }
  return out;
}

function containerStartMs(): number {
  const started = performance.now();
  const id = execFileSync("docker", ["run", "-d", "--rm", "--label", "capstan-bench=start", "capstan-demo/web:v1"], { encoding: "utf8" }).trim();
  const elapsed = performance.now() - started;
  execFileSync("docker", ["rm", "-f", id], { stdio: "ignore" });
  return elapsed;
}

async function rssChild(): Promise<void> {
  const apps = 100;
  const replicas = 10;
  const repo = makeRepo();
  const files: Record<string, string> = {
    "charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
    "charts/app/values.yaml": "replicas: 10\n",
    "charts/app/templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      containers:
        - name: app
          image: capstan-demo/web:v1
          ports: [{containerPort: 8080}]
`,
  };
  for (let i = 0; i < apps; i++) {
    files[`apps/app${i}.yaml`] = `apiVersion: capstan.dev/v1alpha1
kind: Application
metadata:
  name: app${i}
spec:
  source:
    path: charts/app
    targetRevision: main
    values: {replicas: ${replicas}}
  destination:
    namespace: ns${i % 10}
  syncPolicy:
    automated: {prune: true}
`;
  }
  repo.commit(files, "100 applications");
  const stateDir = tempDir("capstan-bench-rss-");
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  const runtime = new FakeRuntime({ images: ["capstan-demo/web:v1"], cpus: 10_000, memoryBytes: 10_000 * 1024 ** 3 });
  const d = await startDaemon({ stateDir, repo: repo.path, port: 0, poll: NO_POLL, watch: false, concurrency: 8, runtimes: new Map<string, ContainerRuntime>([["local", runtime]]) });
  const started = performance.now();
  await until(
    "every application healthy",
    async () => {
      const all = await d.daemon.view.listApps();
      return all.length === apps && all.every((a) => a.health === "Healthy");
    },
    300_000,
    500,
  );
  const convergeMs = performance.now() - started;
  const containers = (await runtime.list()).length;
  global.gc?.();
  await new Promise((r) => setTimeout(r, 2000));
  const rss = process.memoryUsage().rss;
  const heap = process.memoryUsage().heapUsed;
  await d.stop();
  await removeDir(stateDir);
  await removeDir(repo.path);
  process.stdout.write(JSON.stringify({ apps, containers, rssMB: rss / 1024 ** 2, baselineMB: baseline / 1024 ** 2, heapMB: heap / 1024 ** 2, convergeMs }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

if (process.argv.includes("--rss-only")) {
  const child = spawnSync(process.execPath, ["--import", "tsx", "--expose-gc", fileURLToPath(import.meta.url), "--rss-child"], { encoding: "utf8", timeout: 600_000 });
  console.log(child.stdout, child.stderr.slice(-2000));
} else if (process.argv.includes("--rss-child")) {
  await rssChild();
  process.exit(0);
} else {
  const start = containerStartMs();
  const watch = await latency("watch");
  const hook = await latency("webhook");
  const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(", ")})`;
  console.log(`docker run of capstan-demo/web (container start, for reference): ${start.toFixed(0)} ms`);
  console.log(`commit → serving via watch:   ${fmt(watch)}; goal ≤ 1500 ms + container start`);
  console.log(`commit → serving via webhook: ${fmt(hook)}; goal ≤ 1500 ms + container start`);
  const child = spawnSync(process.execPath, ["--import", "tsx", "--expose-gc", fileURLToPath(import.meta.url), "--rss-child"], { encoding: "utf8", timeout: 600_000 });
  if (child.status !== 0) {
    console.error(child.stderr);
    process.exitCode = 1;
  } else {
    const r = JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "{}") as { apps: number; containers: number; rssMB: number; baselineMB: number; heapMB: number; convergeMs: number };
    console.log(`daemon RSS with ${r.apps} applications / ${r.containers} containers (fake runtime): ${r.rssMB.toFixed(1)} MB; goal ≤ 120 MB (converged in ${(r.convergeMs / 1000).toFixed(1)} s; process before the daemon started, modules loaded: ${r.baselineMB.toFixed(1)} MB; JS heap in use: ${r.heapMB.toFixed(1)} MB)`);
  }
}
