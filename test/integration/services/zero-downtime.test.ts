import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs, startLoad } from "../../helpers/load.js";
import { web } from "../controllers/workloads/harness.js";
import { ServiceRun, asService, freeNodePort, service, until } from "./harness.js";

const run = new ServiceRun();
beforeAll(() => run.setup());
afterAll(() => run.teardown());

const REPLICAS = Number(process.env["CAPSTAN_IT_REPLICAS"] ?? 10);
const RPS = 150;
const strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
// Good revisions get room to finish on a busy 2-core machine; the broken one must fail fast.
const deadline = (image: string) => ({ progressDeadlineSeconds: image.endsWith("broken") ? 6 : 60 });
const revision = (image: string) => [web("web", { replicas: REPLICAS, strategy, spec: deadline(image), image }), service("web", { nodePort })];
let nodePort = 0;

describe("Services on the real engine: zero downtime", () => {
  it(`a ${REPLICAS}-replica rollout v1→v2 behind a NodePort drops no request, then a broken v3 rolled out and back serves only v2`, async () => {
    nodePort = await freeNodePort();
    const { applier, controller } = await run.stack();
    const sync = async (commit: string, image: string) => {
      const req = run.request("zd", commit, revision(image), { autoRollback: true });
      await applier.sync(req);
      return req;
    };
    const first = await sync("v1", "capstan-demo/web:v1");
    expect(await controller.setServices("zd", first.objects.filter((o) => o.kind === "Service").map(asService))).toEqual([]);
    expect((await applier.waitForHealthy("zd", 120_000)).status).toBe("Healthy");
    await until("all v1 pods behind the proxy", async () => {
      const ready = controller.status()[0]?.ports[0]?.ready.length ?? 0;
      return ready === REPLICAS ? true : undefined;
    }, 30_000);

    // v1 → v2 under load from a second process.
    const load = startLoad({ port: nodePort, rps: RPS, durationMs: 90_000 });
    await load.started;
    await new Promise((r) => setTimeout(r, 1_000));
    const t0 = Date.now();
    await sync("v2", "capstan-demo/web:v2");
    expect(await applier.waitForHealthy("zd", 120_000)).toEqual({ status: "Healthy", commit: "v2" });
    const rolloutMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 1_500));
    const report = await load.stop();
    const seen = runs(report.bodies);
    console.log(`v1→v2: ${REPLICAS} replicas in ${rolloutMs} ms; ${report.ok} ok, ${report.failed} failed over ${report.durationMs} ms; ${seen.length} runs`);
    expect(report.errors).toEqual([]);
    expect(report.failed).toBe(0);
    expect(report.ok).toBeGreaterThan((RPS * rolloutMs) / 1000 / 2);
    expect(new Set(report.bodies)).toEqual(new Set(["web v1\n", "web v2\n"]));
    expect(seen[0]?.body).toBe("web v1\n");
    expect(seen[seen.length - 1]?.body).toBe("web v2\n");

    // v3 (never ready) rolls out, misses its deadline and is rolled back to v2, under load.
    const again = startLoad({ port: nodePort, rps: RPS, durationMs: 90_000 });
    await again.started;
    await new Promise((r) => setTimeout(r, 1_000));
    await sync("v3", "capstan-demo/web:broken");
    await until("a web:broken pod running", async () => ((await run.containers("zd")).some((c) => c.image.endsWith("broken") && c.running) ? true : undefined), 30_000);
    expect(await applier.waitForHealthy("zd", 90_000)).toMatchObject({ status: "Failed", commit: "v3", reason: "ProgressDeadlineExceeded", rolledBackTo: "v2" });
    expect(await applier.waitForHealthy("zd", 90_000)).toEqual({ status: "Healthy", commit: "v2" });
    await new Promise((r) => setTimeout(r, 1_500));
    const back = await again.stop();
    console.log(`v3 broken and back: ${back.ok} ok, ${back.failed} failed over ${back.durationMs} ms`);
    expect(back.errors).toEqual([]);
    expect(back.failed).toBe(0);
    expect(runs(back.bodies)).toEqual([{ body: "web v2\n", count: back.ok }]);
  }, 420_000);
});
