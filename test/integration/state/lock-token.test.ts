import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { acquireDaemonLock, readDaemonLock } from "../../../src/state/lock.js";
import { ensureToken, readToken } from "../../../src/state/token.js";

const dirs: string[] = [];
const children: ChildProcess[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "capstan-lock-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function startHolder(stateDir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "lock-holder.ts"), stateDir], { stdio: ["ignore", "pipe", "inherit"] });
    children.push(child);
    child.stdout!.on("data", (c: Buffer) => {
      if (c.toString().includes("locked")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });

describe("daemon lock", () => {
  it("refuses a second daemon, naming the holder's pid and API address, and takes over once the holder is dead", async () => {
    const dir = tmp();
    const holder = await startHolder(dir);
    expect(readDaemonLock(dir)).toMatchObject({ pid: holder.pid, apiAddress: "127.0.0.1:7171" });
    let message = "";
    try {
      acquireDaemonLock(dir, { apiAddress: "127.0.0.1:7272" });
    } catch (err) {
      message = (err as Error).message;
      expect(err).toMatchObject({ code: "STATE_ERROR" });
    }
    expect(message).toContain(`pid ${holder.pid}`);
    expect(message).toContain("API on 127.0.0.1:7171");
    expect(message).toContain("another --state-dir");

    await killed(holder);
    // SIGKILL left the file behind; its pid is gone, so it is stale.
    expect(existsSync(join(dir, "daemon.lock"))).toBe(true);
    const lock = acquireDaemonLock(dir, { apiAddress: "127.0.0.1:7272" });
    expect(readDaemonLock(dir)).toMatchObject({ pid: process.pid, apiAddress: "127.0.0.1:7272" });
    lock.release();
    expect(existsSync(join(dir, "daemon.lock"))).toBe(false);
  });

  it("does not take over a lock of another host, whose pids it cannot check", () => {
    const dir = tmp();
    acquireDaemonLock(dir, { host: "other-host", pid: 999_999 });
    expect(() => acquireDaemonLock(dir, { isAlive: () => false })).toThrow(/pid 999999 on other-host.*remove .*daemon\.lock/);
  });

  it("takes over a lock holding its own pid, as a daemon restarted in a container finds it", () => {
    const dir = tmp();
    acquireDaemonLock(dir, { pid: process.pid });
    const lock = acquireDaemonLock(dir, { apiAddress: "127.0.0.1:7373" });
    expect(readDaemonLock(dir)).toMatchObject({ pid: process.pid, apiAddress: "127.0.0.1:7373", nonce: lock.info.nonce });
    lock.release();
  });

  it("takes over a lock file that is not a lock at all", () => {
    const dir = tmp();
    writeFileSync(join(dir, "daemon.lock"), "garbage");
    const lock = acquireDaemonLock(dir);
    expect(readDaemonLock(dir)?.pid).toBe(process.pid);
    lock.release();
  });

  it("does not remove another daemon's lock when an old holder releases late", () => {
    const dir = tmp();
    const old = acquireDaemonLock(dir, { pid: 999_998 });
    const fresh = acquireDaemonLock(dir, { isAlive: (pid) => pid !== 999_998 });
    old.release();
    expect(readDaemonLock(dir)?.nonce).toBe(fresh.info.nonce);
    fresh.release();
  });
});

describe("API token", () => {
  it("is made once as 64 hex characters in a file only its owner can read", () => {
    const dir = tmp();
    const token = ensureToken(dir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, "token")).mode & 0o777).toBe(0o600);
    expect(ensureToken(dir)).toBe(token);
    expect(readToken(dir)).toBe(token);
    expect(readFileSync(join(dir, "token"), "utf8").trim()).toBe(token);
  });

  it("is refused when other users can read it, with the chmod that fixes it", () => {
    const dir = tmp();
    ensureToken(dir);
    chmodSync(join(dir, "token"), 0o644);
    expect(() => readToken(dir)).toThrow(`run chmod 600 ${join(dir, "token")}`);
  });

  it("tells how to make one when there is none", () => {
    expect(() => readToken(tmp())).toThrow(/no API token yet.*capstan start/);
  });
});
