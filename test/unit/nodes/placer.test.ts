import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PlacementPod } from "../../../src/controllers/pods/types.js";
import { claimVolumeName } from "../../../src/controllers/pods/materialize.js";
import { antiAffinity, fakeCluster, podIntent } from "./cluster.js";

let stateDir = "";
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "capstan-placer-"));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

const placed = (name: string, node: string, labels: Record<string, string> = { app: "web" }): PlacementPod => ({
  namespace: "prod",
  name,
  node,
  labels,
  template: podIntent(name, {}, labels).template,
  terminating: false,
});

/** A StatefulSet pod with a claim placed by one placer, which then stops (the process ends). */
async function placeClaimThenStop(): Promise<{ intent: ReturnType<typeof podIntent>; first: { node: string } }> {
  const before = await fakeCluster(stateDir);
  const intent = podIntent("db-0", { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data-db-0" } }] });
  const first = await before.placer.place({ intent, pods: [] });
  if (!("node" in first)) throw new Error("not placed");
  before.placer.close();
  return { intent, first };
}

describe("placer over the node registry", () => {
  it("puts a pod with required anti-affinity on the one node without a matching pod", async () => {
    const { placer } = await fakeCluster(stateDir);
    const r = await placer.place({ intent: podIntent("web-3", { affinity: antiAffinity }), pods: [placed("web-1", "node-a"), placed("web-2", "node-c")] });
    expect(r).toEqual({ node: "node-b" });
  });

  it("says why nothing fits in Kubernetes' words", async () => {
    const { placer } = await fakeCluster(stateDir);
    const full = await placer.place({ intent: podIntent("web-4", { affinity: antiAffinity }), pods: [placed("web-1", "node-a"), placed("web-2", "node-b"), placed("web-3", "node-c")] });
    expect(full).toEqual({ unschedulable: true, message: "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules." });
    const big = await placer.place({ intent: podIntent("big", { memory: "4Gi" }), pods: [] });
    expect(big).toEqual({ unschedulable: true, message: "0/3 nodes are available: 3 Insufficient memory." });
    const sel = await placer.place({ intent: podIntent("sel", { memory: "4Gi", nodeSelector: { zone: "a" } }), pods: [] });
    expect(sel).toEqual({ unschedulable: true, message: "0/3 nodes are available: 1 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector." });
  });

  it("follows pods that come, change and go between placements, the same objects reused as the manager does", async () => {
    const { placer } = await fakeCluster(stateDir);
    const web1 = placed("web-1", "node-a");
    const web2 = placed("web-2", "node-b");
    const place = (pods: PlacementPod[]) => placer.place({ intent: podIntent("web-9", { affinity: antiAffinity }), pods });
    expect(await place([web1, web2])).toEqual({ node: "node-c" });
    // A third replica came: nothing is left for the anti-affine pod.
    const web3 = placed("web-3", "node-c");
    expect(await place([web1, web2, web3])).toMatchObject({ unschedulable: true });
    // web-2 went away: its node is free again.
    expect(await place([web1, web3])).toEqual({ node: "node-b" });
    // web-3's labels changed (a new object, as the manager makes one): node-c no longer holds a matching pod.
    const relabelled = placed("web-3", "node-c", { app: "other" });
    expect(await place([web1, web2, relabelled])).toEqual({ node: "node-c" });
    // web-1 moved to node-c: node-a is the free one.
    expect(await place([{ ...web1, node: "node-c" }, web2, relabelled])).toEqual({ node: "node-a" });
  });

  it("leaves out cordoned nodes, also when another process cordoned them in nodes.json", async () => {
    const { placer, registry } = await fakeCluster(stateDir);
    const other = await (await import("../../../src/nodes/index.js")).NodeRegistry.open({ nodes: registry.names().map((name) => registry.config(name)), stateDir });
    await other.cordon("node-a");
    await other.cordon("node-b");
    expect(await placer.place({ intent: podIntent("web-1"), pods: [] })).toEqual({ node: "node-c" });
    await other.cordon("node-c");
    expect(await placer.place({ intent: podIntent("web-1"), pods: [] })).toEqual({ unschedulable: true, message: "0/3 nodes are available: 3 node(s) were unschedulable." });
  });

  it("keeps a pod whose container vanished on its node while it still fits there", async () => {
    const { placer, registry } = await fakeCluster(stateDir);
    expect(await placer.place({ intent: podIntent("web-1"), pods: [placed("x", "node-a"), placed("y", "node-a")], current: "node-a" })).toEqual({ node: "node-a" });
    await registry.cordon("node-a");
    const moved = await placer.place({ intent: podIntent("web-1"), pods: [], current: "node-a" });
    expect(moved).not.toEqual({ node: "node-a" });
  });

  it("sends a pod to the node holding its claim volume, and keeps it Pending while that node is cordoned", async () => {
    const { placer, rt, registry } = await fakeCluster(stateDir);
    await rt("node-c").ensureVolume(claimVolumeName("prod", "data-db-0"), { "capstan.dev/claim": "data-db-0", "capstan.dev/namespace": "prod" });
    const intent = podIntent("db-0", { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data-db-0" } }] });
    expect(await placer.place({ intent, pods: [] })).toEqual({ node: "node-c" });
    await registry.cordon("node-c");
    expect(await placer.place({ intent, pods: [] })).toEqual({ unschedulable: true, message: "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) had volume node affinity conflict." });
  });

  it("remembers where it put a new claim, so the pod waits for that node while it is away", async () => {
    const { placer, rt, health, clock } = await fakeCluster(stateDir);
    const intent = podIntent("db-0", { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data-db-0" } }] });
    const first = await placer.place({ intent, pods: [] });
    if (!("node" in first)) throw new Error("not placed");
    rt(first.node).setAvailable(false);
    health.start();
    await clock.advance(5_000);
    expect(health.isReady(first.node)).toBe(false);
    const again = await placer.place({ intent, pods: [] });
    expect(again).toMatchObject({ unschedulable: true });
    expect((again as { message: string }).message).toMatch(/^0\/3 nodes are available: 1 node\(s\) had untolerated taint.*2 node\(s\) had volume node affinity conflict\.$/);
    health.stop();
  });

  it("still knows a claim's node after a restart, so the pod waits for that node rather than start elsewhere with empty data", async () => {
    const { intent, first } = await placeClaimThenStop();
    // A new process on the same state directory, the claim's node away from the start.
    const after = await fakeCluster(stateDir);
    after.rt(first.node).setAvailable(false);
    after.health.start();
    await after.clock.advance(5_000);
    const again = await after.placer.place({ intent, pods: [] });
    expect(again).toMatchObject({ unschedulable: true });
    expect((again as { message: string }).message).toMatch(/2 node\(s\) had volume node affinity conflict\.$/);
    // Once the node answers without the volume, the claim is taken as deleted and the pod goes anywhere.
    after.rt(first.node).setAvailable(true);
    await after.clock.advance(2_000);
    expect(after.health.isReady(first.node)).toBe(true);
    expect(await after.placer.place({ intent, pods: [] })).toHaveProperty("node");
    after.health.stop();
  });

  it("lets go of a claim's node once that node is no longer configured", async () => {
    const { intent, first } = await placeClaimThenStop();
    const after = await fakeCluster(stateDir, { nodes: ["node-a", "node-b", "node-c"].filter((n) => n !== first.node) });
    const again = await after.placer.place({ intent, pods: [] });
    expect(again).toHaveProperty("node");
    expect(again).not.toEqual({ node: first.node });
    expect(after.registry.claimNode(claimVolumeName("prod", "data-db-0"))).toBe((again as { node: string }).node);
  });

  it("tells listeners when a node is uncordoned or Ready again, not when one is cordoned", async () => {
    const { placer, registry } = await fakeCluster(stateDir);
    let calls = 0;
    placer.onNodesChanged(() => calls++);
    await registry.cordon("node-a");
    expect(calls).toBe(0);
    await registry.uncordon("node-a");
    expect(calls).toBe(1);
    placer.close();
  });

  it("takes the registry as a promise, so a synchronous constructor can make the placer", async () => {
    const { registry } = await fakeCluster(stateDir);
    const { createPlacer } = await import("../../../src/nodes/index.js");
    const placer = createPlacer({ registry: Promise.resolve(registry) });
    let calls = 0;
    placer.onNodesChanged(() => calls++);
    expect(await placer.place({ intent: podIntent("web-1", { nodeSelector: { zone: "a" } }), pods: [] })).toEqual({ node: "node-a" });
    await registry.cordon("node-a");
    await registry.uncordon("node-a");
    expect(calls).toBe(1);
    placer.close();
  });
});
