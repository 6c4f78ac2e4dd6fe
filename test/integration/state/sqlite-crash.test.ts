import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { manifestsDigest } from "../../../src/state/rules.js";
import { openSqliteStateStore } from "../../../src/state/sqlite.js";

const writer = join(import.meta.dirname, "crash-writer.ts");
const dir = mkdtempSync(join(tmpdir(), "capstan-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the writer, lets it run `afterReadyMs` past start-up, SIGKILLs it, and returns what it said it had committed. */
function runAndKill(afterReadyMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", writer, dir], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (timer === undefined && out.includes("ready\n")) timer = setTimeout(() => child.kill("SIGKILL"), afterReadyMs);
    });
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal !== "SIGKILL") reject(new Error(`writer exited on its own (code ${code}): ${err}`));
      else resolve(out.split("\n").filter(Boolean));
    });
  });
}

describe("SQLite state store under SIGKILL", () => {
  it("loses no committed row and leaves no half-written revision across 24 random kill points", async () => {
    const committed = { begun: new Map<string, Set<number>>(), finished: new Map<string, string>(), events: new Set<number>() };
    let killsMidWrite = 0;
    for (let round = 0; round < 24; round++) {
      const lines = await runAndKill(Math.floor(Math.random() * 400));
      for (const line of lines) {
        const [what, a, b, c] = line.split(" ");
        if (what === "begun") {
          const set = committed.begun.get(a!) ?? new Set<number>();
          set.add(Number(b));
          committed.begun.set(a!, set);
        } else if (what === "finished") committed.finished.set(`${a} ${b}`, c!);
        else if (what === "event") committed.events.add(Number(a));
      }
      if (lines.length > 1 && !lines.at(-1)!.startsWith("finished")) killsMidWrite++;

      // Raw checks on the file itself: the WAL is replayed on open and the database is whole.
      const raw = new Database(join(dir, "state.db"));
      expect(raw.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
      const next = raw.prepare<[], { name: string; next_revision: number }>("SELECT name, next_revision FROM apps").all();
      raw.close();

      const store = openSqliteStateStore(dir);
      try {
        for (const app of ["web", "api"]) {
          const revisions = await store.listRevisions(app);
          const ids = revisions.map((r) => r.id);
          const nextId = next.find((n) => n.name === app)?.next_revision ?? 1;
          if (ids.length > 0) expect(ids.at(-1)).toBe(nextId - 1);
          for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
          if (app === "web") expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
          for (const r of revisions) {
            const full = await store.getRevision(app, r.id);
            expect(full && manifestsDigest(full.manifests)).toBe(r.manifestsDigest);
            if (r.phase === "Succeeded" || r.phase === "Failed") expect(r.finishedAt).not.toBeNull();
          }
          for (const id of committed.begun.get(app) ?? []) {
            if (app === "web") expect(ids).toContain(id);
          }
          const status = (await store.getApp(app))?.status;
          if (status?.currentRevision != null) expect(ids).toContain(status.currentRevision);
          const healthy = await store.getHealthyObjects(app);
          if (healthy && status?.currentRevision != null) expect(healthy.revision).toBe(status.currentRevision);
        }
        for (const [key, phase] of committed.finished) {
          const [app, id] = key.split(" ");
          const r = await store.getRevision(app!, Number(id));
          if (app === "web") expect(r?.phase).toBe(phase);
        }
        const seqs = new Set((await store.listEvents()).map((e) => e.seq));
        const newestPerApp = 1000;
        if (seqs.size < newestPerApp) for (const seq of committed.events) expect(seqs.has(seq)).toBe(true);
      } finally {
        await store.close();
      }
    }
    expect(committed.begun.get("web")?.size ?? 0).toBeGreaterThan(10);
    expect(killsMidWrite).toBeGreaterThan(0);
  }, 240_000);
});
