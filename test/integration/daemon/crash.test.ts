import { spawn, type ChildProcess, execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStateStore } from "../../../src/state/index.js";
import { removeDir, tempDir } from "../../helpers/git.js";
import { served, until, webFixture, type WebFixture } from "./fixture.js";

const ENTRY = join(import.meta.dirname, "cli-entry.ts");
const KILL_POINTS = Number(process.env.CAPSTAN_KILL_POINTS ?? 20);

function spawnDaemon(fx: WebFixture, stateDir: string): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", ENTRY, "--state-dir", stateDir, "daemon", "--repo", fx.repo.path, "--listen", "127.0.0.1:0", "--poll", "0 0 1 1 *"], {
    env: { ...process.env, CAPSTAN_DAEMON_LABELS: JSON.stringify(fx.runLabel) },
    stdio: ["ignore", "ignore", "ignore"],
  });
}

/** Resolves when the child's API answers (its daemon.json names it). */
async function ready(child: ChildProcess, stateDir: string): Promise<void> {
  await until(
    "the daemon's API",
    async () => {
      const file = join(stateDir, "daemon.json");
      if (!existsSync(file)) return null;
      let info: { url: string; pid: number };
      try {
        info = JSON.parse(readFileSync(file, "utf8")) as { url: string; pid: number };
      } catch {
        return null; // an earlier run's file being replaced
      }
      if (info.pid !== child.pid) return null;
      const res = await fetch(`${info.url}/healthz`).catch(() => null);
      return res?.ok ?? null;
    },
    30_000,
  );
}

const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", () => r())));

async function rows(stateDir: string, app: string) {
  const store = openSqliteStateStore(stateDir);
  try {
    return await store.listRevisions(app);
  } finally {
    await store.close();
  }
}

function pods(fx: WebFixture): { id: string; running: boolean; commit: string }[] {
  const out = execFileSync("docker", ["ps", "-a", "--filter", `label=capstan-test=${fx.runLabel["capstan-test"]}`, "--format", "{{.ID}} {{.State}} {{.Label \"capstan.dev/commit\"}}"], { encoding: "utf8" });
  return out.split("\n").filter(Boolean).map((l) => {
    const [id = "", state = "", commit = ""] = l.split(" ");
    return { id, running: state === "running", commit };
  });
}

describe("the daemon process under signals", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  }, 30_000);

  it(`ends converged with its history intact after SIGKILL at ${KILL_POINTS} random points of rollouts`, async () => {
    const fx = webFixture("dkill", { historyLimit: 200 });
    const stateDir = tempDir("capstan-daemon-");
    cleanups.push(() => fx.cleanup(), () => removeDir(stateDir));
    let child = spawnDaemon(fx, stateDir);
    cleanups.push(() => void child.kill("SIGKILL"));
    await ready(child, stateDir);
    await until("v1 serving", async () => (await served(fx.nodePort)) === "web v1", 60_000);
    const tags = ["v2", "v3", "v1"];
    let seen = new Map<number, string>();
    let last = "v1";
    for (let i = 0; i < KILL_POINTS; i++) {
      last = tags[i % tags.length] ?? "v1";
      fx.deploy(last, `web ${last} (cycle ${i})`);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 2500)));
      child.kill("SIGKILL");
      await exited(child);
      const now = await rows(stateDir, fx.app);
      for (const [id, sha] of seen) expect(now.find((r) => r.id === id)?.commit, `revision ${id} kept`).toBe(sha);
      expect(new Set(now.map((r) => r.id)).size).toBe(now.length);
      seen = new Map(now.map((r) => [r.id, r.commit]));
      child = spawnDaemon(fx, stateDir);
      await ready(child, stateDir);
    }
    const head = fx.repo.head();
    // After many kills a pod may be waiting out a restart back-off: give convergence room.
    await until(`web ${last} serving`, async () => (await served(fx.nodePort)) === `web ${last}`, 150_000, 250);
    const final = await until(
      "the head commit recorded as Succeeded",
      async () => {
        const r = await rows(stateDir, fx.app).catch(() => null);
        return r && r.at(-1)?.commit === head && r.at(-1)?.phase === "Succeeded" ? r : null;
      },
      30_000,
      250,
    );
    for (const [id, sha] of seen) expect(final.find((r) => r.id === id)?.commit).toBe(sha);
    expect(final.filter((r) => r.phase === "Running" || r.phase === "Pending")).toEqual([]);
    const live = await until("one pod of the head commit", async () => {
      const p = pods(fx).filter((x) => x.running);
      return p.length === 1 && p[0]?.commit === head ? p : null;
    }, 30_000, 250);
    expect(live).toHaveLength(1);
    child.kill("SIGTERM");
    await exited(child);
  }, 300_000);

  it("exits within 10 s of SIGTERM in the middle of a rollout", async () => {
    const fx = webFixture("dterm");
    const stateDir = tempDir("capstan-daemon-");
    cleanups.push(() => fx.cleanup(), () => removeDir(stateDir));
    const child = spawnDaemon(fx, stateDir);
    cleanups.push(() => void child.kill("SIGKILL"));
    await ready(child, stateDir);
    await until("v1 serving", async () => (await served(fx.nodePort)) === "web v1", 60_000);
    fx.deploy("broken");
    await new Promise((r) => setTimeout(r, 1500));
    const started = Date.now();
    child.kill("SIGTERM");
    await exited(child);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(child.signalCode === "SIGKILL").toBe(false);
  }, 90_000);
});
