import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PodStatus } from "../../../../src/controllers/pods/types.js";
import { antiAffinity, fakeCluster, podIntent } from "../../nodes/cluster.js";

let stateDir = "";
const stops: (() => Promise<void> | void)[] = [];
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "capstan-placement-"));
});
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  await rm(stateDir, { recursive: true, force: true });
});

async function cluster(options: Parameters<typeof fakeCluster>[1] = {}) {
  const c = await fakeCluster(stateDir, options);
  stops.push(() => c.pods.stop(), () => c.health.stop(), () => c.placer.close());
  return c;
}

const nodesOf = (pods: PodStatus[]) => pods.map((p) => `${p.name}@${p.node}`).sort();

describe("pod manager with a placer", () => {
  it("spreads replicas with required anti-affinity over three nodes; the fourth stays Pending with Kubernetes' reason", async () => {
    const { pods, rt } = await cluster();
    const made = await Promise.all(["web-1", "web-2", "web-3", "web-4"].map((n) => pods.create(podIntent(n, { affinity: antiAffinity }))));
    const running = made.filter((p) => p.phase === "Running");
    expect(new Set(running.map((p) => p.node))).toEqual(new Set(["node-a", "node-b", "node-c"]));
    const pending = made.filter((p) => p.phase === "Pending");
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ node: "", reason: "Unschedulable", message: "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules." });
    expect(pods.events("prod", pending[0]!.name).map((e) => [e.type, e.reason])).toContainEqual(["Warning", "FailedScheduling"]);
    for (const n of ["node-a", "node-b", "node-c"]) expect(await rt(n).list()).toHaveLength(1);
  });

  it("places a Pending pod once another pod is deleted", async () => {
    const { pods } = await cluster();
    for (const n of ["web-1", "web-2", "web-3"]) await pods.create(podIntent(n, { memory: "600Mi" }));
    const fourth = await pods.create(podIntent("web-4", { memory: "600Mi" }));
    expect(fourth).toMatchObject({ phase: "Pending", reason: "Unschedulable", message: "0/3 nodes are available: 3 Insufficient memory." });
    const freed = pods.get("prod", "web-2")!.node;
    await pods.delete("prod", "web-2");
    await new Promise((r) => setTimeout(r, 20));
    await pods.resync();
    expect(pods.get("prod", "web-4")).toMatchObject({ phase: "Running", node: freed });
    expect(pods.events("prod", "web-4").map((e) => e.reason)).toContain("Scheduled");
  });

  it("places a Pending pod when a node is uncordoned, without waiting for the resync", async () => {
    const { pods, registry } = await cluster();
    for (const n of ["node-a", "node-b", "node-c"]) await registry.cordon(n);
    expect(await pods.create(podIntent("web-1"))).toMatchObject({ phase: "Pending", message: "0/3 nodes are available: 3 node(s) were unschedulable." });
    const running = new Promise<PodStatus>((resolve) => pods.onChange((p) => p.phase === "Running" && resolve(p)));
    await registry.uncordon("node-b");
    expect(await running).toMatchObject({ name: "web-1", node: "node-b", ready: true });
  });

  it("keeps an intent's own node (DaemonSets) and never asks the placer for it", async () => {
    const { pods, registry } = await cluster();
    await registry.cordon("node-c");
    expect(await pods.create({ ...podIntent("agent-node-c"), node: "node-c" })).toMatchObject({ phase: "Running", node: "node-c" });
  });

  it("deleting a Pending pod forgets it", async () => {
    const { pods } = await cluster();
    await pods.create(podIntent("big", { memory: "8Gi" }));
    await pods.delete("prod", "big");
    expect(pods.list()).toEqual([]);
  });

  it("a container removed from a cordoned node is made again on another node (drain)", async () => {
    const { pods, registry, rt } = await cluster();
    const first = await pods.create(podIntent("web-1"));
    await registry.cordon(first.node);
    const moved = new Promise<PodStatus>((resolve) => pods.onChange((p) => p.phase === "Running" && p.node !== first.node && resolve(p)));
    await rt(first.node).remove("prod_web-1", { force: true });
    await pods.resync();
    expect((await moved).node).not.toBe(first.node);
    expect(await rt(first.node).list()).toEqual([]);
  });

  it("a container removed by hand on a node that still fits comes back on the same node", async () => {
    const { pods, rt } = await cluster();
    const first = await pods.create(podIntent("web-1"));
    await rt(first.node).remove("prod_web-1", { force: true });
    await pods.resync();
    expect(pods.get("prod", "web-1")).toMatchObject({ phase: "Running", node: first.node });
  });

  it("a node NotReady past the eviction timeout has its pods given up; back again, its stale containers are removed and Pending pods may go there", async () => {
    const { pods, rt, health, clock } = await cluster({ evictionTimeoutMs: 10_000 });
    await pods.start();
    const made = await Promise.all(["web-1", "web-2", "web-3"].map((n) => pods.create(podIntent(n, { affinity: antiAffinity }))));
    const lost = made.find((p) => p.node === "node-b")!;
    const changes: PodStatus[] = [];
    pods.onChange((p) => changes.push(p));
    health.start();
    rt("node-b").setAvailable(false);
    await clock.advance(5_000);
    expect(health.isReady("node-b")).toBe(false);
    expect(pods.get("prod", lost.name)).toBeDefined();
    await clock.advance(10_000);
    expect(health.health("node-b")?.evicted).toBe(true);
    expect(pods.get("prod", lost.name)).toBeUndefined();
    expect(changes.filter((c) => c.name === lost.name).at(-1)).toMatchObject({ terminating: true, reason: "NodeUnavailable" });
    // The owner's replacement goes to a node that answers; anti-affinity keeps it off the other two.
    expect(await pods.create(podIntent("web-4", { affinity: antiAffinity }))).toMatchObject({ phase: "Pending", reason: "Unschedulable" });
    const replacement = await pods.create(podIntent("web-4b"));
    expect(replacement.node).not.toBe("node-b");
    expect(await rt("node-b").list().catch(() => "down")).toBe("down");
    rt("node-b").setAvailable(true);
    await clock.advance(1_000);
    expect(health.isReady("node-b")).toBe(true);
    // The stale container is gone; the Pending web-4 now fits on node-b and runs there.
    await clock.advance(0);
    expect((await rt("node-b").list()).map((c) => c.name)).toEqual(["prod_web-4"]);
    expect(nodesOf(pods.list()).filter((p) => p.endsWith("@node-b"))).toEqual(["web-4@node-b"]);
    expect(pods.get("prod", "web-4")).toMatchObject({ phase: "Running" });
  });

  it("a resync after the node is back removes what eviction left even without the monitor's hook", async () => {
    const { pods, rt } = await cluster();
    const p = await pods.create(podIntent("web-1"));
    rt(p.node).setAvailable(false);
    expect(await pods.evictNode(p.node)).toEqual(["prod/web-1"]);
    rt(p.node).setAvailable(true);
    await pods.resync();
    expect(await rt(p.node).list()).toEqual([]);
    expect(pods.list()).toEqual([]);
  });

  it("a pod bound to a node by its intent (DaemonSet) is kept when the node is evicted", async () => {
    const { pods, rt } = await cluster();
    await pods.create({ ...podIntent("agent-node-a"), ownerKind: "DaemonSet", node: "node-a" });
    await pods.create(podIntent("web-1", { nodeSelector: { zone: "a" } }));
    rt("node-a").setAvailable(false);
    expect(await pods.evictNode("node-a")).toEqual(["prod/web-1"]);
    expect(pods.get("prod", "agent-node-a")).toMatchObject({ node: "node-a", reason: "NodeUnavailable", ready: false });
    rt("node-a").setAvailable(true);
    await pods.resync();
    expect((await rt("node-a").list()).map((c) => c.name)).toEqual(["prod_agent-node-a"]);
    expect(pods.get("prod", "agent-node-a")).toMatchObject({ phase: "Running", ready: true });
  });

  it("a pod whose claim volume it made on a node goes back to that node when it is made again (StatefulSet ordinal)", async () => {
    const { pods, rt } = await cluster();
    const db = () => {
      const i = podIntent("db-0", { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data-db-0" } }] });
      i.template.spec.containers[0]!.volumeMounts = [{ name: "data", mountPath: "/data" }];
      return { ...i, ownerKind: "StatefulSet", ownerName: "db" };
    };
    const first = await pods.create(db());
    expect(first.phase).toBe("Running");
    expect((await rt(first.node).listVolumes()).map((v) => v.name)).toEqual(["capstan-prod-data-db-0"]);
    await pods.delete("prod", "db-0");
    // Fill the other nodes less than the claim's node, so the scores alone would pick another one.
    for (const n of ["web-1", "web-2"]) await pods.create(podIntent(n, { nodeSelector: { "kubernetes.io/hostname": first.node } }));
    expect(await pods.create(db())).toMatchObject({ phase: "Running", node: first.node });
  });
});
