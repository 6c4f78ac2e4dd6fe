import { get as httpGet, type IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { FakeView, startServer, type RunningServer } from "../../../src/server/index.js";

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Opens the stream and collects parsed messages until `until` says enough. */
interface Message {
  event: string;
  data: { type?: string; apps?: { name: string }[]; app?: unknown; event?: unknown };
}

function follow(url: string, until: (messages: Message[], raw: string) => boolean): Promise<{ messages: Message[]; raw: string; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, (res) => {
      let raw = "";
      const messages: Message[] = [];
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        raw += chunk;
        messages.length = 0;
        for (const block of raw.split("\n\n")) {
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) messages.push({ event, data: JSON.parse(data) });
        }
        if (until(messages, raw)) {
          req.destroy();
          resolve({ messages, raw, res });
        }
      });
      res.on("error", reject);
    });
    req.on("error", (err) => {
      if ((err as NodeJS.ErrnoException).code !== "ECONNRESET") reject(err);
    });
  });
}

describe("/api/v1/stream", () => {
  it("sends a snapshot, then every status change and event as server-sent events, with heartbeats", async () => {
    const view = new FakeView();
    server = await startServer({ view, token: "k".repeat(64), port: 0, heartbeatMs: 50 });
    const pending = follow(`${server.url}/api/v1/stream`, (m, raw) => m.some((x) => x.event === "event") && raw.includes(": heartbeat"));
    await waitFor(() => view.subscribers === 1);
    view.update("web", { health: "Progressing" });
    view.emitEvent({ app: "web", type: "Normal", reason: "ScalingRevisionSet", message: "scaled up", object: "Deployment/web", time: new Date().toISOString() });
    const { messages, res } = await pending;
    expect(res.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(messages[0]?.event).toBe("snapshot");
    expect(messages[0]?.data.apps?.map((a) => a.name)).toEqual(["api", "web", "worker"]);
    const change = messages.find((m) => m.event === "app");
    expect(change?.data).toMatchObject({ type: "app", app: { name: "web", health: "Progressing" } });
    const event = messages.find((m) => m.event === "event");
    expect(event?.data.event).toMatchObject({ app: "web", reason: "ScalingRevisionSet" });
  });

  it("unsubscribes a client that disconnects and ends open streams when the server closes", async () => {
    const view = new FakeView();
    server = await startServer({ view, token: "k".repeat(64), port: 0 });
    await follow(`${server.url}/api/v1/stream`, (m) => m.length > 0);
    await waitFor(() => view.subscribers === 0);

    const ended = new Promise<string>((resolve) => {
      httpGet(`${server!.url}/api/v1/stream`, (res) => {
        let raw = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (raw += c));
        res.on("end", () => resolve(raw));
      });
    });
    await waitFor(() => view.subscribers === 1);
    const started = Date.now();
    await server.close();
    server = undefined;
    const raw = await ended;
    expect(raw).toContain("event: bye");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(view.subscribers).toBe(0);
  });
});

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
