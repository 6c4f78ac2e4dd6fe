import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ManifestObject } from "../../../../src/manifest/index.js";
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

describe("StatefulSets and DaemonSets on the real engine", () => {
  it("a StatefulSet of 2 starts db-0 before db-1 and keeps a pod's claim data when the pod is re-created", async () => {
    const { applier, pods } = await run.start();
    const name = `db${run.id}`;
    const set = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: slowReady },
        volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
      },
    } as ManifestObject;
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
