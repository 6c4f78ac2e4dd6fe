import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { buildServer, FakeView } from "../../../src/server/index.js";

const TOKEN = "a".repeat(64);
const AUTH = { authorization: `Bearer ${TOKEN}` };

let view: FakeView;
let app: FastifyInstance;

beforeEach(() => {
  view = new FakeView();
  app = buildServer({ view, token: TOKEN }).app;
});
afterEach(async () => {
  await app.close();
});

async function get(url: string, headers: Record<string, string> = {}) {
  return app.inject({ method: "GET", url, headers });
}

describe("reads", () => {
  it("lists applications with their status, commit and last sync", async () => {
    const res = await get("/api/v1/apps");
    expect(res.statusCode).toBe(200);
    const apps = res.json() as { name: string; health: string; commit: { sha: string } }[];
    expect(apps.map((a) => a.name)).toEqual(["api", "web", "worker"]);
    expect(apps.find((a) => a.name === "api")?.health).toBe("Degraded");
    expect(apps[0]?.commit.sha).toMatch(/^[0-9a-f]{40}$/);
  });

  it("shows one application with its objects tree", async () => {
    const res = await get("/api/v1/apps/web");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.name).toBe("web");
    expect(body.objects.workloads[0].revisionSets[0].pods).toHaveLength(3);
    expect(body.objects.services[0].ports[0].nodePort).toBe(30080);
  });

  it("shows history newest first, limited by ?limit", async () => {
    const res = await get("/api/v1/apps/web/history?limit=2");
    expect(res.statusCode).toBe(200);
    expect((res.json() as { id: number }[]).map((r) => r.id)).toEqual([4, 3]);
  });

  it("shows an application's events and everyone's events", async () => {
    const one = await get("/api/v1/apps/api/events");
    expect(one.statusCode).toBe(200);
    const evs = one.json() as { app: string; reason: string }[];
    expect(evs.length).toBeGreaterThan(0);
    expect(evs.every((e) => e.app === "api")).toBe(true);
    const all = await get("/api/v1/events?limit=2");
    expect(all.statusCode).toBe(200);
    expect(all.json()).toHaveLength(2);
  });

  it("filters events by ?since", async () => {
    const since = new Date(Date.now() - 10 * 60_000).toISOString();
    const res = await get(`/api/v1/events?since=${encodeURIComponent(since)}`);
    expect(res.statusCode).toBe(200);
    const evs = res.json() as { time: string; reason: string }[];
    expect(evs.map((e) => e.reason)).toEqual(["BackOff"]);
  });

  it("shows the diff against Git by default and against a revision on request", async () => {
    const git = await get("/api/v1/apps/web/diff");
    expect(git.statusCode).toBe(200);
    expect(git.json().text).toContain("+++ git main");
    expect(git.json().json.changed[0].kind).toBe("Deployment");
    const rev = await get("/api/v1/apps/web/diff?revision=2");
    expect(rev.json().text).toContain("+++ revision 2");
  });

  it("returns the last N lines of a pod's logs as text", async () => {
    const res = await get("/api/v1/apps/web/pods/web-7c9d5f8b46-2xkqp/logs?tail=3");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.body.split("\n")).toHaveLength(3);
  });

  it("lists nodes with capacity and engine version", async () => {
    const res = await get("/api/v1/nodes");
    expect(res.statusCode).toBe(200);
    expect(res.json()[0]).toMatchObject({ name: "node-a", status: "Ready", engineVersion: "27.3.1" });
  });

  it("answers /healthz", async () => {
    const res = await get("/healthz");
    expect(res.json()).toEqual({ status: "ok" });
  });

  it("serves the dashboard at / with a strict content security policy", async () => {
    const res = await get("/");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.body).toContain('<script type="module" src="/js/main.js">');
    expect(res.headers["content-security-policy"]).toContain("script-src 'self'");
    const js = await get("/js/main.js");
    expect(js.headers["content-type"]).toMatch(/^text\/javascript/);
  });
});

