import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Applier } from "../../../../src/controllers/apply/applier.js";
import { MemoryDesiredStore } from "../../../../src/controllers/apply/desired-store.js";
import { FakeClock } from "../../../../src/controllers/clock.js";
import { DockerPodManager } from "../../../../src/controllers/pods/manager.js";
import { normalize } from "../../../../src/manifest/index.js";
import type { ManifestObject } from "../../../../src/manifest/index.js";
import { LABEL } from "../../../../src/runtime/labels.js";
import { FakeRuntime } from "../../../../src/runtime/fake.js";
import { statefulSetHealth } from "../../../../src/health/index.js";
import { ordinalTemplate, statefulClaimName } from "../../../../src/controllers/workloads/statefulset.js";
import { ordinalOf, statefulSetStep } from "../../../../src/controllers/workloads/statefulset-step.js";
import type { StatefulPod, StatefulSetState } from "../../../../src/controllers/workloads/statefulset-step.js";
import type { StatefulSet } from "../../../../src/manifest/index.js";

const up = (name: string, revision = "new"): StatefulPod => ({ name, revision, phase: "Running", ready: true, terminating: false });
const starting = (name: string, revision = "new"): StatefulPod => ({ name, revision, phase: "Pending", ready: false, terminating: false, reason: "ContainerCreating" });
const set = (over: Partial<StatefulSetState>): StatefulSetState => ({
  name: "db",
  replicas: 3,
  updateRevision: "new",
  partition: 0,
  podManagementPolicy: "OrderedReady",
  updateStrategy: "RollingUpdate",
  pods: [],
  ...over,
});
const names = (s: StatefulSetState) => statefulSetStep(s).actions.map((a) => `${a.type} ${a.name}`);

describe("StatefulSet steps", () => {
  it("creates db-0 first and db-1 only once db-0 is Running and Ready (OrderedReady)", () => {
    expect(names(set({}))).toEqual(["create db-0"]);
    expect(names(set({ pods: [starting("db-0")] }))).toEqual([]);
    expect(names(set({ pods: [up("db-0")] }))).toEqual(["create db-1"]);
    expect(names(set({ pods: [up("db-0"), up("db-1")] }))).toEqual(["create db-2"]);
  });

  it("creates every missing ordinal at once under the Parallel policy", () => {
    expect(names(set({ podManagementPolicy: "Parallel", pods: [starting("db-1")] }))).toEqual(["create db-0", "create db-2"]);
  });

  it("re-creates a pod deleted from the middle before anything else moves", () => {
    expect(names(set({ pods: [up("db-0"), up("db-2")] }))).toEqual(["create db-1"]);
  });

  it("scales down from the highest ordinal, one pod at a time", () => {
    const pods = [up("db-0"), up("db-1"), up("db-2"), up("db-3")];
    expect(names(set({ replicas: 2, pods }))).toEqual(["delete db-3"]);
    expect(names(set({ replicas: 2, pods: [up("db-0"), up("db-1"), up("db-2"), { ...up("db-3"), terminating: true }] }))).toEqual([]);
    expect(names(set({ replicas: 2, pods: [up("db-0"), up("db-1"), up("db-2")] }))).toEqual(["delete db-2"]);
  });

  it("does not scale down while a lower ordinal is not ready", () => {
    expect(names(set({ replicas: 1, pods: [starting("db-0"), up("db-1")] }))).toEqual([]);
  });

  it("rolls a new revision from the highest ordinal down, one pod at a time", () => {
    const old = [up("db-0", "old"), up("db-1", "old"), up("db-2", "old")];
    expect(names(set({ pods: old }))).toEqual(["delete db-2"]);
    expect(names(set({ pods: [up("db-0", "old"), up("db-1", "old")] }))).toEqual(["create db-2"]);
    expect(statefulSetStep(set({ pods: [up("db-0", "old"), up("db-1", "old")] })).actions[0]).toMatchObject({ revision: "update" });
    expect(names(set({ pods: [up("db-0", "old"), up("db-1", "old"), starting("db-2")] }))).toEqual([]);
    expect(names(set({ pods: [up("db-0", "old"), up("db-1", "old"), up("db-2")] }))).toEqual(["delete db-1"]);
    expect(names(set({ pods: [up("db-0", "old"), up("db-1"), up("db-2")] }))).toEqual(["delete db-0"]);
  });

  it("keeps ordinals below the partition at the old revision and reports Healthy once the rest is updated", () => {
    const s = set({ partition: 2, pods: [up("db-0", "old"), up("db-1", "old"), up("db-2")] });
    const step = statefulSetStep(s);
    expect(step.actions).toEqual([]);
    expect(statefulSetHealth(step.status).status).toBe("Healthy");
    expect(step.updatedReplicas).toBe(1);
    // A pod below the partition that vanished comes back at the revision it ran.
    expect(statefulSetStep(set({ partition: 2, pods: [up("db-0", "old"), up("db-2")] })).actions).toEqual([{ type: "create", ordinal: 1, name: "db-1", revision: "current" }]);
  });

  it("does not roll pods under the OnDelete strategy", () => {
    const step = statefulSetStep(set({ updateStrategy: "OnDelete", pods: [up("db-0", "old"), up("db-1", "old"), up("db-2", "old")] }));
    expect(step.actions).toEqual([]);
    expect(statefulSetHealth(step.status).status).toBe("Healthy");
  });

  it("is Progressing until every replica is ready at the update revision, then Healthy", () => {
    const health = (s: StatefulSetState) => statefulSetHealth(statefulSetStep(s).status);
    expect(health(set({ pods: [up("db-0"), up("db-1")] })).status).toBe("Progressing");
    expect(health(set({ pods: [up("db-0", "old"), up("db-1"), up("db-2")] })).status).toBe("Progressing");
    const done = statefulSetStep(set({ pods: [up("db-0"), up("db-1"), up("db-2")] }));
    expect(statefulSetHealth(done.status)).toMatchObject({ status: "Healthy" });
    expect(done.readyReplicas).toBe(3);
  });

  it("deletes a failed pod so it is created again under the same name", () => {
    expect(names(set({ pods: [up("db-0"), { ...up("db-1"), phase: "Failed", ready: false }] }))).toEqual(["delete db-1"]);
  });

  it("reads ordinals only from names of the form <set>-<n>", () => {
    expect(ordinalOf("db", "db-12")).toBe(12);
    expect(ordinalOf("db", "db-01")).toBeUndefined();
    expect(ordinalOf("db", "dbx-1")).toBeUndefined();
  });

  it("gives each ordinal its own claim <claim>-<set>-<ordinal> as a persistentVolumeClaim volume", () => {
    const s = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db" },
      spec: {
        selector: { matchLabels: { app: "db" } },
        template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: "x", volumeMounts: [{ name: "data", mountPath: "/data" }] }] } },
        volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
      },
    } as unknown as StatefulSet;
    expect(statefulClaimName("data", "db", 1)).toBe("data-db-1");
    expect(ordinalTemplate(s, 1).spec.volumes).toEqual([{ name: "data", persistentVolumeClaim: { claimName: "data-db-1" } }]);
    expect(s.spec.template.spec.volumes).toBeUndefined();
  });

  it("gives each ordinal its name as hostname and the set's serviceName as subdomain (db-1.db)", () => {
    const s = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db" },
      spec: { serviceName: "db", selector: { matchLabels: { app: "db" } }, template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: "x" }] } } },
    } as unknown as StatefulSet;
    expect(ordinalTemplate(s, 1).spec).toMatchObject({ hostname: "db-1", subdomain: "db" });
    const headless = { ...s, spec: { ...s.spec, serviceName: undefined } } as unknown as StatefulSet;
    expect(ordinalTemplate(headless, 0).spec.hostname).toBe("db-0");
    expect(ordinalTemplate(headless, 0).spec.subdomain).toBeUndefined();
    expect(s.spec.template.spec.hostname).toBeUndefined();
  });
});

