/**
 * The daemon's resident memory as users run it (compiled `dist/`, plain node, no transpiler): 100
 * applications of 10 replicas each on the fake runtime. Prints one JSON line. Run by
 * bench/daemon.bench.ts after `npm run build`.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const apps = 100;
const replicas = 10;
const repo = mkdtempSync(join(tmpdir(), "capstan-bench-rss-repo-"));
const stateDir = mkdtempSync(join(tmpdir(), "capstan-bench-rss-"));
const files = {
  "charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
  "charts/app/values.yaml": `replicas: ${replicas}\n`,
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
  destination:
    namespace: ns${i % 10}
  syncPolicy:
    automated: {prune: true}
`;
}
for (const [f, text] of Object.entries(files)) {
  mkdirSync(dirname(join(repo, f)), { recursive: true });
  writeFileSync(join(repo, f), text);
}
const git = (...args) => execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@capstan.invalid", "-c", "commit.gpgsign=false", ...args], { cwd: repo, stdio: "ignore" });
git("init", "-q", "--initial-branch=main");
git("add", "--all");
git("commit", "-q", "-m", "100 applications");

const { startDaemon } = await import("../dist/daemon/index.js");
const { FakeRuntime } = await import("../dist/runtime/fake.js");
global.gc?.();
const { rss: baseline, heapUsed: baselineHeap } = process.memoryUsage();
const runtime = new FakeRuntime({ images: ["capstan-demo/web:v1"], cpus: 10_000, memoryBytes: 10_000 * 1024 ** 3 });
const d = await startDaemon({ stateDir, repo, port: 0, poll: "0 0 1 1 *", watch: false, concurrency: 8, runtimes: new Map([["local", runtime]]) });
const started = performance.now();
// Peak resident memory while converging, sampled every 100 ms.
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 100);
const deadline = Date.now() + 300_000;
for (;;) {
  const all = await d.daemon.view.listApps();
  if (all.length === apps && all.every((a) => a.health === "Healthy")) break;
  if (Date.now() > deadline) throw new Error("not every application became healthy within 300 s");
  await new Promise((r) => setTimeout(r, 500));
}
const convergeMs = performance.now() - started;
clearInterval(sampler);
const containers = (await runtime.list()).length;
// As it stands when converged (render workers still up), then settled: idle workers ended, a full collection and two quiet seconds.
const converged = process.memoryUsage.rss();
// Between commits the daemon holds no render workers: they end once idle (10 s).
const quiet = Date.now() + 30_000;
while (d.daemon.renderer.workers() > 0 && Date.now() < quiet) await new Promise((r) => setTimeout(r, 250));
global.gc?.();
await new Promise((r) => setTimeout(r, 2000));
const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
await d.stop();
rmSync(stateDir, { recursive: true, force: true });
rmSync(repo, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ apps, containers, rssMB: rss / 1024 ** 2, peakMB: Math.max(peak, converged) / 1024 ** 2, convergedMB: converged / 1024 ** 2, baselineMB: baseline / 1024 ** 2, baselineHeapMB: baselineHeap / 1024 ** 2, heapMB: heapUsed / 1024 ** 2, heapTotalMB: heapTotal / 1024 ** 2, externalMB: external / 1024 ** 2, arrayBuffersMB: arrayBuffers / 1024 ** 2, convergeMs })}\n`);
process.exit(0);
