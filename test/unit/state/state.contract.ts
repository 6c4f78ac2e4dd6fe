import { describe, expect, it } from "vitest";
import type { Clock } from "../../../src/state/clock.js";
import { autoSyncDecision } from "../../../src/state/policy.js";
import { manifestsDigest } from "../../../src/state/rules.js";
import type { NewRevision, StateStore } from "../../../src/state/types.js";

export class FakeClock implements Clock {
  constructor(public ms = Date.parse("2026-03-01T10:00:00.000Z")) {}
  nowMs(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

let shaCounter = 0;
export function sha(): string {
  shaCounter++;
  return shaCounter.toString(16).padStart(40, "a");
}

export function rev(overrides: Partial<NewRevision> = {}): NewRevision {
  return {
    commit: sha(),
    message: "deploy web v2\n\nlonger body that is not kept",
    author: "Ada <ada@example.com>",
    commitTime: "2026-03-01T09:00:00Z",
    manifests: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n",
    initiator: "poll",
    ...overrides,
  };
}

const spec = (name: string, limit?: number) => ({
  name,
  repo: "https://git.example.com/acme/deploy.git",
  path: `charts/${name}`,
  targetRevision: "main",
  ...(limit === undefined ? {} : { revisionHistoryLimit: limit }),
});

/** One suite for every StateStore adapter, so the fake cannot drift from SQLite (or a later etcd). */
export function stateStoreContract(label: string, make: (clock: FakeClock) => Promise<StateStore>): void {
  describe(`StateStore contract: ${label}`, () => {
    const fresh = async () => {
      const clock = new FakeClock();
      const store = await make(clock);
      return { clock, store };
    };

    it("creates an application with unknown status and keeps its status when the spec changes", async () => {
      const { store } = await fresh();
      const created = await store.upsertApp(spec("web"));
      expect(created.status).toMatchObject({ sync: "Unknown", health: "Unknown", currentRevision: null, pinned: null, suspended: false, lastFailedCommit: null });
      expect(created.revisionHistoryLimit).toBe(10);
      const cas = await store.casAppStatus("web", created.version, { sync: "Synced", health: "Healthy" });
      expect(cas.ok).toBe(true);
      const updated = await store.upsertApp({ ...spec("web"), targetRevision: "release" });
      expect(updated.targetRevision).toBe("release");
      expect(updated.status.sync).toBe("Synced");
      expect((await store.listApps()).map((a) => a.name)).toEqual(["web"]);
      await store.close();
    });

    it("numbers revisions per application from 1 and keeps their commit details and manifests", async () => {
      const { store, clock } = await fresh();
      await store.upsertApp(spec("web"));
      await store.upsertApp(spec("api"));
      const input = rev({ initiator: "webhook" });
      const a1 = await store.beginRevision("web", input);
      clock.advance(1000);
      const a2 = await store.beginRevision("web", rev());
      const b1 = await store.beginRevision("api", rev());
      expect([a1.id, a2.id, b1.id]).toEqual([1, 2, 1]);
      expect(a1).toMatchObject({ commit: input.commit, message: "deploy web v2", author: "Ada <ada@example.com>", initiator: "webhook", phase: "Pending" });
      const full = await store.getRevision("web", 1);
      expect(full?.manifests).toBe(input.manifests);
      expect(full?.manifestsDigest).toBe(manifestsDigest(input.manifests));
      const list = await store.listRevisions("web");
      expect(list.map((r) => r.id)).toEqual([1, 2]);
      expect(list[0]).not.toHaveProperty("manifests");
      await store.close();
    });

    it("keeps only revisionHistoryLimit revisions and never reuses a pruned id", async () => {
      const { store } = await fresh();
      await store.upsertApp(spec("web", 3));
      for (let i = 0; i < 5; i++) await store.beginRevision("web", rev());
      expect((await store.listRevisions("web")).map((r) => r.id)).toEqual([3, 4, 5]);
      expect(await store.getRevision("web", 1)).toBeNull();
      const next = await store.beginRevision("web", rev());
      expect(next.id).toBe(6);
      expect((await store.listRevisions("web")).map((r) => r.id)).toEqual([4, 5, 6]);
      await store.close();
    });

    it("never prunes the current or the pinned revision", async () => {
      const { store } = await fresh();
      const app = await store.upsertApp(spec("web", 2));
      const r1 = await store.beginRevision("web", rev());
      const r2 = await store.beginRevision("web", rev());
      const cas = await store.casAppStatus("web", app.version, { currentRevision: r2.id, pinned: { id: r1.id, sha: r1.commit } });
      expect(cas.ok).toBe(true);
      for (let i = 0; i < 4; i++) await store.beginRevision("web", rev());
      expect((await store.listRevisions("web")).map((r) => r.id)).toEqual([1, 2, 6]);
      // Unpinning lets the old pin go at the next write.
      const now = await store.getApp("web");
      await store.casAppStatus("web", now!.version, { pinned: null });
      expect((await store.listRevisions("web")).map((r) => r.id)).toEqual([2, 6]);
      await store.close();
    });

    it("refuses a status write whose version is stale and writes nothing", async () => {
      const { store } = await fresh();
      const app = await store.upsertApp(spec("web"));
      const first = await store.casAppStatus("web", app.version, { health: "Progressing" });
      expect(first).toEqual({ ok: true, version: app.version + 1 });
      const stale = await store.casAppStatus("web", app.version, { health: "Degraded", healthMessage: "crash loop" });
      expect(stale).toEqual({ ok: false, version: app.version + 1 });
      const now = await store.getApp("web");
      expect(now?.status.health).toBe("Progressing");
      expect(now?.status.healthMessage).toBe("");
      await store.close();
    });

    it("pins only a stored revision with the same commit", async () => {
      const { store } = await fresh();
      const app = await store.upsertApp(spec("web"));
      const r1 = await store.beginRevision("web", rev());
      await expect(store.casAppStatus("web", app.version, { pinned: { id: 7, sha: r1.commit } })).rejects.toMatchObject({ code: "STATE_ERROR", message: expect.stringContaining("cannot pin revision 7") });
      await expect(store.casAppStatus("web", app.version, { pinned: { id: r1.id, sha: sha() } })).rejects.toMatchObject({ code: "STATE_ERROR" });
      const ok = await store.casAppStatus("web", app.version, { pinned: { id: r1.id, sha: r1.commit } });
      expect(ok.ok).toBe(true);
      expect((await store.getApp("web"))?.status.pinned).toEqual({ id: r1.id, sha: r1.commit });
      await store.close();
    });

    it("remembers a failed commit so auto-sync skips it until a newer commit arrives", async () => {
      const { store, clock } = await fresh();
      let app = await store.upsertApp(spec("web"));
      const good = await store.beginRevision("web", rev({ phase: "Running" }));
      clock.advance(2000);
      const ok = await store.finishRevision("web", good.id, {
        phase: "Succeeded",
        status: { expectedVersion: app.version, next: { currentRevision: good.id, sync: "Synced", health: "Healthy" } },
        healthyObjects: [{ kind: "Deployment", metadata: { name: "web" } }],
      });
      expect(ok.ok).toBe(true);
      const bad = await store.beginRevision("web", rev({ phase: "Running" }));
      clock.advance(5000);
      app = (await store.getApp("web"))!;
      const failed = await store.finishRevision("web", bad.id, {
        phase: "Failed",
        reason: "ProgressDeadlineExceeded",
        status: { expectedVersion: app.version, next: { lastFailedCommit: bad.commit, health: "Degraded" } },
        event: { type: "Warning", reason: "RolloutFailed", message: "web did not become ready" },
      });
      expect(failed.ok && failed.revision).toMatchObject({ phase: "Failed", reason: "ProgressDeadlineExceeded", durationMs: 5000 });
      const rolled = await store.finishRevision("web", bad.id, { phase: "RolledBack", reason: `RolledBackTo ${good.id}` });
      expect(rolled.ok && rolled.revision).toMatchObject({ phase: "RolledBack", durationMs: 5000 });
      const status = (await store.getApp("web"))!.status;
      expect(status.lastFailedCommit).toBe(bad.commit);
      expect(autoSyncDecision(status, bad.commit, good.commit)).toMatchObject({ sync: false, reason: "FailedCommit" });
      expect(autoSyncDecision(status, sha(), good.commit)).toEqual({ sync: true });
      expect((await store.getHealthyObjects("web"))?.revision).toBe(good.id);
      expect((await store.listEvents({ app: "web" })).map((e) => e.reason)).toEqual(["RolloutFailed"]);
      await store.close();
    });

    it("writes nothing of a revision outcome when its status guard is stale", async () => {
      const { store } = await fresh();
      const app = await store.upsertApp(spec("web"));
      const r = await store.beginRevision("web", rev({ phase: "Running" }));
      await store.casAppStatus("web", app.version, { health: "Progressing" });
      const res = await store.finishRevision("web", r.id, {
        phase: "Succeeded",
        status: { expectedVersion: app.version, next: { currentRevision: r.id, sync: "Synced" } },
        healthyObjects: [{ kind: "Service" }],
        event: { type: "Normal", reason: "Synced", message: "synced" },
      });
      expect(res).toEqual({ ok: false, version: app.version + 1 });
      expect((await store.getRevision("web", r.id))?.phase).toBe("Running");
      expect(await store.getHealthyObjects("web")).toBeNull();
      expect(await store.listEvents({ app: "web" })).toEqual([]);
      expect((await store.getApp("web"))?.status.currentRevision).toBeNull();
      await store.close();
    });

    it("lets only a Failed revision become RolledBack once it has ended", async () => {
      const { store } = await fresh();
      await store.upsertApp(spec("web"));
      const r = await store.beginRevision("web", rev());
      const done = await store.finishRevision("web", r.id, { phase: "Succeeded" });
      expect(done.ok && done.revision.startedAt).toBeTruthy();
      await expect(store.finishRevision("web", r.id, { phase: "Failed" })).rejects.toMatchObject({ code: "STATE_ERROR", message: expect.stringContaining("already ended as Succeeded") });
      await expect(store.finishRevision("web", 99, { phase: "Failed" })).rejects.toMatchObject({ code: "STATE_ERROR" });
      await store.close();
    });

    it("answers event queries by application, time and count, oldest first", async () => {
      const { store, clock } = await fresh();
      await store.upsertApp(spec("web"));
      await store.upsertApp(spec("api"));
      const start = new Date(clock.ms).toISOString();
      for (let i = 0; i < 5; i++) {
        await store.recordEvent("web", { type: i === 3 ? "Warning" : "Normal", reason: `Step${i}`, message: `step ${i}`, object: "Deployment/web" });
        await store.recordEvent("api", { type: "Normal", reason: `Api${i}`, message: "" });
        clock.advance(1000);
      }
      const web = await store.listEvents({ app: "web" });
      expect(web.map((e) => e.reason)).toEqual(["Step0", "Step1", "Step2", "Step3", "Step4"]);
      expect(web[3]).toMatchObject({ type: "Warning", object: "Deployment/web", app: "web", time: new Date(Date.parse(start) + 3000).toISOString() });
      const since = new Date(Date.parse(start) + 2000).toISOString();
      expect((await store.listEvents({ app: "web", since })).map((e) => e.reason)).toEqual(["Step2", "Step3", "Step4"]);
      expect((await store.listEvents({ app: "web", limit: 2 })).map((e) => e.reason)).toEqual(["Step3", "Step4"]);
      expect((await store.listEvents({ since, limit: 3 })).map((e) => e.reason)).toEqual(["Api3", "Step4", "Api4"]);
      expect(await store.listEvents({ app: "web", limit: 0 })).toEqual([]);
      expect((await store.listEvents()).length).toBe(10);
      await expect(store.recordEvent("nope", { type: "Normal", reason: "X", message: "" })).rejects.toMatchObject({ code: "APPLICATION_NOT_FOUND" });
      await expect(store.listEvents({ since: "yesterday" })).rejects.toMatchObject({ code: "STATE_ERROR", message: expect.stringContaining("not an ISO 8601 time") });
      await expect(store.listEvents({ limit: 2.5 })).rejects.toMatchObject({ code: "STATE_ERROR" });
      await store.close();
    });

    it("keeps the newest events per application up to the event limit", async () => {
      const { store } = await fresh();
      await store.upsertApp(spec("web"));
      for (let i = 0; i < 1005; i++) await store.recordEvent("web", { type: "Normal", reason: `E${i}`, message: "" });
      const all = await store.listEvents({ app: "web" });
      expect(all.length).toBe(1000);
      expect(all[0]?.reason).toBe("E5");
      await store.close();
    });

    it("removes an application with its revisions and events", async () => {
      const { store } = await fresh();
      await store.upsertApp(spec("web"));
      await store.beginRevision("web", rev());
      await store.recordEvent("web", { type: "Normal", reason: "Created", message: "" });
      expect(await store.deleteApp("web")).toBe(true);
      expect(await store.deleteApp("web")).toBe(false);
      expect(await store.getApp("web")).toBeNull();
      expect(await store.listRevisions("web")).toEqual([]);
      expect(await store.listEvents({ app: "web" })).toEqual([]);
      await store.upsertApp(spec("web"));
      expect((await store.beginRevision("web", rev())).id).toBe(1);
      await store.close();
    });

    it("names the missing application and rejects values outside the enums", async () => {
      const { store } = await fresh();
      await expect(store.beginRevision("ghost", rev())).rejects.toMatchObject({ code: "APPLICATION_NOT_FOUND", message: expect.stringContaining('"ghost"') });
      await expect(store.casAppStatus("ghost", 1, {})).rejects.toMatchObject({ code: "APPLICATION_NOT_FOUND" });
      const app = await store.upsertApp(spec("web"));
      await expect(store.casAppStatus("web", app.version, { health: "Fine" as never })).rejects.toMatchObject({ code: "STATE_ERROR", message: expect.stringContaining("Healthy, Suspended") });
      await expect(store.beginRevision("web", rev({ commit: "not-a-sha" }))).rejects.toMatchObject({ code: "STATE_ERROR" });
      await expect(store.upsertApp({ ...spec("api"), revisionHistoryLimit: 0 })).rejects.toMatchObject({ code: "STATE_ERROR", message: expect.stringContaining("revisionHistoryLimit 0") });
      await store.close();
    });

    it("leaves the version alone when the spec is upserted unchanged, so a guard read before stays valid", async () => {
      const { store } = await fresh();
      const app = await store.upsertApp(spec("web"));
      const same = await store.upsertApp(spec("web"));
      expect(same.version).toBe(app.version);
      expect((await store.casAppStatus("web", app.version, { sync: "Synced" })).ok).toBe(true);
      await store.close();
    });

    it("prunes at once when the history limit is lowered", async () => {
      const { store } = await fresh();
      await store.upsertApp(spec("web", 5));
      for (let i = 0; i < 5; i++) await store.beginRevision("web", rev());
      await store.upsertApp(spec("web", 2));
      expect((await store.listRevisions("web")).map((r) => r.id)).toEqual([4, 5]);
      await store.close();
    });

    it("keeps healthy objects as JSON, whole-number bigints as numbers, and refuses what JSON cannot hold", async () => {
      const { store } = await fresh();
      await store.upsertApp(spec("web"));
      const r = await store.beginRevision("web", rev());
      const objects = [{ kind: "Deployment", spec: { replicas: 3n, paused: false, labels: { app: "web" } } }];
      const done = await store.finishRevision("web", r.id, { phase: "Succeeded", healthyObjects: objects });
      expect(done.ok).toBe(true);
      expect((await store.getHealthyObjects("web"))?.objects).toEqual([{ kind: "Deployment", spec: { replicas: 3, paused: false, labels: { app: "web" } } }]);
      const r2 = await store.beginRevision("web", rev());
      await expect(store.finishRevision("web", r2.id, { phase: "Succeeded", healthyObjects: [{ n: 2n ** 70n }] })).rejects.toMatchObject({
        code: "STATE_ERROR",
        message: expect.stringContaining("does not fit in a JSON number"),
      });
      expect((await store.getRevision("web", r2.id))?.phase).toBe("Pending");
      await store.close();
    });

    it("gives the owner lease to one holder until it lapses or is released", async () => {
      const { store, clock } = await fresh();
      expect(await store.leaseHolder()).toBeNull();
      const a = await store.acquireLease("daemon-a", 10_000);
      expect(a).toMatchObject({ ok: true, lease: { holder: "daemon-a", expiresAt: new Date(clock.ms + 10_000).toISOString() } });
      const b = await store.acquireLease("daemon-b", 10_000);
      expect(b).toMatchObject({ ok: false, lease: { holder: "daemon-a" } });
      clock.advance(6000);
      expect((await store.renewLease("daemon-a", 10_000)).ok).toBe(true);
      expect((await store.renewLease("daemon-b", 10_000)).ok).toBe(false);
      clock.advance(9999);
      expect((await store.leaseHolder())?.holder).toBe("daemon-a");
      clock.advance(1);
      expect(await store.leaseHolder()).toBeNull();
      expect(await store.renewLease("daemon-a", 10_000)).toEqual({ ok: false, lease: null });
      const taken = await store.acquireLease("daemon-b", 5000);
      expect(taken).toMatchObject({ ok: true, lease: { holder: "daemon-b" } });
      expect(await store.releaseLease("daemon-a")).toBe(false);
      expect(await store.releaseLease("daemon-b")).toBe(true);
      expect(await store.leaseHolder()).toBeNull();
      expect((await store.acquireLease("daemon-a", 1000)).ok).toBe(true);
      await expect(store.acquireLease("daemon-a", 0)).rejects.toMatchObject({ code: "STATE_ERROR" });
      await store.close();
    });

    it("keeps the first acquisition time when the holder acquires again", async () => {
      const { store, clock } = await fresh();
      const first = await store.acquireLease("daemon-a", 10_000);
      clock.advance(3000);
      const again = await store.acquireLease("daemon-a", 10_000);
      expect(again.ok && again.lease.acquiredAt).toBe(first.ok && first.lease.acquiredAt);
      await store.close();
    });
  });
}
