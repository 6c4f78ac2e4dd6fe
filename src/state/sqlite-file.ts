/**
 * `state.db` as a file. A database that vanished (deleted, truncated by a full disk, a volume
 * mounted empty) must not pass for a first start: the daemon would begin afresh and silently forget
 * every application's history, pins and failed commits. So when the first database is made,
 * `state.db.initialized` is written beside it; from then on a missing or empty `state.db` is
 * refused until it is restored or the marker is deleted on purpose.
 */
import { closeSync, fchmodSync, openSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { CapstanError } from "../errors.js";
import { createStateFileOnce } from "./lock.js";

export const STATE_DB_FILE = "state.db";
export const STATE_DB_MARKER_FILE = "state.db.initialized";

function fileSize(path: string): number | undefined {
  try {
    const st = statSync(path);
    return st.isFile() ? st.size : Number.POSITIVE_INFINITY;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

function markerTime(marker: string): string {
  try {
    const m = /\d{4}-\d\d-\d\dT[\d:.]+Z/.exec(readFileSync(marker, "utf8"));
    return m ? ` on ${m[0]}` : "";
  } catch {
    return "";
  }
}

function lost(stateDir: string, what: string): CapstanError {
  const file = join(stateDir, STATE_DB_FILE);
  const marker = join(stateDir, STATE_DB_MARKER_FILE);
  return new CapstanError(
    "STATE_DB_MISSING",
    `${file}: the state database ${what}, but ${marker} records that one was made here${markerTime(marker)}; ` +
      "starting afresh would silently forget every application's revision history, pins and events, so Capstan refuses. " +
      `Restore ${file} from a backup (with ${STATE_DB_FILE}-wal if there is one), or, to start afresh and forget that history, ` +
      `delete ${marker} (and any ${STATE_DB_FILE}-wal and ${STATE_DB_FILE}-shm left beside it)`,
  );
}

/**
 * Before `state.db` is opened: refuses a missing or zero-byte database where the marker says one
 * was made, and otherwise makes sure the file exists with mode 0600 (SQLite gives its -wal and
 * -shm files the database file's mode). Returns the database's path.
 */
export function prepareStateDbFile(stateDir: string): string {
  const file = join(stateDir, STATE_DB_FILE);
  const size = fileSize(file);
  if ((size === undefined || size === 0) && fileSize(join(stateDir, STATE_DB_MARKER_FILE)) !== undefined) {
    throw lost(stateDir, size === undefined ? "is missing" : "is empty (zero bytes)");
  }
  if (size === undefined) {
    const fd = openSync(file, "a", 0o600);
    try {
      fchmodSync(fd, 0o600);
    } finally {
      closeSync(fd);
    }
  }
  return file;
}

/**
 * Once the schema is in place. `schemaVersion` is the database's before migrating: 0 with the
 * marker present means the file was replaced by an empty database, which is refused like a
 * missing one. Otherwise the marker is made if there is none (a first start, or a database from a
 * Capstan before markers).
 */
export function checkStateDbSchema(stateDir: string, schemaVersion: number): void {
  if (schemaVersion === 0 && fileSize(join(stateDir, STATE_DB_MARKER_FILE)) !== undefined) {
    throw lost(stateDir, "holds no Capstan schema (an empty database)");
  }
}

/** Records that this state directory has a database (see the top of this file). */
export function markStateDbMade(stateDir: string, now: string): void {
  createStateFileOnce(
    stateDir,
    STATE_DB_MARKER_FILE,
    `${STATE_DB_FILE} made ${now}\nWhile this file exists, Capstan refuses to start if ${STATE_DB_FILE} is missing or empty; delete it only to start afresh on purpose.\n`,
    "the state database marker",
  );
}
