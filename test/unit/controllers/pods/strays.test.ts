import { describe, expect, it } from "vitest";
import type { PodEvent } from "../../../../src/controllers/pods/types.js";
import { LABEL, MANAGED_BY_VALUE } from "../../../../src/runtime/labels.js";
import { cname, eventually, limited, useHarness } from "./harness.js";

const h = useHarness();
const INSTALLATION = { [LABEL.installation]: "aaaaaaaaaaaaaaaa" };

async function copyOf(podContainer: string, name: string): Promise<string> {
  const { labels } = await h.rt.inspect(podContainer);
  const { id } = await h.rt.create({ name, image: "capstan-demo/web:v1", labels });
  await h.rt.start(id);
  return id;
}

describe("stray containers", () => {
  it("reports a container that copies a pod's labels under another name once two resyncs found it, and leaves it without selfHeal", async () => {
    const m = h.manager({ labels: INSTALLATION });
    const pod = await m.create(limited());
    const id = await copyOf(cname(pod), "copycat");
    await m.resync();
    expect(m.strays()).toEqual([]);
    await m.resync();
    const stray = {
      object: "Container/copycat",
      field: "metadata.labels",
      live: `${LABEL.application}=shop, ${LABEL.namespace}=prod, ${LABEL.ownerKind}=StatefulSet, ${LABEL.ownerName}=db, ${LABEL.pod}=db-0`,
      desired: "(none: no pod of this installation keeps this container)",
    };
    expect(m.strays()).toEqual([stray]);
    expect(m.strays("shop")).toEqual([stray]);
    expect(m.strays("other")).toEqual([]);
    await m.resync();
    expect((await h.rt.inspect(id)).running).toBe(true);
    expect(m.get("prod", "db-0")?.containerIds).toEqual(pod.containerIds);
  });

  it("removes a stray under selfHeal with a Warning event naming it, and keeps the pod's container", async () => {
    const m = h.manager({ labels: INSTALLATION });
    const events: PodEvent[] = [];
    m.onEvent((e) => events.push(e));
    const pod = await m.create(limited());
    await copyOf(cname(pod), "copycat");
    await m.resync();
    await m.resync();
    m.setSelfHeal("shop", true);
    await eventually(async () => expect((await h.rt.list()).map((c) => c.name)).toEqual(["prod_db-0"]));
    expect(events.find((e) => e.reason === "StrayRemoved")).toMatchObject({ type: "Warning", namespace: "prod", pod: "copycat" });
    expect(m.strays()).toEqual([]);
    expect(m.get("prod", "db-0")?.containerIds).toEqual(pod.containerIds);
  });

  it("never counts pods adopted after a restart as strays, declared again or not, even under selfHeal", async () => {
    const before = h.manager({ labels: INSTALLATION });
    await before.create(limited("db-0"));
    await before.create(limited("web-abc123-0", { ownerKind: "Deployment", ownerName: "web" }));
    await before.create(limited("migrate-x1", { ownerKind: "Job", ownerName: "migrate" }));
    await before.stop();
    const ids = (await h.rt.list()).map((c) => c.id).sort();

    const after = h.manager({ labels: INSTALLATION });
    after.setSelfHeal("shop", true);
    await after.start();
    // Only the Deployment's owner declares its pod again; the Job keeps its pod undeclared.
    await after.create(limited("web-abc123-0", { ownerKind: "Deployment", ownerName: "web" }));
    for (let i = 0; i < 3; i++) await after.resync();
    expect(after.strays()).toEqual([]);
    expect((await h.rt.list()).map((c) => c.id).sort()).toEqual(ids);
    expect(after.list().map((p) => [p.name, p.adopted])).toEqual([
      ["db-0", true],
      ["migrate-x1", true],
      ["web-abc123-0", false],
    ]);
  });

  it("does not adopt a pod-shaped container that appears after start: it is a stray", async () => {
    const m = h.manager({ labels: INSTALLATION });
    await m.start();
    const labels = { ...INSTALLATION, [LABEL.managedBy]: MANAGED_BY_VALUE, [LABEL.application]: "shop", [LABEL.namespace]: "prod", [LABEL.pod]: "ghost-0" };
    await h.rt.start((await h.rt.create({ name: "prod_ghost-0", image: "capstan-demo/web:v1", labels })).id);
    await m.resync();
    await m.resync();
    expect(m.get("prod", "ghost-0")).toBeUndefined();
    expect(m.strays("shop").map((s) => s.object)).toEqual(["Container/prod_ghost-0"]);
  });

  it("leaves containers of another installation alone", async () => {
    const m = h.manager({ labels: INSTALLATION });
    await m.create(limited());
    const theirs = { [LABEL.managedBy]: MANAGED_BY_VALUE, [LABEL.installation]: "bbbbbbbbbbbbbbbb", [LABEL.application]: "shop", [LABEL.namespace]: "prod", [LABEL.pod]: "db-9" };
    await h.rt.create({ name: "elsewhere", image: "capstan-demo/web:v1", labels: theirs });
    m.setSelfHeal("shop", true);
    for (let i = 0; i < 3; i++) await m.resync();
    expect(m.strays()).toEqual([]);
    expect((await h.rt.list()).map((c) => c.name).sort()).toEqual(["elsewhere", "prod_db-0"]);
  });
});

