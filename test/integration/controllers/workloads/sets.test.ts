import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Applier } from "../../../../src/controllers/apply/applier.js";
import { DockerPodManager } from "../../../../src/controllers/pods/manager.js";
import { DockerRuntime } from "../../../../src/runtime/docker.js";
import { podTemplateHash } from "../../../../src/controllers/workloads/revision.js";
import type { ManifestObject, StatefulSet } from "../../../../src/manifest/index.js";
import { EngineRun } from "./harness.js";

const run = new EngineRun();
beforeAll(() => run.setup());
afterAll(() => run.teardown());

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A pod that becomes ready a second after it starts, so creating the next ordinal early would show. */
const slowReady = {
  terminationGracePeriodSeconds: 1,
  containers: [
    {
      name: "db",
      image: "capstan-demo/worker:latest",
      command: ["/bin/sh", "-c", "sleep 1; touch /tmp/ready; exec sleep 3600"],
      readinessProbe: { exec: { command: ["cat", "/tmp/ready"] }, periodSeconds: 1 },
      volumeMounts: [{ name: "data", mountPath: "/data" }],
    },
  ],
};

/** A StatefulSet `name` whose pods (labelled app=name) run `podSpec`; `spec` adds replicas, claims, serviceName… */
function statefulSet(name: string, podSpec: object, spec: Record<string, unknown>): ManifestObject {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec }, ...spec },
  } as unknown as ManifestObject;
}

