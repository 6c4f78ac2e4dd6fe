import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusFixture, until, type StatusFixture } from "./fixture.js";

describe("history that means change, and rollouts a newer commit replaces", () => {
  const fx: StatusFixture = statusFixture("hist", [{ historyLimit: 3 }, { prune: false }]);
  const [app, other] = fx.apps as [StatusFixture["apps"][0], StatusFixture["apps"][0]];
  beforeAll(async () => {
    await fx.start();
    for (const a of fx.apps) await until(`${a.name} healthy`, async () => (await fx.history(a))[0]?.phase === "Succeeded", 90_000);
  }, 120_000);
  afterAll(() => fx.cleanup(), 60_000);

  it("adds no row to an application a commit does not change, while the changed one gets its own", async () => {
    const sha = other.set({ tag: "v2" }, "only the other application");
    await until("the other application at v2", async () => (await fx.history(other))[0]?.phase === "Succeeded" && (await fx.history(other))[0]?.sha === sha, 60_000);
    await until("the commit compared for the first", async () => (await fx.detail(app)).syncedCommit === sha, 20_000);
    expect(await fx.history(app)).toHaveLength(1);
    expect(await fx.history(other)).toHaveLength(2);
  }, 90_000);

  it("supersedes a stuck rollout with the fix at once, without waiting for its deadline", async () => {
    const stuck = app.set({ tag: "nope", deadline: 600 }, "an image that does not exist");
    await until("the stuck revision rolling out", async () => (await fx.history(app))[0]?.sha === stuck, 20_000);
    await new Promise((r) => setTimeout(r, 3000));
    const started = Date.now();
    const fix = app.set({ tag: "v3" }, "the fix");
    const rows = await until("the fix healthy", async () => {
      const h = await fx.history(app);
      return h[0]?.sha === fix && h[0].phase === "Succeeded" ? h : null;
    }, 60_000);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(rows.find((r) => r.sha === stuck)).toMatchObject({ phase: "Superseded" });
    expect(fx.containers(app).map((c) => c.image)).toEqual(["capstan-demo/web:v3", "capstan-demo/web:v3", "capstan-demo/web:v3"]);
  }, 120_000);

  it("rolls back with no revision named to the previous healthy state, a RolledBack one counting as healthy", async () => {
    const broken = app.set({ tag: "broken", deadline: 6 }, "a broken image");
    await until("the broken commit rolled back", async () => (await fx.history(app))[0]?.phase === "RolledBack", 90_000);
    const before = await fx.history(app);
    expect(before[1]).toMatchObject({ sha: broken, phase: "Failed" });
    // With revisionHistoryLimit 3, only the Superseded, Failed and RolledBack rows of the last commits remain:
    // the RolledBack one is the healthy state v3 ran in, and what rollback goes back to from a later commit.
    const v2 = app.set({ tag: "v2", deadline: 30 }, "v2 again");
    await until("v2 healthy", async () => (await fx.history(app))[0]?.sha === v2 && (await fx.history(app))[0]?.phase === "Succeeded", 60_000);
    await fx.daemon!.daemon.view.rollback(app.name);
    await until("rolled back to v3", async () => {
      const h = await fx.history(app);
      return h[0]?.initiator === "rollback" && h[0].phase === "Succeeded" ? h : null;
    }, 60_000);
    expect(fx.containers(app).map((c) => c.image)).toEqual(["capstan-demo/web:v3", "capstan-demo/web:v3", "capstan-demo/web:v3"]);
  }, 180_000);

  it("adds no row for a manual sync of the commit that runs, when nothing needs applying", async () => {
    const rows = (await fx.history(other)).length;
    await fx.daemon!.daemon.view.sync(other.name);
    await until("the sync step ran", async () => (await fx.daemon!.daemon.view.events({ app: other.name })).length > 0, 5_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await fx.history(other)).toHaveLength(rows);
    expect((await fx.detail(other)).sync).toBe("Synced");
  }, 30_000);

  it("shows an object Git dropped as OutOfSync, not in Git (prune off), and keeps it", async () => {
    const sha = other.set({ settings: false }, "drop the settings ConfigMap");
    const d = await until("OutOfSync with the kept ConfigMap", async () => {
      const x = await fx.detail(other);
      return x.sync === "OutOfSync" && x.kept.length > 0 ? x : null;
    }, 30_000);
    expect(d.kept).toEqual([{ kind: "ConfigMap", name: "settings", namespace: other.namespace }]);
    expect(d.syncMessage).toBe("ConfigMap/settings: not in Git (prune off)");
    expect(d.objects.configMaps).toEqual([]);
    expect((await fx.history(other))[0]).toMatchObject({ sha, phase: "Succeeded" });
  }, 60_000);

  it("shows a ref that cannot be read as Unknown with the reason, and keeps what runs", async () => {
    const ids = fx.containers(other).map((c) => c.id);
    const file = `apps/${other.name}.yaml`;
    fx.repo.commit({ [file]: fx.repo.git("show", `HEAD:${file}`).replace("targetRevision: main", "targetRevision: no-such-branch") }, "follow a branch that does not exist");
    const d = await until("Unknown with the reason", async () => {
      const x = await fx.detail(other);
      return x.sync === "Unknown" ? x : null;
    }, 30_000);
    expect(d.syncMessage).toContain("no-such-branch");
    expect(d.syncMessage).toMatch(/not found/);
    expect(d.health).toBe("Healthy");
    expect(fx.containers(other).map((c) => c.id)).toEqual(ids);
  }, 60_000);
});
