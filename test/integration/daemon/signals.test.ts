import { afterAll, describe, expect, it } from "vitest";
import { removeDir, tempDir } from "../../helpers/git.js";
import { daemonReady, exited, served, spawnDaemon, until, webFixture } from "./fixture.js";

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
    await daemonReady(child, stateDir);
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