describe("StatefulSets and DaemonSets on the real engine", () => {
  it("a StatefulSet of 2 starts db-0 before db-1 and keeps a pod's claim data when the pod is re-created", async () => {
    const { applier, pods } = await run.start();
    const name = `db${run.id}`;
    const set = statefulSet(name, slowReady, {
      replicas: 2,
      volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
    });
    const req = run.request("sts", "c1", [set]);
    await applier.sync(req);
    expect(await applier.waitForHealthy("sts", 60_000)).toEqual({ status: "Healthy", commit: "c1" });

    const [p0, p1] = pods.list({ app: "sts", ownerName: name }).sort((a, b) => (a.name < b.name ? -1 : 1));
    expect([p0?.name, p1?.name]).toEqual([`${name}-0`, `${name}-1`]);
    // Ordinal 1 was created only after ordinal 0 was ready.
    expect(p0?.readySince).not.toBeNull();
    expect(p1?.createdAt).toBeGreaterThanOrEqual(p0?.readySince ?? Infinity);

    const first = p1?.containerIds[0] as string;
    const written = await run.rt.exec(first, ["/bin/sh", "-c", "echo kept-by-claim > /data/marker"]);
    expect(written.exitCode).toBe(0);
    await pods.delete(req.namespace, `${name}-1`);
    await until(() => {
      const p = pods.get(req.namespace, `${name}-1`);
      return Boolean(p && p.ready && p.containerIds[0] && p.containerIds[0] !== first);
    }, 60_000);
    const again = pods.get(req.namespace, `${name}-1`)?.containerIds[0] as string;
    const read = await run.rt.exec(again, ["cat", "/data/marker"]);
    expect(read.stdout.trim()).toBe("kept-by-claim");
    // Ordinal 0 has its own claim, which does not hold the file.
    const other = await run.rt.exec(p0?.containerIds[0] as string, ["/bin/sh", "-c", "cat /data/marker 2>/dev/null || echo none"]);
    expect(other.stdout.trim()).toBe("none");
    const volumes = (await run.rt.listVolumes(run.labels)).map((v) => v.name);
    expect(volumes).toEqual(expect.arrayContaining([`capstan-${req.namespace}-data-${name}-0`, `capstan-${req.namespace}-data-${name}-1`]));
  });

  it("the same StatefulSet in two namespaces runs side by side, each pod with its name as hostname and known as <pod>.<serviceName>", async () => {
    const { applier, pods } = await run.start();
    const name = `twin${run.id}`;
    const sleeper = { terminationGracePeriodSeconds: 1, containers: [{ name: "db", image: "capstan-demo/worker:latest", command: ["/bin/sh", "-c", "exec sleep 3600"] }] };
    const set = statefulSet(name, sleeper, { serviceName: "peers", replicas: 1 });
    for (const app of ["staging", "prod"]) {
      await applier.sync(run.request(app, "c1", [set]));
      expect(await applier.waitForHealthy(app, 60_000)).toEqual({ status: "Healthy", commit: "c1" });
    }
    const [staging, prod] = ["staging", "prod"].map((app) => pods.list({ app, ownerName: name })[0]);
    expect([staging?.name, prod?.name]).toEqual([`${name}-0`, `${name}-0`]);
    expect(staging?.containerIds[0]).not.toBe(prod?.containerIds[0]);
    for (const pod of [staging, prod]) {
      const id = pod?.containerIds[0] as string;
      expect((await run.rt.exec(id, ["hostname"])).stdout.trim()).toBe(`${name}-0`);
      const looked = await run.rt.exec(id, ["nslookup", `${name}-0.peers`]);
      expect(looked.exitCode).toBe(0);
      expect(looked.stdout).toMatch(/Address:? .*\d+\.\d+\.\d+\.\d+/);
    }
  });

  it("a StatefulSet rolls from the highest ordinal down, keeps ordinals below the partition, and scales down from the top", async () => {
    const { applier, pods } = await run.start();
    const name = `roll${run.id}`;
    const container = (slowReady.containers[0] ?? {}) as Record<string, unknown>;
    const set = (version: string, over: Record<string, unknown>) =>
      statefulSet(name, { terminationGracePeriodSeconds: 1, containers: [{ ...container, volumeMounts: undefined, env: [{ name: "VERSION", value: version }] }] }, { replicas: 3, ...over });
    const ordinals = () => pods.list({ app: "roll", ownerName: name }).sort((a, b) => (a.name < b.name ? -1 : 1));
    const seen: string[] = [];
    const stopping: string[] = [];
    let watched = "";
    pods.onChange((p) => {
      if (p.app !== "roll") return;
      if (p.revision === watched && !seen.includes(p.name)) seen.push(p.name);
      if (p.terminating && !stopping.includes(p.name)) stopping.push(p.name);
    });

    await applier.sync(run.request("roll", "c1", [set("1", {})]));
    expect(await applier.waitForHealthy("roll", 60_000)).toMatchObject({ status: "Healthy" });
    const v1 = ordinals()[0]?.revision as string;

    const c2 = run.request("roll", "c2", [set("2", { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } } })]);
    watched = podTemplateHash((c2.objects[0] as StatefulSet).spec.template);
    expect(watched).not.toBe(v1);
    await applier.sync(c2);
    expect(await applier.waitForHealthy("roll", 60_000)).toMatchObject({ status: "Healthy", commit: "c2" });
    expect(seen).toEqual([`${name}-2`, `${name}-1`]);
    expect(ordinals().map((p) => p.revision)).toEqual([v1, watched, watched]);

    await applier.sync(run.request("roll", "c3", [set("2", { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } } })]));
    expect(await applier.waitForHealthy("roll", 60_000)).toMatchObject({ status: "Healthy", commit: "c3" });
    expect(ordinals().map((p) => p.revision)).toEqual([watched, watched, watched]);

    stopping.length = 0;
    await applier.sync(run.request("roll", "c4", [set("2", { replicas: 1 })]));
    expect(await applier.waitForHealthy("roll", 60_000)).toMatchObject({ status: "Healthy", commit: "c4" });
    await until(() => ordinals().length === 1, 30_000);
    expect(stopping).toEqual([`${name}-2`, `${name}-1`]);
    expect(ordinals().map((p) => p.name)).toEqual([`${name}-0`]);
  });

  it("a DaemonSet runs one pod on the local node and is Healthy", async () => {
    const { applier, pods } = await run.start();
    const name = `agent${run.id}`;
    const ds = {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name },
      spec: {
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "agent", image: "capstan-demo/worker:latest", command: ["/bin/sh", "-c", "exec sleep 3600"] }] },
        },
      },
    } as ManifestObject;
    await applier.sync(run.request("daemons", "c1", [ds]));
    expect(await applier.waitForHealthy("daemons", 60_000)).toEqual({ status: "Healthy", commit: "c1" });
    const list = pods.list({ app: "daemons", ownerName: name });
    expect(list.map((p) => p.node)).toEqual(["local"]);
    expect(list[0]?.name).toMatch(new RegExp(`^${name}-local-[a-z0-9]{5}$`));
    expect(list[0]?.phase).toBe("Running");
  });
});

