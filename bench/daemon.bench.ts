/**
 * The sync daemon's speed and footprint:
 * - commit → new version serving through the Service's NodePort proxy, via the file watch and via a
 *   signed webhook (real Git and Docker; goal ≤ 1.5 s plus container start);
 * - daemon RSS with 100 applications / 1,000 containers on the fake runtime (goal ≤ 120 MB),
 *   measured in a child process so the first part does not count.
 * Run: npx tsx bench/daemon.bench.ts
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startDaemon } from "../src/daemon/index.js";
import { removeDir, tempDir } from "../test/helpers/git.js";
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

/** Measures the compiled daemon (what `npm start` runs) in its own plain-node process: see daemon-rss.mjs. */
function rssChild(): ReturnType<typeof spawnSync> {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
  // With the V8 flags bin/capstan.js runs the daemon with, read from its first line.
  const shebang = readFileSync(fileURLToPath(new URL("../bin/capstan.js", import.meta.url)), "utf8").split("\n")[0] ?? "";
  const flags = shebang.split(/\s+/).filter((w) => w.startsWith("--"));
  return spawnSync(process.execPath, ["--expose-gc", ...flags, fileURLToPath(new URL("./daemon-rss.mjs", import.meta.url))], { encoding: "utf8", timeout: 600_000 });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

if (process.argv.includes("--rss-only")) {
  const child = rssChild();
  console.log(child.stdout, String(child.stderr).slice(-2000));
} else {
  const start = containerStartMs();
  const watch = await latency("watch");
  const hook = await latency("webhook");
  const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(", ")})`;
  console.log(`docker run of capstan-demo/web (container start, for reference): ${start.toFixed(0)} ms`);
  console.log(`commit → serving via watch:   ${fmt(watch)}; goal ≤ 1500 ms + container start`);
  console.log(`commit → serving via webhook: ${fmt(hook)}; goal ≤ 1500 ms + container start`);
  const child = rssChild();
  if (child.status !== 0) {
    console.error(child.stderr);
    process.exitCode = 1;
  } else {
    const r = JSON.parse(String(child.stdout).trim().split("\n").at(-1) ?? "{}") as { apps: number; containers: number; rssMB: number; baselineMB: number; heapMB: number; heapTotalMB: number; peakMB: number; convergedMB: number; convergeMs: number };
    console.log(
      `daemon RSS with ${r.apps} applications / ${r.containers} containers (fake runtime, compiled daemon on plain node with the flags bin/capstan.js gives it): ` +
        `${r.rssMB.toFixed(1)} MB settled, ${r.peakMB.toFixed(1)} MB at its peak while converging; goal ≤ 120 MB ` +
        `(converged in ${(r.convergeMs / 1000).toFixed(1)} s; process before the daemon started, modules loaded: ${r.baselineMB.toFixed(1)} MB; ` +
        `JS heap in use: ${r.heapMB.toFixed(1)} MB of ${r.heapTotalMB.toFixed(1)} MB kept by V8)`,
    );
  }
}
