import { afterEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { buildServer, FakeView, tokenMatches } from "../../../src/server/index.js";

const TOKEN = "0123456789abcdef".repeat(4);
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe("token", () => {
  it("matches only the exact token", () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN.slice(0, -1) + "0", TOKEN)).toBe(false);
    expect(tokenMatches(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokenMatches("", TOKEN)).toBe(false);
    expect(tokenMatches(`${TOKEN}x`, TOKEN)).toBe(false);
  });

  it("refuses to build a server with an empty token", () => {
    expect(() => buildServer({ view: new FakeView(), token: "" })).toThrow(/token is empty/);
  });
});

describe("bound to loopback", () => {
  it("lets anyone on the machine read without a token", async () => {
    app = buildServer({ view: new FakeView(), token: TOKEN, host: "127.0.0.1" }).app;
    expect((await app.inject({ url: "/api/v1/apps" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/metrics" })).statusCode).toBe(200);
  });

  it("refuses requests whose Host is not a loopback name (DNS rebinding)", async () => {
    app = buildServer({ view: new FakeView(), token: TOKEN, host: "127.0.0.1" }).app;
    const res = await app.inject({ url: "/api/v1/apps", headers: { host: "attacker.example:7420" } });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("FORBIDDEN");
    for (const host of ["127.0.0.1:7420", "localhost:7420", "[::1]:7420", "localhost"]) {
      expect((await app.inject({ url: "/api/v1/apps", headers: { host } })).statusCode, host).toBe(200);
    }
  });
});

describe("bound beyond loopback", () => {
  it("needs the token for reads, the stream and metrics too, but not for /healthz or the dashboard's files", async () => {
    app = buildServer({ view: new FakeView(), token: TOKEN, host: "0.0.0.0" }).app;
    for (const url of ["/api/v1/apps", "/api/v1/apps/web", "/api/v1/nodes", "/api/v1/events", "/api/v1/stream", "/metrics"]) {
      const res = await app.inject({ url, headers: { host: "capstan.internal:7420" } });
      expect(res.statusCode, url).toBe(401);
      expect(res.json().code, url).toBe("UNAUTHORIZED");
    }
    const ok = await app.inject({ url: "/api/v1/apps", headers: { host: "capstan.internal:7420", authorization: `Bearer ${TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    expect((await app.inject({ url: "/healthz", headers: { host: "capstan.internal" } })).statusCode).toBe(200);
    expect((await app.inject({ url: "/", headers: { host: "capstan.internal" } })).statusCode).toBe(200);
  });
});
