import { describe, expect, it } from "vitest";
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
    expect(text).toContain("capstan_reconcile_queue_depth 4");
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
    expect(await b.text()).toContain("capstan_reconcile_queue_depth 0");
    expect(await a.text()).toContain("capstan_reconcile_queue_depth 7");
  });
});