describe("a DaemonSet over three engines", () => {
  const extra = [2, 3, 4].map((n) => new DockerRuntime({ node: `node-${n}`, address: `unix:///run/capstan-nodes/node-${n}/docker.sock` }));
  beforeAll(() => {
    // Idempotent: starts node-2 to node-4 only when they are not running (leaves them up afterwards).
    execFileSync("bash", [join(import.meta.dirname, "../../../../scripts/nodes.sh"), "up", "4"], { stdio: "ignore" });
  }, 300_000);
  afterAll(async () => {
    for (const rt of extra) {
      for (const c of await rt.list(run.labels).catch(() => [])) await rt.remove(c.id, { force: true });
      for (const n of await rt.listNetworks(run.labels).catch(() => [])) await rt.removeNetwork(n.name).catch(() => undefined);
    }
  });

  it("skips the node whose taint it does not tolerate, replaces one node's pod at a time on a template change, and runs on a node added later", async () => {
    const runtimes = new Map<string, DockerRuntime>([["local", run.rt], ...extra.map((rt): [string, DockerRuntime] => [rt.node, rt])]);
    const pods = new DockerPodManager({ runtimes, stateDir: run.stateDir, labels: run.labels });
    await pods.start();
    const nodes: { name: string; taints?: { key: string; value: string; effect: "NoSchedule" }[] }[] = [{ name: "local" }, { name: "node-2" }, { name: "node-3", taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" as const }] }];
    const applier = new Applier({ runtime: run.rt, pods, store: run.store, labels: run.labels, nodes: () => nodes });
    applier.start();
    try {
      const name = `spread${run.id}`;
      const ds = (version: string) =>
        ({
          apiVersion: "apps/v1",
          kind: "DaemonSet",
          metadata: { name },
          spec: {
            selector: { matchLabels: { app: name } },
            template: {
              metadata: { labels: { app: name } },
              spec: { terminationGracePeriodSeconds: 1, containers: [{ ...(slowReady.containers[0] ?? {}), volumeMounts: undefined, env: [{ name: "VERSION", value: version }] }] },
            },
          },
        }) as unknown as ManifestObject;
      const current = () => pods.list({ app: "spread", ownerName: name }).filter((p) => !p.terminating);
      await applier.sync(run.request("spread", "c1", [ds("1")]));
      expect(await applier.waitForHealthy("spread", 90_000)).toEqual({ status: "Healthy", commit: "c1" });
      expect(current().map((p) => p.node).sort()).toEqual(["local", "node-2"]);
      expect((await extra[1]?.list(run.labels))?.length).toBe(0);

      let minReady = Infinity;
      const off = pods.onChange((p) => {
        if (p.app === "spread") minReady = Math.min(minReady, pods.list({ app: "spread", ownerName: name }).filter((q) => q.ready && !q.terminating).length);
      });
      const v1 = current()[0]?.revision;
      await applier.sync(run.request("spread", "c2", [ds("2")]));
      expect(await applier.waitForHealthy("spread", 90_000)).toEqual({ status: "Healthy", commit: "c2" });
      off();
      const after = current();
      expect(after.map((p) => p.node).sort()).toEqual(["local", "node-2"]);
      expect(after.every((p) => p.revision !== v1 && p.ready)).toBe(true);
      // maxUnavailable 1: one of the two nodes kept a ready pod throughout.
      expect(minReady).toBe(1);

      // A node added later gets its pod.
      nodes.push({ name: "node-4" });
      applier.nodesChanged();
      await until(() => current().some((p) => p.node === "node-4" && p.ready), 60_000);
      expect(current().map((p) => p.node).sort()).toEqual(["local", "node-2", "node-4"]);
    } finally {
      await applier.stop();
      await pods.stop();
    }
  }, 180_000);
});