describe("foreign containers holding a pod's or a Service's name", () => {
  async function intruder(aliases: string[]): Promise<string> {
    const { id } = await h.rt.create({ name: "intruder", image: "capstan-demo/web:v1", network: { name: "capstan-prod", aliases } });
    await h.rt.start(id);
    return id;
  }

  it("reports them to the applications with pods in the namespace", async () => {
    const m = h.manager({ labels: INSTALLATION });
    await m.create(limited("web-abc123-0", { ownerKind: "Deployment", ownerName: "web" }));
    m.setServiceNames("prod", ["web"]);
    await intruder(["web", "web-abc123-0", "cache"]);
    await m.resync();
    expect(m.strays("shop")).toEqual([
      { object: "Container/intruder", field: "networks[capstan-prod].aliases", live: "web", desired: "(none: web is Service prod/web)" },
      { object: "Container/intruder", field: "networks[capstan-prod].aliases", live: "web-abc123-0", desired: "(none: web-abc123-0 is pod prod/web-abc123-0)" },
    ]);
    expect(m.strays("other")).toEqual([]);
  });

  it("disconnects them from the network under selfHeal and never removes them", async () => {
    const m = h.manager({ labels: INSTALLATION });
    const events: PodEvent[] = [];
    m.onEvent((e) => events.push(e));
    await m.create(limited());
    const id = await intruder(["db-0"]);
    m.setSelfHeal("shop", true);
    await m.resync();
    const c = await h.rt.inspect(id);
    expect([c.running, c.networks]).toEqual([true, []]);
    expect(events.find((e) => e.reason === "AliasReclaimed")).toMatchObject({ type: "Warning", namespace: "prod", pod: "intruder" });
    expect(m.strays()).toEqual([]);
  });

  it("ignores foreign containers that hold no taken name", async () => {
    const m = h.manager({ labels: INSTALLATION });
    await m.create(limited());
    await intruder(["debug-shell"]);
    await m.resync();
    expect(m.strays()).toEqual([]);
  });
});

describe("the cost of drift detection", () => {
  it("inspects each of 1,000 pods' containers at most once per resync", async () => {
    const m = h.manager({ labels: INSTALLATION, concurrency: 64 });
    for (let i = 0; i < 1_000; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => m.create(limited(`web-abc123-${i + j}`, { ownerKind: "Deployment", ownerName: "web" }))));
    }
    await m.resync();
    let inspects = 0;
    const inspect = h.rt.inspect.bind(h.rt);
    h.rt.inspect = async (id) => {
      inspects++;
      return inspect(id);
    };
    const started = performance.now();
    await m.resync();
    const ms = performance.now() - started;
    expect(inspects).toBe(1_000);
    expect(m.list().filter((p) => p.drift.length > 0)).toEqual([]);
    // Generous: the fake engine's inspect is a copy in memory; this guards against a resync that grows worse than linear.
    expect(ms).toBeLessThan(5_000);
  });
});