describe("not found", () => {
  it("answers 404 APPLICATION_NOT_FOUND for an unknown application, on reads and actions", async () => {
    const read = await get("/api/v1/apps/nope");
    expect(read.statusCode).toBe(404);
    expect(read.json()).toMatchObject({ code: "APPLICATION_NOT_FOUND" });
    for (const url of ["/api/v1/apps/nope/history", "/api/v1/apps/nope/events", "/api/v1/apps/nope/diff", "/api/v1/apps/nope/pods/x/logs"]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code, url).toBe("APPLICATION_NOT_FOUND");
    }
    const act = await app.inject({ method: "POST", url: "/api/v1/apps/nope/sync", headers: AUTH });
    expect(act.statusCode).toBe(404);
    expect(act.json().code).toBe("APPLICATION_NOT_FOUND");
  });

  it("answers 404 for an unknown pod and an unknown revision", async () => {
    const pod = await get("/api/v1/apps/web/pods/web-nothere/logs");
    expect(pod.statusCode).toBe(404);
    expect(pod.json().code).toBe("CONTAINER_NOT_FOUND");
    const rev = await get("/api/v1/apps/web/diff?revision=99");
    expect(rev.statusCode).toBe(404);
    expect(rev.json().code).toBe("GIT_REF_NOT_FOUND");
  });

  it("answers unknown routes with JSON, not HTML", async () => {
    const res = await get("/api/v1/nothing");
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ code: "NOT_FOUND", message: "no route GET /api/v1/nothing" });
  });
});

describe("malformed requests", () => {
  it.each([
    ["/api/v1/apps/Web", "name"],
    ["/api/v1/apps/-web", "name"],
    [`/api/v1/apps/${"a".repeat(64)}`, "name"],
    ["/api/v1/apps/web_1/history", "name"],
    ["/api/v1/apps/web/pods/web-7c9d5f8b46-2xkqp/logs?tail=0", "tail"],
    ["/api/v1/apps/web/pods/web-7c9d5f8b46-2xkqp/logs?tail=10001", "tail"],
    ["/api/v1/apps/web/pods/web-7c9d5f8b46-2xkqp/logs?tail=ten", "tail"],
    ["/api/v1/apps/web/pods/Bad_Pod/logs", "pod"],
    ["/api/v1/apps/web/diff?revision=abc", "revision"],
    ["/api/v1/events?since=yesterday", "since"],
    ["/api/v1/apps/web/history?limit=0", "limit"],
  ])("answers 400 BAD_REQUEST naming the field for %s", async (url, field) => {
    const res = await get(url);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe("BAD_REQUEST");
    expect(body.message).toContain(`'${field}'`);
    expect(body).not.toHaveProperty("stack");
  });

  it("answers 400 for a rollback body that is not JSON, has a bad revision or unknown fields", async () => {
    const post = (payload: string) =>
      app.inject({ method: "POST", url: "/api/v1/apps/web/rollback", headers: { ...AUTH, "content-type": "application/json" }, payload });
    for (const payload of ["{not json", '{"revision": "not a sha!"}', '{"revision": 0}', '{"revision": "3", "force": true}', "[]"]) {
      const res = await post(payload);
      expect(res.statusCode, payload).toBe(400);
      expect(res.json().code, payload).toBe("BAD_REQUEST");
    }
    expect(view.calls).toEqual([]);
  });
});

