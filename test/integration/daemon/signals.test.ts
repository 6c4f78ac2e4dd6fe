import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeDir, tempDir } from "../../helpers/git.js";
import { served, until, webFixture, type WebFixture } from "./fixture.js";

const ENTRY = join(import.meta.dirname, "cli-entry.ts");

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

describe("the daemon process under signals", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  }, 30_000);

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
