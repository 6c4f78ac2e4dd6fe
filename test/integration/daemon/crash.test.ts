import { type ChildProcess, execFileSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStateStore } from "../../../src/state/index.js";
import { removeDir, tempDir } from "../../helpers/git.js";
import { daemonReady, exited, served, spawnDaemon, until, webFixture, type WebFixture } from "./fixture.js";

const KILL_POINTS = Number(process.env.CAPSTAN_KILL_POINTS ?? 20);

/** The daemon as its own process; its log is appended to `<stateDir>/daemon.log` (kept when a test fails). */
function spawnLogged(fx: WebFixture, stateDir: string): ChildProcess {
  const log = openSync(join(stateDir, "daemon.log"), "a");
  const child = spawnDaemon(fx, stateDir, ["ignore", log, log]);
  closeSync(log);
  return child;
}

async function rows(stateDir: string, app: string) {
  const store = openSqliteStateStore(stateDir);
  try {
    return await store.listRevisions(app);
  } finally {
    await store.close();
  }
}

function pods(fx: WebFixture): { id: string; running: boolean; commit: string }[] {
  const out = execFileSync("docker", ["ps", "-a", "--filter", `label=capstan-test=${fx.runLabel["capstan-test"]}`, "--format", '{{.ID}} {{.State}} {{.Label "capstan.dev/commit"}}'], { encoding: "utf8" });
  return out
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [id = "", state = "", commit = ""] = l.split(" ");
      return { id, running: state === "running", commit };
    });
}

describe("the daemon process killed and started again", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  }, 30_000);

  it("serves and heals what it ran before a restart with nothing new to sync, without a new revision", async () => {
    const fx = webFixture("drst");
    const stateDir = tempDir("capstan-daemon-");
    cleanups.push(() => fx.cleanup(), () => removeDir(stateDir));
    let child = spawnLogged(fx, stateDir);
    cleanups.push(() => void child.kill("SIGKILL"));
    await daemonReady(child, stateDir);
    await until("v1 serving", async () => (await served(fx.nodePort)) === "web v1", 60_000);
    await until("v1 recorded", async () => (await rows(stateDir, fx.app)).at(-1)?.phase === "Succeeded", 30_000);
    const before = await rows(stateDir, fx.app);
    child.kill("SIGKILL");
    await exited(child);
    expect(await served(fx.nodePort)).toBeNull(); // the proxy lived in the killed process
    child = spawnLogged(fx, stateDir);
    await daemonReady(child, stateDir);
    await until("v1 served by the new daemon", async () => (await served(fx.nodePort)) === "web v1", 30_000);
    const [pod] = pods(fx).filter((p) => p.running);
    expect(pod).toBeDefined();
    execFileSync("docker", ["rm", "-f", pod?.id ?? ""], { stdio: "ignore" });
    await until("the removed pod replaced", async () => {
      const p = pods(fx).filter((x) => x.running);
      return p.length === 1 && p[0]?.id !== pod?.id;
    }, 30_000);
    await until("v1 served again", async () => (await served(fx.nodePort)) === "web v1", 30_000);
    expect(await rows(stateDir, fx.app)).toEqual(before);
    child.kill("SIGTERM");
    await exited(child);
  }, 180_000);

  it(`ends converged with its history intact after SIGKILL at ${KILL_POINTS} random points of rollouts`, async () => {
    const fx = webFixture("dkill", { historyLimit: 200 });
    const stateDir = tempDir("capstan-daemon-");
    cleanups.push(() => fx.cleanup(), () => removeDir(stateDir));
    let child = spawnLogged(fx, stateDir);
    cleanups.push(() => void child.kill("SIGKILL"));
    await daemonReady(child, stateDir);
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
      child = spawnLogged(fx, stateDir);
      await daemonReady(child, stateDir);
    }
    const head = fx.repo.head();
    await until(`web ${last} serving`, async () => (await served(fx.nodePort)) === `web ${last}`, 90_000, 250);
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
    const live = await until(
      "one pod of the head commit",
      async () => {
        const p = pods(fx).filter((x) => x.running);
        return p.length === 1 && p[0]?.commit === head ? p : null;
      },
      30_000,
      250,
    );
    expect(live).toHaveLength(1);
    child.kill("SIGTERM");
    await exited(child);
  }, 300_000);
});
