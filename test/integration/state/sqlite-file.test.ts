import Database from "better-sqlite3";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStateStore } from "../../../src/state/sqlite.js";
import { MIGRATIONS } from "../../../src/state/sqlite-schema.js";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "capstan-statefile-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("SQLite state file", () => {
  it("keeps applications, revisions, events and the lease across a close and reopen", async () => {
    const dir = tmp();
    const store = openSqliteStateStore(dir);
    const app = await store.upsertApp({ name: "web", repo: "git@example.com:acme/deploy.git", path: "charts/web", targetRevision: "main" });
    const r = await store.beginRevision("web", { commit: "a".repeat(40), message: "m", author: "A <a@x>", commitTime: "2026-01-01T00:00:00Z", manifests: "kind: Service\n", initiator: "cli" });
    await store.casAppStatus("web", app.version, { pinned: { id: r.id, sha: r.commit }, sync: "OutOfSync" });
    await store.recordEvent("web", { type: "Normal", reason: "Pinned", message: "pinned at 1" });
    await store.acquireLease("daemon-a", 60_000);
    await store.close();

    const again = openSqliteStateStore(dir);
    expect((await again.getApp("web"))?.status).toMatchObject({ sync: "OutOfSync", pinned: { id: 1, sha: "a".repeat(40) } });
    expect((await again.getRevision("web", 1))?.manifests).toBe("kind: Service\n");
    expect((await again.listEvents({ app: "web" })).map((e) => e.reason)).toEqual(["Pinned"]);
    expect((await again.leaseHolder())?.holder).toBe("daemon-a");
    await again.close();
    await expect(again.getApp("web")).rejects.toMatchObject({ code: "STATE_ERROR", message: expect.stringContaining("closed") });
  });

  it("creates state.db in WAL mode at the latest schema version, in a directory only its owner can enter", async () => {
    const dir = join(tmp(), "nested", "state");
    const store = openSqliteStateStore(dir);
    await store.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const raw = new Database(join(dir, "state.db"));
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(raw.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    raw.close();
  });

  it("refuses a database written by a newer Capstan and says what to do", async () => {
    const dir = tmp();
    await openSqliteStateStore(dir).close();
    const raw = new Database(join(dir, "state.db"));
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => openSqliteStateStore(dir)).toThrow(`schema version ${MIGRATIONS.length + 1} was written by a newer Capstan`);
  });

  it("names the file when the database cannot be opened", () => {
    const dir = tmp();
    // A directory where the database file should be.
    const bad = join(dir, "state.db");
    rmSync(bad, { force: true });
    mkdirSync(bad);
    expect(() => openSqliteStateStore(dir)).toThrow(new RegExp(`${bad.replace(/[/.]/g, "\\$&")}: cannot open the state database`));
  });
});

