/**
 * `capstan diff --all` over a repository of 50 applications (the repo-example web chart, one
 * values file each) between two commits, ten of which change an image tag. The cache is warm:
 * the mirror is fetched and both trees are checked out by a first, untimed run, as in CI where
 * the state directory persists between pipeline runs. Each timed run still fetches the
 * repository once, resolves both refs and renders all 100 application-sides afresh.
 *
 * A second figure, without a goal: a chart template edit that changes all 50 applications.
 *
 * Run: npx tsx bench/diff.bench.ts        Goal: ≤ 1 s per run.
 */
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { diffRevisions } from "../src/cli/commands/diff.js";
import { createGitSource } from "../src/source/index.js";
import { makeRepo, removeDir, tempDir } from "../test/helpers/git.js";

const APPS = 50;
const CHANGED = 10;
const RUNS = 9;

const path = tempDir("capstan-bench-repo-");
const stateDir = tempDir("capstan-bench-state-");
try {
  mkdirSync(join(path, "charts"), { recursive: true });
  cpSync(join(import.meta.dirname, "../repo-example/charts/web"), join(path, "charts/web"), { recursive: true });
  const repo = makeRepo(path);
  const files: Record<string, string> = {};
  const app = (i: number) => `app-${String(i).padStart(2, "0")}`;
  for (let i = 0; i < APPS; i++) {
    files[`apps/${app(i)}.yaml`] = `apiVersion: capstan.dev/v1alpha1
kind: Application
metadata:
  name: ${app(i)}
spec:
  source:
    path: charts/web
    targetRevision: main
    valueFiles: [envs/prod/${app(i)}.yaml]
  destination:
    namespace: team-${i % 5}
`;
    files[`envs/prod/${app(i)}.yaml`] = `replicaCount: ${(i % 4) + 1}\nimage:\n  tag: v1\nconfig:\n  APP: "${app(i)}"\n`;
  }
  const base = repo.commit(files, "50 applications");
  const changes: Record<string, string> = {};
  for (let i = 0; i < CHANGED; i++) {
    changes[`envs/prod/${app(i * 5)}.yaml`] = `replicaCount: ${((i * 5) % 4) + 1}\nimage:\n  tag: v2\nconfig:\n  APP: "${app(i * 5)}"\n`;
  }
  const revision = repo.commit(changes, "ten applications to v2");

  // The worst case: a chart template change re-renders every application on both sides.
  const templatePath = "charts/web/templates/configmap.yaml";
  const everyApp = repo.commit(
    { [templatePath]: `${readFileSync(join(path, templatePath), "utf8")}  CHART_REVISION: "2"\n` },
    "chart change touching every application",
  );

  const source = createGitSource({ stateDir });
  const measure = async (from: string, to: string, expected: number) => {
    const run = () => diffRevisions({ repo: path, apps: "all", base: from, revision: to, source });
    const cold = performance.now();
    const first = await run();
    const coldMs = performance.now() - cold;
    if (first.apps.length !== expected) throw new Error(`expected ${expected} changed applications, got ${first.apps.length}`);
    const times: number[] = [];
    const cpu: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      const c = process.cpuUsage();
      const report = await run();
      times.push(performance.now() - t);
      const used = process.cpuUsage(c);
      cpu.push((used.user + used.system) / 1000);
      if (report.apps.length !== expected) throw new Error("unexpected report");
    }
    times.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    return { coldMs, median: times[Math.floor(times.length / 2)] as number, min: times[0] as number, max: times[times.length - 1] as number, cpu: cpu[Math.floor(cpu.length / 2)] as number };
  };

  const main = await measure(base, revision, CHANGED);
  console.log(`diff --all, ${APPS} applications, ${CHANGED} changed, 2 commits`);
  console.log(`  cold (fetch + 2 checkouts + render): ${main.coldMs.toFixed(0)} ms`);
  console.log(`  warm cache, median of ${RUNS}: ${main.median.toFixed(0)} ms (min ${main.min.toFixed(0)} ms, max ${main.max.toFixed(0)} ms)  goal ≤ 1000 ms ${main.median <= 1000 ? "✓" : "✗"}`);
  console.log(`  this process's CPU per run, median: ${main.cpu.toFixed(0)} ms (git child processes not included)`);
  const all = await measure(revision, everyApp, APPS);
  console.log(`diff --all, ${APPS} applications, all ${APPS} changed (chart template edit): warm median ${all.median.toFixed(0)} ms, CPU ${all.cpu.toFixed(0)} ms`);
  console.log(`  load average while measuring: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
} finally {
  await removeDir(path);
  await removeDir(stateDir);
}
