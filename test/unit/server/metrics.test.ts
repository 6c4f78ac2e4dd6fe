import { describe, expect, it } from "vitest";
import { webhookResultOf } from "../../../src/server/metrics.js";
import { buildServer, FakeView, PrometheusMetrics } from "../../../src/server/index.js";

describe("/metrics", () => {
  it("exposes what the daemon reported in Prometheus text format", async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    const view = new FakeView();
    const { app } = buildServer({ view, token: "t".repeat(64), metrics });
    metrics.rolloutStarted("web");
    metrics.rolloutSucceeded("web");
    metrics.rolloutFailed("api");
    metrics.rolloutRolledBack("api");
    metrics.queueDepth(4);
    metrics.reconcileDuration("deployment", 0.2);
    metrics.webhookRequest("accepted");
    metrics.webhookRequest("unauthorized");
    for (const n of await view.nodes()) metrics.node(n);
    for (const a of await view.listApps()) metrics.app(a);

    const res = await app.inject({ url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toContain('capstan_rollouts_started_total{app="web"} 1');
    expect(text).toContain('capstan_rollouts_completed_total{app="web",result="Succeeded"} 1');
    expect(text).toContain('capstan_rollouts_completed_total{app="api",result="Failed"} 1');
    expect(text).toContain('capstan_rollouts_completed_total{app="api",result="RolledBack"} 1');
    expect(text).toContain('capstan_reconcile_queue_depth{queue="application"} 4');
    expect(text).toContain('capstan_reconcile_duration_seconds_bucket{le="0.25",controller="deployment"} 1');
    expect(text).toContain('capstan_webhook_requests_total{result="accepted"} 1');
    expect(text).toContain('capstan_webhook_requests_total{result="unauthorized"} 1');
    expect(text).toContain('capstan_node_cpu_allocatable_millicores{node="node-a"} 4000');
    expect(text).toContain('capstan_node_pods{node="node-b"} 3');
    expect(text).toContain('capstan_node_info{node="node-a",engine_version="27.3.1"} 1');
    expect(text).toContain('capstan_app_health_status{app="api",status="Degraded"} 1');
    expect(text).toContain('capstan_app_health_status{app="api",status="Healthy"} 0');
    expect(text).toContain('capstan_app_sync_status{app="api",status="OutOfSync"} 1');
    expect(text).toContain('capstan_app_revision{app="web"} 4');
    expect(text).toContain('capstan_app_suspended{app="worker"} 1');
    expect(text).toContain('capstan_app_last_sync_result{app="web",result="Succeeded"} 1');
    expect(text).toMatch(/capstan_app_last_sync_duration_seconds\{app="web"\} 44/);
    await app.close();
  });

  it("drops an application's and a node's series when they are forgotten, and follows an engine upgrade", async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    const view = new FakeView();
    const [web] = await view.listApps().then((l) => l.filter((a) => a.name === "web"));
    const [node] = await view.nodes();
    metrics.app(web!);
    metrics.node(node!);
    metrics.node({ ...node!, engineVersion: "28.0.0" });
    let text = await metrics.text();
    expect(text).toContain('capstan_node_info{node="node-a",engine_version="28.0.0"} 1');
    expect(text).not.toContain('engine_version="27.3.1"');
    metrics.forgetApp("web");
    metrics.forgetNode("node-a");
    text = await metrics.text();
    expect(text).not.toContain('app="web"');
    expect(text).not.toContain('node="node-a"');
  });

  it("keeps two servers' figures apart", async () => {
    const a = new PrometheusMetrics({ processMetrics: false });
    const b = new PrometheusMetrics({ processMetrics: false });
    a.queueDepth(7);
    expect(await b.text()).toContain('capstan_reconcile_queue_depth{queue="application"} 0');
    expect(await a.text()).toContain('capstan_reconcile_queue_depth{queue="application"} 7');
  });
});

