/**
 * The dashboard over the in-memory view, with a rollout of `web` every 20 s, for trying the UI
 * without a daemon: `npx tsx src/server/demo.ts` (prints the URL and the token).
 */
import { randomBytes } from "node:crypto";
import { FakeView } from "./fake-view.js";
import { startServer } from "./app.js";

const view = new FakeView();
const token = randomBytes(16).toString("hex");
const server = await startServer({ view, token, port: Number(process.env.PORT ?? 7420) });
process.stdout.write(`dashboard: ${server.url}/\ntoken: ${token}\n`);

let n = 0;
const timer = setInterval(() => {
  n++;
  const sha = randomBytes(20).toString("hex");
  const now = new Date().toISOString();
  view.update("web", { health: "Progressing", healthMessage: "Deployment web: 1 of 3 pods updated", lastSync: { result: "Running", revisionId: 100 + n, time: now, durationMs: null, reason: "" } });
  view.emitEvent({ app: "web", type: "Normal", reason: "SyncStarted", message: `syncing commit ${sha.slice(0, 7)} (webhook)`, object: "", time: now });
  setTimeout(() => {
    const done = new Date().toISOString();
    view.update("web", {
      health: "Healthy",
      healthMessage: "",
      currentRevision: 100 + n,
      commit: { sha, message: `Demo change ${n}`, author: "Capstan demo", time: now },
      lastSync: { result: "Succeeded", revisionId: 100 + n, time: done, durationMs: 5000, reason: "" },
    });
    view.emitEvent({ app: "web", type: "Normal", reason: "SyncSucceeded", message: `revision ${100 + n} is healthy`, object: "", time: done });
  }, 5000);
}, 20_000);

const stop = async (): Promise<void> => {
  clearInterval(timer);
  await server.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
