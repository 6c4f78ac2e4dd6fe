import Database from "better-sqlite3";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { redactObject } from "../../../src/diff/redact.js";
import { ensureInstallationId } from "../../../src/state/installation.js";
import { secureStateDir } from "../../../src/state/permissions.js";
import { ensureRedactionKey, REDACTION_KEY_FILE } from "../../../src/state/redaction-key.js";
import { openSqliteStateStore } from "../../../src/state/sqlite.js";
import { STATE_DB_MARKER_FILE } from "../../../src/state/sqlite-file.js";
import { ensureToken } from "../../../src/state/token.js";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "capstan-statedir-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const mode = (path: string) => statSync(path).mode & 0o777;
const spec = { name: "web", repo: "https://git.example.com/acme/deploy.git", path: "charts/web", targetRevision: "main" };

describe("permissions of the state directory", () => {
  it("makes the directory 0700 and the database, its WAL, the token, the installation id and the keys 0600", async () => {
    const dir = join(tmp(), "state");
    const store = openSqliteStateStore(dir);
    await store.upsertApp(spec);
    ensureToken(dir);
    ensureInstallationId(dir);
    expect(mode(dir)).toBe(0o700);
    for (const f of ["state.db", "state.db-wal", "state.db-shm", STATE_DB_MARKER_FILE, "token", "installation-id", REDACTION_KEY_FILE]) {
      expect([f, mode(join(dir, f))]).toEqual([f, 0o600]);
    }
    await store.close();
  });

  it("tightens what is looser at start and says what it changed, once", async () => {
    const dir = tmp();
    await openSqliteStateStore(dir).close();
    ensureToken(dir);
    writeFileSync(join(dir, "tls.key"), "-----BEGIN PRIVATE KEY-----\n");
    chmodSync(dir, 0o755);
    chmodSync(join(dir, "state.db"), 0o644);
    chmodSync(join(dir, "token"), 0o640);
    chmodSync(join(dir, "tls.key"), 0o604);
    expect(secureStateDir(dir).sort()).toEqual(
      [`${dir} was mode 0755; set to 0700`, `${join(dir, "state.db")} was mode 0644; set to 0600`, `${join(dir, "token")} was mode 0640; set to 0600`, `${join(dir, "tls.key")} was mode 0604; set to 0600`].sort(),
    );
    expect([mode(dir), mode(join(dir, "state.db")), mode(join(dir, "token")), mode(join(dir, "tls.key"))]).toEqual([0o700, 0o600, 0o600, 0o600]);
    expect(secureStateDir(dir)).toEqual([]);
  });

  it("is checked whenever the state store is opened, each change told to onWarning", async () => {
    const dir = tmp();
    await openSqliteStateStore(dir).close();
    chmodSync(join(dir, REDACTION_KEY_FILE), 0o644);
    const warnings: string[] = [];
    await openSqliteStateStore(dir, { onWarning: (w) => warnings.push(w) }).close();
    expect(warnings).toEqual([`${join(dir, REDACTION_KEY_FILE)} was mode 0644; set to 0600`]);
  });

  it("leaves a state directory that does not exist yet alone", () => {
    expect(secureStateDir(join(tmp(), "missing"))).toEqual([]);
  });
});

describe("the redaction key of a state directory", () => {
  it("is made once and read back after, and differs between state directories", () => {
    const a = tmp();
    const marker = (dir: string) => JSON.stringify(redactObject("Secret", { stringData: { p: "hunter2" } }, ensureRedactionKey(dir)));
    const first = marker(a);
    expect(readFileSync(join(a, REDACTION_KEY_FILE), "utf8")).toMatch(/^[0-9a-f]{64}\n$/);
    expect(mode(join(a, REDACTION_KEY_FILE))).toBe(0o600);
    expect(marker(a)).toBe(first);
    expect(marker(tmp())).not.toBe(first);
  });

  it("refuses a damaged key file, naming it and saying what to do", () => {
    const a = tmp();
    writeFileSync(join(a, REDACTION_KEY_FILE), "short\n");
    expect(() => ensureRedactionKey(a)).toThrow(`${join(a, REDACTION_KEY_FILE)}: line 1: not a redaction key (64 hex digits); restore it, or delete it to make a new one`);
  });
});

describe("a state database that vanished", () => {
  const withHistory = async () => {
    const dir = tmp();
    const store = openSqliteStateStore(dir);
    await store.upsertApp(spec);
    await store.close();
    return { dir, db: join(dir, "state.db"), marker: join(dir, STATE_DB_MARKER_FILE) };
  };

  it("is refused when state.db is missing, naming the file, the marker and both ways on", async () => {
    const { dir, db, marker } = await withHistory();
    expect(readFileSync(marker, "utf8")).toMatch(/^state\.db made \d{4}-\d\d-\d\dT/);
    unlinkSync(db);
    let err: unknown;
    try {
      openSqliteStateStore(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "STATE_DB_MISSING" });
    const message = (err as Error).message;
    expect(message).toContain(`${db}: the state database is missing, but ${marker} records that one was made here on `);
    expect(message).toContain(`Restore ${db} from a backup`);
    expect(message).toContain(`to start afresh and forget that history, delete ${marker}`);
    // Nothing was made in its place.
    expect(() => statSync(db)).toThrow();
  });

  it("is refused when state.db is zero bytes", async () => {
    const { dir, db } = await withHistory();
    rmSync(`${db}-wal`, { force: true });
    rmSync(`${db}-shm`, { force: true });
    truncateSync(db, 0);
    expect(() => openSqliteStateStore(dir)).toThrow(`${db}: the state database is empty (zero bytes), but`);
    expect(statSync(db).size).toBe(0);
  });

  it("is refused when state.db was replaced by an empty database", async () => {
    const { dir, db } = await withHistory();
    unlinkSync(db);
    const raw = new Database(db);
    raw.exec("CREATE TABLE unrelated (x)");
    raw.close();
    expect(() => openSqliteStateStore(dir)).toThrow(`${db}: the state database holds no Capstan schema (an empty database), but`);
  });

  it("starts afresh once the marker is deleted on purpose", async () => {
    const { dir, db, marker } = await withHistory();
    unlinkSync(db);
    unlinkSync(marker);
    const store = openSqliteStateStore(dir);
    expect(await store.listApps()).toEqual([]);
    await store.close();
    expect(mode(marker)).toBe(0o600);
  });

  it("is not suspected on a first start, nor on a database made before markers existed", async () => {
    const dir = tmp();
    const store = openSqliteStateStore(dir);
    await store.upsertApp(spec);
    await store.close();
    unlinkSync(join(dir, STATE_DB_MARKER_FILE));
    const again = openSqliteStateStore(dir);
    expect((await again.listApps()).map((a) => a.name)).toEqual(["web"]);
    await again.close();
    expect(statSync(join(dir, STATE_DB_MARKER_FILE)).isFile()).toBe(true);
  });
});
