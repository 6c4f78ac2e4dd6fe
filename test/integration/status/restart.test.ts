import { afterAll, describe, expect, it } from "vitest";
import { served, statusFixture, until, type StatusFixture } from "./fixture.js";

/** Requests through the NodePort for `ms`, one at a time: how many were answered and how many failed. */
async function load(port: number, ms: number): Promise<{ ok: number; failed: number }> {
  const end = Date.now() + ms;
  let ok = 0;
  let failed = 0;
  for (let i = 0; i < 2000 && Date.now() < end; i++) {
    if ((await served(port)) === null) failed++;
    else ok++;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { ok, failed };
}

describe("a daemon restart and commits that leave an application's rendering alone", () => {
  const fx: StatusFixture = statusFixture("rst", [{}]);
  const app = fx.apps[0]!;
  afterAll(() => fx.cleanup(), 60_000);

  it("keep every container: an unrelated commit and a restart replace nothing, and history gets no row", async () => {
    await fx.start();
    await until("three ready pods", async () => (await fx.detail(app)).health === "Healthy" && fx.containers(app).length === 3, 60_000);
    await until("revision 1 recorded", async () => (await fx.history(app))[0]?.phase === "Succeeded", 30_000);
    const before = fx.containers(app).map((c) => c.id);
    const unrelated = fx.repo.commit({ "README.md": "an unrelated change\n" }, "docs only");
    await until("the unrelated commit compared", async () => (await fx.detail(app)).syncedCommit === unrelated, 20_000);
    expect(fx.containers(app).map((c) => c.id)).toEqual(before);
    expect(await fx.history(app)).toHaveLength(1);
    expect((await fx.detail(app)).sync).toBe("Synced");

    await fx.stop();
    await fx.start();
    await until("serving after the restart", async () => (await served(app.nodePort)) !== null, 30_000);
    // Thirty seconds under a bounded load: the same containers serve every request.
    const traffic = await load(app.nodePort, 30_000);
    expect(traffic.failed).toBe(0);
    expect(traffic.ok).toBeGreaterThan(100);
    expect(fx.containers(app).map((c) => c.id)).toEqual(before);
    const detail = await fx.detail(app);
    expect(detail).toMatchObject({ sync: "Synced", health: "Healthy", syncedCommit: unrelated });
    expect(await fx.history(app)).toHaveLength(1);
  }, 240_000);

  it("continues a rollout where it was: pods already on the new revision are kept", async () => {
    const sha = app.set({ tag: "v2", minReady: 4 }, "web v2, slowly");
    await until("one v2 pod ready", async () => {
      const d = await fx.detail(app);
      const set = d.objects.workloads[0]?.revisionSets.find((r) => r.current);
      return (set?.pods.filter((p) => p.ready).length ?? 0) >= 1 && fx.containers(app).some((c) => c.image.endsWith(":v2"));
    }, 60_000);
    const v2Before = fx.containers(app).filter((c) => c.image.endsWith(":v2")).map((c) => c.id);
    await fx.stop();
    await fx.start();
    await until("the rollout finished", async () => (await fx.history(app))[0]?.phase === "Succeeded", 120_000);
    const rows = await fx.history(app);
    expect(rows[0]).toMatchObject({ sha, phase: "Succeeded" });
    expect(rows.filter((r) => r.phase === "Failed")).toEqual([]);
    const after = fx.containers(app);
    expect(after.map((c) => c.image)).toEqual(["capstan-demo/web:v2", "capstan-demo/web:v2", "capstan-demo/web:v2"]);
    for (const id of v2Before) expect(after.map((c) => c.id)).toContain(id);
  }, 240_000);
});
