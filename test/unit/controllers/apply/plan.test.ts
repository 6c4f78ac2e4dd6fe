import { describe, expect, it } from "vitest";
import { planSync } from "../../../../src/controllers/apply/plan.js";
import type { LiveObject, PlanPolicy } from "../../../../src/controllers/apply/plan.js";
import { manifestKey } from "../../../../src/manifest/index.js";
import type { ManifestObject } from "../../../../src/manifest/index.js";
import { configMap, deployment, pvc, secret, service } from "./helpers.js";

const policy = (over: Partial<PlanPolicy> = {}): PlanPolicy => ({ namespace: "default", prune: false, ...over });

function liveOf(o: ManifestObject, owned = true): LiveObject {
  return { key: manifestKey(o), kind: o.kind, name: o.metadata.name, namespace: "default", object: o as unknown as Record<string, unknown>, owned };
}

function plan(desired: ManifestObject[], live: LiveObject[] = [], p = policy()) {
  const r = planSync(desired, live, p);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join("\n"));
  return r.value;
}

describe("pairing desired with live objects", () => {
  it("creates what is not live, updates what differs and leaves equal objects alone", () => {
    const a = configMap("a", { X: "1" });
    const b = configMap("b", { X: "1" });
    const c = configMap("c", { X: "2" });
    const tasks = plan([a, b, c], [liveOf(b), liveOf(configMap("c", { X: "1" }))]);
    expect(tasks.map((t) => [t.name, t.action])).toEqual([
      ["a", "create"],
      ["b", "unchanged"],
      ["c", "update"],
    ]);
  });

  it("a Deployment whose pods run another revision than its template is updated even when the stored object is equal", () => {
    const d = deployment("web");
    const live = { ...liveOf(d), revisions: { someoldrev: 2 } };
    const [task] = plan([d], [live]);
    expect(task?.action).toBe("update");
    expect(task?.reason).toContain("someoldrev");
  });
});

describe("order of the tasks", () => {
  it("puts ConfigMaps, Secrets and claims before workloads and Services after them", () => {
    const tasks = plan([service("web"), deployment("web"), pvc("data"), secret("s", { k: "v" }), configMap("cfg", {})]);
    expect(tasks.map((t) => t.kind)).toEqual(["ConfigMap", "Secret", "PersistentVolumeClaim", "Deployment", "Service"]);
  });

  it("runs lower sync waves first, then by kind and name within a wave", () => {
    const tasks = plan([
      deployment("b"),
      deployment("a"),
      configMap("late", {}, { "capstan.dev/sync-wave": "2" }),
      deployment("migrate", { annotations: { "capstan.dev/sync-wave": "-1" } }),
      service("a"),
    ]);
    expect(tasks.map((t) => `${t.wave}:${t.kind}/${t.name}`)).toEqual(["-1:Deployment/migrate", "0:Deployment/a", "0:Deployment/b", "0:Service/a", "2:ConfigMap/late"]);
  });

  it("refuses a sync wave that is not an integer, naming the annotation", () => {
    const r = planSync([configMap("x", {}, { "capstan.dev/sync-wave": "soon" })], [], policy({ files: new Map([["default/ConfigMap/x", "charts/x/templates/cm.yaml"]]) }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]).toMatchObject({ file: "charts/x/templates/cm.yaml", field: 'metadata.annotations["capstan.dev/sync-wave"]' });
    expect(r.errors[0]?.message).toContain('"soon" is not an integer');
  });
});

describe("pruning", () => {
  const gone = deployment("old");
  it("keeps objects Git dropped when pruning is off, and says how to turn it on", () => {
    const [task] = plan([], [liveOf(gone)]);
    expect(task?.action).toBe("orphan");
    expect(task?.reason).toContain("--prune");
  });

  it("prunes owned objects Git dropped when pruning is on", () => {
    const [task] = plan([], [liveOf(gone)], policy({ prune: true }));
    expect(task?.action).toBe("prune");
  });

  it("never prunes what Capstan did not make for this application", () => {
    const [task] = plan([], [liveOf(gone, false)], policy({ prune: true }));
    expect(task?.action).toBe("orphan");
  });

  it("prunes after applying, Services before workloads before configuration", () => {
    const tasks = plan([configMap("keep", {})], [liveOf(configMap("oldcfg", {})), liveOf(gone), liveOf(service("oldsvc"))], policy({ prune: true }));
    expect(tasks.map((t) => `${t.action}:${t.kind}`)).toEqual(["create:ConfigMap", "prune:Service", "prune:Deployment", "prune:ConfigMap"]);
  });
});