describe("webhook requests by result", () => {
  const TOKEN = "t".repeat(64);
  const refusal = (status: number, code: string) => ({ status, body: { code, message: "refused" } });

  it("counts each refusal of the daemon under its result, not only accepted pushes", async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    const answers = [
      { status: 202, body: { accepted: true, repos: [], ref: "refs/heads/main" } },
      { status: 204, body: null },
      refusal(401, "WEBHOOK_SIGNATURE_MISMATCH"),
      refusal(401, "WEBHOOK_UNSIGNED"),
      refusal(401, "WEBHOOK_SECRET_NOT_SET"),
      refusal(400, "WEBHOOK_MALFORMED_JSON"),
      refusal(400, "WEBHOOK_UNKNOWN_SENDER"),
      refusal(400, "WEBHOOK_NO_REPOSITORY"),
    ];
    // The daemon's side of the contract: it counts what it answers.
    const view = new FakeView({
      webhook: () => {
        const answer = answers.shift() ?? { status: 500, body: null };
        metrics.webhookAnswered(answer.status, answer.body);
        return answer;
      },
    });
    const { app } = buildServer({ view, token: TOKEN, metrics });
    for (let i = 0; i < 8; i++) await app.inject({ method: "POST", url: "/api/webhook", headers: { "content-type": "application/json" }, payload: "{}" });
    const text = await metrics.text();
    expect(text).toContain('capstan_webhook_requests_total{result="accepted"} 1');
    expect(text).toContain('capstan_webhook_requests_total{result="ignored"} 1');
    expect(text).toContain('capstan_webhook_requests_total{result="unauthorized"} 3');
    expect(text).toContain('capstan_webhook_requests_total{result="invalid"} 3');
    await app.close();
  });

  it("counts a body refused for its size once, whether the server or the daemon refuses it", async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    const view = new FakeView({
      webhook: () => {
        const answer = refusal(413, "WEBHOOK_PAYLOAD_TOO_LARGE");
        metrics.webhookAnswered(answer.status, answer.body);
        return answer;
      },
    });
    const { app } = buildServer({ view, token: TOKEN, metrics });
    const tooBig = await app.inject({ method: "POST", url: "/api/webhook", headers: { "content-type": "application/json" }, payload: "x".repeat(1024 * 1024 + 1) });
    expect(tooBig.statusCode).toBe(413);
    const refused = await app.inject({ method: "POST", url: "/api/webhook", headers: { "content-type": "application/json" }, payload: "{}" });
    expect(refused.statusCode).toBe(413);
    expect(await metrics.text()).toContain('capstan_webhook_requests_total{result="invalid"} 2');
    await app.close();
  });

  it.each([
    [202, { accepted: true }, "accepted"],
    [200, null, "accepted"],
    [204, null, "ignored"],
    [401, { code: "WEBHOOK_SIGNATURE_MALFORMED" }, "unauthorized"],
    [403, null, "unauthorized"],
    [400, { code: "WEBHOOK_NO_REPOSITORY" }, "invalid"],
    [413, { code: "PAYLOAD_TOO_LARGE" }, "invalid"],
    [415, null, "invalid"],
    [500, { code: "INTERNAL" }, "error"],
    [503, "busy", "error"],
  ] as const)("answers %i with %j are counted as %s", (status, body, result) => {
    expect(webhookResultOf(status, body)).toBe(result);
  });
});

describe("reconcile queues", () => {
  it("puts every reconcile a queue reports in the duration histogram, under its controller", async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    const applications = metrics.queueObserver("application");
    const workloads = metrics.queueObserver("workload", (key) => key.split("/")[2]?.toLowerCase() ?? "workload");
    applications.onReconciled("shop", 1_200);
    workloads.onReconciled("shop/prod/Deployment/web", 30);
    workloads.onReconciled("shop/prod/Deployment/api", 40);
    workloads.onReconciled("shop/prod/StatefulSet/db", 7_000);
    const text = await metrics.text();
    expect(text).toContain('capstan_reconcile_duration_seconds_count{controller="application"} 1');
    expect(text).toContain('capstan_reconcile_duration_seconds_bucket{le="2.5",controller="application"} 1');
    expect(text).toContain('capstan_reconcile_duration_seconds_count{controller="deployment"} 2');
    expect(text).toContain('capstan_reconcile_duration_seconds_bucket{le="0.05",controller="deployment"} 2');
    expect(text).toMatch(/capstan_reconcile_duration_seconds_sum\{controller="deployment"\} 0\.07/);
    expect(text).toContain('capstan_reconcile_duration_seconds_bucket{le="5",controller="statefulset"} 0');
    expect(text).toContain('capstan_reconcile_duration_seconds_bucket{le="10",controller="statefulset"} 1');
  });

  it("keeps one depth per queue, so two queues never overwrite each other's", async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    metrics.queueObserver("application").onDepth(3);
    metrics.queueObserver("workload").onDepth(12);
    const text = await metrics.text();
    expect(text).toContain('capstan_reconcile_queue_depth{queue="application"} 3');
    expect(text).toContain('capstan_reconcile_queue_depth{queue="workload"} 12');
  });
});

describe("figures read at scrape time", () => {
  it("refreshes the node figures before each scrape, and a failing collector leaves the last ones", async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    let pods = 2;
    let fail = false;
    const node = () => ({ name: "node-a", status: "Ready" as const, cpu: { allocatable: 1900, requested: 250 * pods }, memory: { allocatable: 1024, requested: 0 }, pods, engineVersion: "27.3.1" });
    const remove = metrics.collectOnScrape(async () => {
      if (fail) throw new Error("engine gone");
      metrics.node(node());
    });
    expect(await metrics.text()).toContain('capstan_node_pods{node="node-a"} 2');
    pods = 5;
    expect(await metrics.text()).toContain('capstan_node_cpu_requested_millicores{node="node-a"} 1250');
    fail = true;
    pods = 9;
    expect(await metrics.text()).toContain('capstan_node_pods{node="node-a"} 5');
    remove();
    fail = false;
    expect(await metrics.text()).toContain('capstan_node_pods{node="node-a"} 5');
  });
});
