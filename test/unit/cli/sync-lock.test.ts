import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { syncCommand } from "../../../src/cli/commands/sync.js";
import { acquireDaemonLock, readDaemonLock } from "../../../src/state/lock.js";
import { runCli } from "../../helpers/cli.js";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "capstan-sync-lock-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const sync = (stateDir: string, home: string) =>
  runCli(["--state-dir", stateDir, "sync", "--repo", join(home, "no-such-repo"), "--app", "web"], { commands: [syncCommand], env: { HOME: home } });

describe("capstan sync --repo beside a daemon", () => {
  it("refuses while a live daemon holds the state directory, naming its pid and API and what to do instead", async () => {
    const stateDir = tmp();
    // The parent of this test process is alive and is not this process: it stands for the daemon.
    const held = acquireDaemonLock(stateDir, { pid: process.ppid, apiAddress: "127.0.0.1:7171" });
    writeFileSync(join(stateDir, "daemon.json"), JSON.stringify({ url: "http://127.0.0.1:7171" }));
    const before = readFileSync(held.path, "utf8");

    const res = await sync(stateDir, tmp());
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      `error: a capstan daemon holds the state directory ${stateDir} (pid ${process.ppid}, API on http://127.0.0.1:7171), so a one-shot sync would race it; ` +
        "ask the daemon to sync instead (`capstan sync web`, then `capstan wait web`), or stop the daemon and run this again\n",
    );
    // The daemon's lock is untouched.
    expect(readFileSync(held.path, "utf8")).toBe(before);
  });

  it("takes over a lock whose process is gone, and gives the state directory back when done", async () => {
    const stateDir = tmp();
    acquireDaemonLock(stateDir, { pid: 99_999_999 });
    const res = await sync(stateDir, tmp());
    // It went on to read the repository (which does not exist) instead of refusing.
    expect(res.code).toBe(2);
    expect(res.stderr).not.toContain("daemon holds");
    expect(res.stderr).toContain("git fetch");
    expect(readDaemonLock(stateDir)).toBeNull();
    expect(existsSync(join(stateDir, "daemon.lock"))).toBe(false);
  });
});