describe("StatefulSets through the applier on a fake engine", () => {
  it("brings db-0..db-2 up, becomes Healthy, and removes every pod when Git drops the set and prune is on", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "capstan-sts-"));
    const clock = new FakeClock(Date.UTC(2026, 2, 1, 10, 0, 0));
    const rt = new FakeRuntime({ node: "local", images: ["capstan-demo/worker:latest"] });
    const pods = new DockerPodManager({ runtimes: new Map([["local", rt]]), stateDir, clock, resyncPeriodMs: 5_000 });
    await pods.start();
    const applier = new Applier({ runtime: rt, pods, store: new MemoryDesiredStore(), clock });
    applier.start();
    try {
      const sts = normalize(
        {
          apiVersion: "apps/v1",
          kind: "StatefulSet",
          metadata: { name: "db", namespace: "default" },
          spec: {
            replicas: 3,
            selector: { matchLabels: { app: "db" } },
            template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: "capstan-demo/worker:latest" }] } },
          },
        } as ManifestObject,
        "default",
      );
      await applier.sync({ app: "shop", namespace: "default", commit: "c1", objects: [sts], prune: true });
      const healthy = applier.waitForHealthy("shop", 60_000);
      for (let i = 0; i < 20 && pods.list({ ownerName: "db" }).filter((p) => p.ready).length < 3; i++) await clock.advance(500);
      expect(await healthy).toEqual({ status: "Healthy", commit: "c1" });
      expect(pods.list({ ownerName: "db" }).map((p) => p.name).sort()).toEqual(["db-0", "db-1", "db-2"]);
      expect(applier.health("shop").objects[0]?.key).toBe("shop/default/StatefulSet/db");

      const synced = applier.sync({ app: "shop", namespace: "default", commit: "c2", objects: [], prune: true });
      for (let i = 0; i < 200 && (await rt.list({ [LABEL.ownerName]: "db" })).length > 0; i++) await clock.advance(500);
      await synced;
      expect(await rt.list({ [LABEL.ownerName]: "db" })).toEqual([]);
    } finally {
      await applier.stop();
      await pods.stop();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
