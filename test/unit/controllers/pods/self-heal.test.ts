import { describe, expect, it } from "vitest";
import type { ProbeExecutor } from "../../../../src/controllers/pods/probes.js";
import type { PodStatus } from "../../../../src/controllers/pods/types.js";
import { LABEL } from "../../../../src/runtime/labels.js";
import { MI, cname, eventually, limited, useHarness } from "./harness.js";

const h = useHarness();
const memoryDrift = { object: "Pod/db-0", field: "spec.containers[0].resources.limits.memory", live: "64Mi", desired: "128Mi" };

describe("a pod's identity", () => {
  it("is its pod template: declaring the pod again at a new commit keeps its container", async () => {
    const m = h.manager();
    const first = await m.create(limited());
    const again = await m.create({ ...limited(), commit: "fedcba9876543210fedcba9876543210fedcba98" });
    expect(again.containerIds).toEqual(first.containerIds);
    expect(m.events("prod", "db-0").map((e) => e.reason)).not.toContain("Replaced");
    // The commit a container was made from stays recorded on it.
    expect((await h.rt.inspect(cname(first))).labels[LABEL.commit]).toBe(limited().commit);
  });
});

describe("drift with selfHeal off", () => {
  it("reports a `docker update` of the memory limit on the pod at once and replaces nothing", async () => {
    const m = h.manager();
    await m.start();
    const pod = await m.create(limited());
    const seen: PodStatus[] = [];
    m.onChange((p) => seen.push(p));
    h.rt.updateResources(cname(pod), { memoryBytes: 64 * MI });
    await eventually(() => expect(m.get("prod", "db-0")?.drift).toEqual([memoryDrift]));
    expect(seen.at(-1)?.drift).toEqual([memoryDrift]);
    expect(m.events("prod", "db-0").at(-1)).toMatchObject({ type: "Warning", reason: "Drifted" });
    await m.resync();
    expect(m.get("prod", "db-0")).toMatchObject({ containerIds: pod.containerIds, phase: "Running", ready: true, drift: [memoryDrift] });
    expect((await h.rt.inspect(cname(pod))).resources.memoryBytes).toBe(64 * MI);
  });

  it("finds on resync what no engine event told: another image and a changed variable", async () => {
    const m = h.manager();
    const pod = await m.create(limited());
    h.rt.overwrite(cname(pod), { image: "capstan-demo/web:v2", env: { MODE: "slow" } });
    await m.resync();
    expect(m.get("prod", "db-0")?.drift.map((d) => [d.field, d.live, d.desired])).toEqual([
      ["spec.containers[0].image", "capstan-demo/web:v2", "capstan-demo/web:v1"],
      ["spec.containers[0].env.MODE", "slow", "fast"],
    ]);
  });

  it("empties the drift list once the container agrees again", async () => {
    const m = h.manager();
    await m.start();
    const pod = await m.create(limited());
    h.rt.updateResources(cname(pod), { memoryBytes: 64 * MI });
    await eventually(() => expect(m.get("prod", "db-0")?.drift).toHaveLength(1));
    h.rt.updateResources(cname(pod), { memoryBytes: 128 * MI });
    await eventually(() => expect(m.get("prod", "db-0")?.drift).toEqual([]));
  });

  it("reports a renamed container on its pod, keeps running it, and removes it when the pod is deleted", async () => {
    const m = h.manager();
    await m.start();
    const pod = await m.create(limited());
    h.rt.rename(cname(pod), "hijacked");
    await eventually(() => expect(m.get("prod", "db-0")?.drift).toEqual([{ object: "Pod/db-0", field: "metadata.name", live: "hijacked", desired: "prod_db-0" }]));
    await m.resync();
    expect(m.get("prod", "db-0")).toMatchObject({ containerIds: pod.containerIds, phase: "Running" });
    expect((await h.rt.list()).map((c) => c.name)).toEqual(["hijacked"]);
    await m.delete("prod", "db-0");
    expect(await h.rt.list()).toEqual([]);
  });

  it("reports aliases taken off the pod's network and leaves them off", async () => {
    const m = h.manager();
    const pod = await m.create(limited());
    await h.rt.disconnectNetwork(cname(pod), "capstan-prod");
    await m.resync();
    expect(m.get("prod", "db-0")?.drift).toEqual([{ object: "Pod/db-0", field: "networks[capstan-prod].aliases", live: "(not attached)", desired: "db-0" }]);
    expect((await h.rt.inspect(cname(pod))).networks).toEqual([]);
  });

  it("still restarts a container that died: that is not drift", async () => {
    const m = h.manager({ restartBackoff: { baseMs: 0 } });
    await m.start();
    const pod = await m.create(limited());
    h.rt.exit(cname(pod), 1);
    await eventually(() => expect(m.get("prod", "db-0")).toMatchObject({ restarts: 1, phase: "Running", containerIds: pod.containerIds }));
  });
});

