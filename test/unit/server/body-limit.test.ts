import { afterEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { buildServer, FakeView } from "../../../src/server/index.js";

const TOKEN = "b".repeat(64);
const servers: FastifyInstance[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

function server(options: { bodyLimit?: number } = {}): { app: FastifyInstance; view: FakeView } {
  const view = new FakeView();
  const { app } = buildServer({ view, token: TOKEN, ...options });
  servers.push(app);
  return { app, view };
}

const rollback = (app: FastifyInstance, bytes: number) =>
  app.inject({
    method: "POST",
    url: "/api/v1/apps/web/rollback",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    payload: JSON.stringify({ revision: "3", pad: "x".repeat(bytes) }),
  });

describe("request body limits over the HTTP API", () => {
  it("states the API's own limit, 64 KiB, when an action's body is larger", async () => {
    const { app, view } = server();
    const res = await rollback(app, 70 * 1024);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ code: "PAYLOAD_TOO_LARGE", message: "request body is larger than the limit of 64 KiB (65536 bytes)" });
    expect(view.calls).toEqual([]);
  });

  it("states the limit as configured", async () => {
    const { app } = server({ bodyLimit: 1000 });
    const res = await rollback(app, 2000);
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toBe("request body is larger than the limit of 1000 bytes");
    const big = server({ bodyLimit: 3 * 512 * 1024 });
    const over = await rollback(big.app, 2 * 1024 * 1024);
    expect(over.json().message).toBe("request body is larger than the limit of 1.5 MiB (1572864 bytes)");
  });

  it("states the webhook's own limit, 1 MiB, for an oversized webhook", async () => {
    const { app, view } = server();
    const res = await app.inject({ method: "POST", url: "/api/webhook", headers: { "content-type": "application/json", "x-github-event": "push" }, payload: "x".repeat(1024 * 1024 + 1) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ code: "PAYLOAD_TOO_LARGE", message: "request body is larger than the limit of 1 MiB (1048576 bytes)" });
    expect(view.calls).toEqual([]);
  });
});
