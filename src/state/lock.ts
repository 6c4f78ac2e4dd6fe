/**
 * One daemon per state directory: `<stateDir>/daemon.lock`, created exclusively, holding who took
 * it. A lock whose process is gone (same host, pid not alive) is taken over; a live one is refused
 * with the holder named, so the user knows which process to stop.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fchmodSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { CapstanError } from "../errors.js";

export const DAEMON_LOCK_FILE = "daemon.lock";

export interface DaemonLockInfo {
  pid: number;
  host: string;
  /** ISO 8601. */
  startedAt: string;
  /** Where the holder's API listens (`127.0.0.1:7070`), empty when it has none yet. */
  apiAddress: string;
  /** Tells this holder's file from a later one's, so release never removes another daemon's lock. */
  nonce: string;
}

export interface DaemonLock {
  readonly path: string;
  readonly info: DaemonLockInfo;
  /** Removes the lock file if it is still ours. */
  release(): void;
}

export interface DaemonLockOptions {
  apiAddress?: string;
  /** Tests pass another pid or host; the real ones by default. */
  pid?: number;
  host?: string;
  /** Whether a pid runs on this host (process.kill(pid, 0) by default). */
  isAlive?: (pid: number) => boolean;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The lock's holder, or null when there is no readable lock. */
export function readDaemonLock(stateDir: string): DaemonLockInfo | null {
  return parseLock(join(stateDir, DAEMON_LOCK_FILE));
}

function parseLock(path: string): DaemonLockInfo | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  try {
    const v = JSON.parse(text) as Partial<DaemonLockInfo>;
    if (typeof v.pid !== "number") return null;
    return { pid: v.pid, host: String(v.host ?? ""), startedAt: String(v.startedAt ?? ""), apiAddress: String(v.apiAddress ?? ""), nonce: String(v.nonce ?? "") };
  } catch {
    return null;
  }
}

/**
 * Makes `<stateDir>/<file>` holding `text` unless it exists (see `createExclusive`), making the
 * state directory first. Returns the file's path and whether this call made it; a failure to
 * write names the file and `what` it holds.
 */
export function createStateFileOnce(stateDir: string, file: string, text: string, what: string): { path: string; made: boolean } {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, file);
  try {
    return { path, made: createExclusive(path, text) };
  } catch (err) {
    throw new CapstanError("STATE_ERROR", `${path}: cannot create ${what}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Creates `path` holding `text`, or returns false if it exists. The text is written to a private
 * file first and hard-linked into place, so nobody ever reads a half-written lock.
 */
export function createExclusive(path: string, text: string): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(tmp, "wx", 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

function describe(h: DaemonLockInfo): string {
  const api = h.apiAddress ? `, API on ${h.apiAddress}` : "";
  return `pid ${h.pid} on ${h.host || "an unknown host"}${api}, started ${h.startedAt || "at an unknown time"}`;
}

/**
 * Takes `<stateDir>/daemon.lock` or throws STATE_ERROR naming the holder. A file left by a process
 * that is no longer alive on this host is taken over. Two daemons starting together over a stale
 * lock cannot both win: the takeover itself happens under a second exclusive file.
 */
export function acquireDaemonLock(stateDir: string, options: DaemonLockOptions = {}): DaemonLock {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, DAEMON_LOCK_FILE);
  const isAlive = options.isAlive ?? processAlive;
  const info: DaemonLockInfo = {
    pid: options.pid ?? process.pid,
    host: options.host ?? hostname(),
    startedAt: new Date().toISOString(),
    apiAddress: options.apiAddress ?? "",
    nonce: randomBytes(8).toString("hex"),
  };
  const text = `${JSON.stringify(info)}\n`;
  const lock: DaemonLock = {
    path,
    info,
    release() {
      if (parseLock(path)?.nonce === info.nonce) rmSync(path, { force: true });
    },
  };

  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusive(path, text)) return lock;
    const holder = parseLock(path);
    // An unreadable lock is garbage (locks appear whole): it is taken over like a stale one.
    if (holder !== null && holder.host !== info.host) {
      throw new CapstanError(
        "STATE_ERROR",
        `${path}: a capstan daemon on another host holds this state directory (${describe(holder)}); ` +
          `stop it, or if none runs there any more (a recreated container, say) remove ${path}`,
      );
    }
    // Our own pid in a lock we have not taken is a previous life of this process (pid 1 in a restarted container).
    if (holder !== null && holder.pid !== info.pid && isAlive(holder.pid)) {
      throw new CapstanError(
        "STATE_ERROR",
        `${path}: another capstan daemon holds this state directory (${describe(holder)}); ` +
          `stop it (kill ${holder.pid}) or start this one with another --state-dir ` +
          `(if pid ${holder.pid} is not a capstan daemon, remove ${path})`,
      );
    }
    takeOver(path, holder);
  }
  throw new CapstanError("STATE_ERROR", `${path}: could not take the daemon lock after several attempts; remove the file if no capstan daemon runs`);
}

/** Moves a stale lock aside, under `<path>.takeover` so only one starter does it. */
function takeOver(path: string, stale: DaemonLockInfo | null): void {
  const guard = `${path}.takeover`;
  if (!createExclusive(guard, String(process.pid))) {
    const guardPid = Number.parseInt(readFileSafe(guard), 10);
    // The guard is held for microseconds; one left by a dead process is removed.
    if (Number.isInteger(guardPid) && guardPid > 0 && !processAlive(guardPid)) rmSync(guard, { force: true });
    else sleepSync(20);
    return;
  }
  try {
    const now = parseLock(path);
    // Still the same stale file? (Another starter may have replaced it with a live lock meanwhile.)
    if ((now === null && stale === null) || (now !== null && stale !== null && now.nonce === stale.nonce && now.pid === stale.pid)) {
      const aside = `${path}.stale-${process.pid}`;
      try {
        renameSync(path, aside);
        rmSync(aside, { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
  } finally {
    rmSync(guard, { force: true });
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
