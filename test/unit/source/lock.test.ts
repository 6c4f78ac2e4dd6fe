import { mkdtempSync, writeFileSync, existsSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KeyedMutex, withLockFile } from "../../../src/source/lock.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("fetch serialization", () => {
  it("runs tasks for one repository one at a time, and other repositories alongside", async () => {
    const mutex = new KeyedMutex();
    let running = 0;
    let most = 0;
    const log: string[] = [];
    const task = (key: string, i: number) =>
      mutex.run(key, async () => {
        running++;
        most = Math.max(most, running);
        log.push(`${key}${i}+`);
        await sleep(10);
        log.push(`${key}${i}-`);
        running--;
      });
    await Promise.all([task("a", 1), task("a", 2), task("a", 3)]);
    expect(most).toBe(1);
    expect(log).toEqual(["a1+", "a1-", "a2+", "a2-", "a3+", "a3-"]);
    running = 0;
    most = 0;
    await Promise.all([task("x", 1), task("y", 1)]);
    expect(most).toBe(2);
  });

  it("keeps serving a repository after one of its tasks failed", async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.run("a", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(mutex.run("a", async () => 42)).resolves.toBe(42);
  });

  it("waits for a lock file held by a live process and takes over one left by a dead process", async () => {
    const dir = mkdtempSync(join(tmpdir(), "capstan-lock-"));
    const lock = join(dir, "repo.lock");
    writeFileSync(lock, String(process.pid));
    let done = false;
    const waiting = withLockFile(lock, 5000, async () => {
      done = true;
    });
    await sleep(100);
    expect(done).toBe(false);
    writeFileSync(lock, "999999999");
    await waiting;
    expect(done).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });

  it("takes over a lock older than the stale age even when its pid is alive", async () => {
    const dir = mkdtempSync(join(tmpdir(), "capstan-lock-"));
    const lock = join(dir, "repo.lock");
    writeFileSync(lock, String(process.pid));
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    await expect(withLockFile(lock, 1000, async () => "ran", 30_000)).resolves.toBe("ran");
    writeFileSync(lock, String(process.pid));
    await expect(withLockFile(lock, 200, async () => "ran", 30_000)).rejects.toThrow(`lock ${lock} is held by process ${process.pid}`);
  });
});
