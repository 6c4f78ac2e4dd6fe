/**
 * Writes to a state store as fast as it can, printing a line after each call returns, until killed.
 * The SIGKILL drill runs it as a child process and kills it at random moments.
 */
import { randomBytes } from "node:crypto";
import { writeSync } from "node:fs";
import { openSqliteStateStore } from "../../../src/state/sqlite.js";

const stateDir = process.argv[2];
if (!stateDir) throw new Error("usage: crash-writer STATE_DIR");
const store = openSqliteStateStore(stateDir);
const say = (line: string): void => {
  writeSync(1, `${line}\n`);
};

await store.upsertApp({ name: "web", repo: "https://git.example.com/acme/deploy.git", path: "charts/web", targetRevision: "main", revisionHistoryLimit: 1_000_000 });
await store.upsertApp({ name: "api", repo: "https://git.example.com/acme/deploy.git", path: "charts/api", targetRevision: "main", revisionHistoryLimit: 3 });
say("ready");

for (;;) {
  const app = Math.random() < 0.6 ? "web" : "api";
  // Manifests from a few bytes to a few hundred KiB, so some transactions span many pages.
  const manifests = `kind: ConfigMap\ndata:\n  blob: ${randomBytes(Math.floor(Math.random() * 150_000)).toString("base64")}\n`;
  const r = await store.beginRevision(app, {
    commit: randomBytes(20).toString("hex"),
    message: "drill",
    author: "Drill <drill@example.com>",
    commitTime: new Date().toISOString(),
    manifests,
    initiator: "poll",
    phase: "Running",
  });
  say(`begun ${app} ${r.id}`);
  const e = await store.recordEvent(app, { type: "Normal", reason: "SyncStarted", message: `revision ${r.id}` });
  say(`event ${e.seq}`);
  const current = await store.getApp(app);
  if (!current) throw new Error("app vanished");
  const phase = Math.random() < 0.8 ? "Succeeded" : "Failed";
  const res = await store.finishRevision(app, r.id, {
    phase,
    status: {
      expectedVersion: current.version,
      next: phase === "Succeeded" ? { currentRevision: r.id, sync: "Synced", health: "Healthy" } : { lastFailedCommit: r.commit, health: "Degraded" },
    },
    ...(phase === "Succeeded" ? { healthyObjects: [{ kind: "ConfigMap", revision: r.id }] } : {}),
    event: { type: phase === "Succeeded" ? "Normal" : "Warning", reason: phase, message: `revision ${r.id}` },
  });
  if (!res.ok) throw new Error("unexpected conflict");
  say(`finished ${app} ${r.id} ${phase}`);
}