describe("drift with selfHeal on", () => {
  it("replaces a drifted StatefulSet pod's container and says what it corrected", async () => {
    const m = h.manager();
    await m.start();
    m.setSelfHeal("shop", true);
    const pod = await m.create(limited());
    h.rt.updateResources(cname(pod), { memoryBytes: 64 * MI });
    await eventually(() => expect(m.get("prod", "db-0")?.containerIds[0]).not.toBe(pod.containerIds[0]));
    await eventually(() => expect(m.get("prod", "db-0")).toMatchObject({ ready: true, drift: [] }));
    expect((await h.rt.inspect(cname(pod))).resources).toEqual({ memoryBytes: 128 * MI, nanoCpus: 500_000_000 });
    const healed = m.events("prod", "db-0").find((e) => e.reason === "SelfHealed");
    expect(healed).toMatchObject({ type: "Normal" });
    expect(healed?.message).toContain("spec.containers[0].resources.limits.memory (live 64Mi, desired 128Mi)");
  });

  it("corrects drift found while it was off once it is turned on", async () => {
    const m = h.manager();
    const pod = await m.create(limited());
    h.rt.overwrite(cname(pod), { env: { MODE: "slow" } });
    await m.resync();
    expect(m.get("prod", "db-0")?.drift).toHaveLength(1);
    m.setSelfHeal("shop", true);
    await eventually(() => expect(m.get("prod", "db-0")).toMatchObject({ ready: true, drift: [] }));
    expect((await h.rt.inspect(cname(pod))).env.MODE).toBe("fast");
  });

  it("leaves a drifted Deployment pod to the Deployment's rollout and only reports it", async () => {
    const m = h.manager();
    m.setSelfHeal("shop", true);
    const pod = await m.create(limited("web-abc123-0", { ownerKind: "Deployment", ownerName: "web" }));
    h.rt.updateResources(cname(pod), { memoryBytes: 64 * MI });
    await m.resync();
    expect(m.get("prod", pod.name)).toMatchObject({ containerIds: pod.containerIds, drift: [{ ...memoryDrift, object: `Pod/${pod.name}` }] });
    expect(m.events("prod", pod.name).map((e) => e.reason)).not.toContain("SelfHealed");
  });

  it("replaces a renamed container by one under the pod's name", async () => {
    const m = h.manager();
    await m.start();
    m.setSelfHeal("shop", true);
    const pod = await m.create(limited());
    h.rt.rename(cname(pod), "hijacked");
    await eventually(async () => expect((await h.rt.list()).map((c) => [c.name, c.id === pod.containerIds[0]])).toEqual([["prod_db-0", false]]));
    await eventually(() => expect(m.get("prod", "db-0")).toMatchObject({ ready: true, drift: [] }));
  });

  it("puts aliases back in place, keeping the container", async () => {
    const m = h.manager();
    m.setSelfHeal("shop", true);
    const pod = await m.create(limited());
    await h.rt.disconnectNetwork(cname(pod), "capstan-prod");
    await m.resync();
    expect((await h.rt.inspect(cname(pod))).networks).toEqual([{ name: "capstan-prod", aliases: ["db-0"] }]);
    expect(m.get("prod", "db-0")).toMatchObject({ containerIds: pod.containerIds, drift: [] });
    expect(m.events("prod", "db-0").map((e) => e.reason)).toContain("SelfHealed");
  });

  it("replaces one drifted pod of an owner at a time, the next once the replaced one is Ready", async () => {
    // Containers made before the drift are ready; replacements are ready once `replacementsReady`.
    const original = new Set<string>();
    let replacementsReady = false;
    const probes: ProbeExecutor = async (_probe, target) => {
      const ok = original.has(target.containerId) || replacementsReady;
      return { ok, message: ok ? "ok" : "not yet" };
    };
    const m = h.manager({ probeExecutor: probes });
    await m.start();
    const ready = (name: string) => {
      const i = limited(name);
      const c = i.template.spec.containers[0];
      if (c) c.readinessProbe = { exec: { command: ["true"] }, periodSeconds: 1 };
      return i;
    };
    replacementsReady = true;
    const pods = [await m.create(ready("db-0")), await m.create(ready("db-1"))];
    for (const p of pods) original.add(p.containerIds[0] ?? "");
    await h.clock.advance(1_000);
    replacementsReady = false;
    m.setSelfHeal("shop", true);
    for (const p of pods) h.rt.updateResources(cname(p), { memoryBytes: 64 * MI });
    await eventually(() => expect(m.list().filter((p) => !original.has(p.containerIds[0] ?? ""))).toHaveLength(1));
    await h.clock.advance(5_000);
    await m.resync();
    const waiting = m.list().filter((p) => original.has(p.containerIds[0] ?? ""));
    expect(waiting.map((p) => p.drift.length)).toEqual([1]);
    replacementsReady = true;
    await h.clock.advance(1_000);
    await eventually(() => expect(m.list().filter((p) => original.has(p.containerIds[0] ?? ""))).toEqual([]));
    await h.clock.advance(1_000);
    await eventually(() => expect(m.list().every((p) => p.ready)).toBe(true));
  });
});
