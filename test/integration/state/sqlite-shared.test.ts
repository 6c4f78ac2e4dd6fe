import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStateStore } from "../../../src/state/sqlite.js";

const dir = mkdtempSync(join(tmpdir(), "capstan-shared-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("two handles on one state.db", () => {
  it("let exactly one of two racing status writes with the same version win", async () => {
    const a = openSqliteStateStore(dir);
    const b = openSqliteStateStore(dir);
    const app = await a.upsertApp({ name: "web", repo: "r", path: "p", targetRevision: "main" });
    const results = await Promise.all([
      a.casAppStatus("web", app.version, { health: "Healthy" }),
      b.casAppStatus("web", app.version, { health: "Degraded" }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const winner = results[0]!.ok ? "Healthy" : "Degraded";
    expect((await b.getApp("web"))?.status.health).toBe(winner);
    expect((await a.acquireLease("daemon-a", 60_000)).ok).toBe(true);
    expect(await b.acquireLease("daemon-b", 60_000)).toMatchObject({ ok: false, lease: { holder: "daemon-a" } });
    await a.close();
    await b.close();
  });
});