describe("actions", () => {
  const actions = ["sync", "refresh", "rollback", "unpin", "suspend", "resume"] as const;

  it.each(actions)("refuses %s without a token, with a wrong one, and with a token of another length (401 UNAUTHORIZED)", async (action) => {
    for (const headers of [{}, { authorization: `Bearer ${"b".repeat(64)}` }, { authorization: "Bearer short" }, { authorization: `Basic ${TOKEN}` }]) {
      const res = await app.inject({ method: "POST", url: `/api/v1/apps/web/${action}`, headers });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe("UNAUTHORIZED");
    }
    expect(view.calls).toEqual([]);
  });

  it.each(actions)("runs %s with the token and answers the application's summary", async (action) => {
    const res = await app.inject({ method: "POST", url: `/api/v1/apps/web/${action}`, headers: AUTH });
    expect(res.statusCode).toBe(200);
    expect(res.json().name).toBe("web");
    expect(view.calls).toEqual([{ action, name: "web" }]);
  });

  it("rolls back to the revision named in the body and pins the application there", async () => {
    const res = await app.inject({ method: "POST", url: "/api/v1/apps/web/rollback", headers: AUTH, payload: { revision: "2" } });
    expect(res.statusCode).toBe(200);
    expect(view.calls).toEqual([{ action: "rollback", name: "web", revision: "2" }]);
    const body = res.json();
    expect(body.pinned).toEqual({ id: 5, sha: body.commit.sha });
    expect(body.commit.message).toBe("Raise replicas to 3 for launch");
  });

  it("accepts the revision id as a JSON number too", async () => {
    const res = await app.inject({ method: "POST", url: "/api/v1/apps/web/rollback", headers: AUTH, payload: { revision: 3 } });
    expect(res.statusCode).toBe(200);
    expect(view.calls).toEqual([{ action: "rollback", name: "web", revision: "3" }]);
  });

  it("rolls back by commit SHA prefix", async () => {
    const history = (await get("/api/v1/apps/web/history")).json() as { id: number; sha: string }[];
    const r1 = history.find((r) => r.id === 1)!;
    const res = await app.inject({ method: "POST", url: "/api/v1/apps/web/rollback", headers: AUTH, payload: { revision: r1.sha.slice(0, 7) } });
    expect(res.statusCode).toBe(200);
    expect(res.json().commit.sha).toBe(r1.sha);
  });

  it("answers 404 for a rollback to a revision the history does not hold", async () => {
    const res = await app.inject({ method: "POST", url: "/api/v1/apps/web/rollback", headers: AUTH, payload: { revision: "deadbeef" } });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe("GIT_REF_NOT_FOUND");
  });

  it("hides the details of an unexpected failure behind a JSON 500", async () => {
    view.sync = async () => {
      throw new Error("database exploded at /var/lib/secret/path");
    };
    const res = await app.inject({ method: "POST", url: "/api/v1/apps/web/sync", headers: AUTH });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ code: "INTERNAL", message: "internal error; the daemon log has the details" });
  });
});

describe("webhook", () => {
  it("passes the exact raw body and headers to the daemon and answers what it says", async () => {
    let seen: { headers: Record<string, unknown>; body: string } | null = null;
    view = new FakeView({
      webhook: (headers, body) => {
        seen = { headers, body: body.toString("utf8") };
        return { status: 202, body: { refreshed: ["web"] } };
      },
    });
    const server = buildServer({ view, token: TOKEN }).app;
    const payload = '{ "ref": "refs/heads/main",  "after": "abc" }';
    const res = await server.inject({ method: "POST", url: "/api/webhook", headers: { "content-type": "application/json", "x-github-event": "push" }, payload });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ refreshed: ["web"] });
    expect(seen!.body).toBe(payload);
    expect(seen!.headers["x-github-event"]).toBe("push");
    const form = await server.inject({ method: "POST", url: "/api/webhook", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "payload=%7B%7D" });
    expect(form.statusCode).toBe(202);
    expect(seen!.body).toBe("payload=%7B%7D");
    await server.close();
  });

  it("refuses a body over 1 MiB with 413 before the daemon sees it", async () => {
    const res = await app.inject({ method: "POST", url: "/api/webhook", headers: { "content-type": "application/json" }, payload: "x".repeat(1024 * 1024 + 1) });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe("PAYLOAD_TOO_LARGE");
    expect(view.calls).toEqual([]);
    expect((await get("/metrics")).body).toContain('capstan_webhook_requests_total{result="invalid"} 1');
    const ok = await app.inject({ method: "POST", url: "/api/webhook", headers: { "content-type": "application/json" }, payload: "x".repeat(1024 * 1024) });
    expect(ok.statusCode).toBe(202);
  });
});
