import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ManifestObject } from "../../../../src/manifest/index.js";
import { EngineRun } from "./harness.js";

const run = new EngineRun();
beforeAll(() => run.setup());
afterAll(() => run.teardown());

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A Deployment whose pods serve for a while, then exit, and exit at once on every restart after
 * that (a marker in their emptyDir survives restarts): a crash loop that starts after the rollout.
 */
function fragile(name: string, replicas: number): ManifestObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          volumes: [{ name: "scratch", emptyDir: {} }],
          containers: [
            {
              name: "app",
              image: "capstan-demo/worker:latest",
              command: ["/bin/sh", "-c", "if [ -f /scratch/ran ]; then exit 3; fi; touch /scratch/ran /tmp/ready; sleep 10; exit 1"],
              readinessProbe: { exec: { command: ["cat", "/tmp/ready"] }, periodSeconds: 1 },
              volumeMounts: [{ name: "scratch", mountPath: "/scratch" }],
            },
          ],
        },
      },
    },
  } as unknown as ManifestObject;
}

describe("Deployment health follows live pods on the real engine", () => {
  it("a Deployment that rolled out and then crash-loops turns Degraded, saying how many pods are available and which crash, and is no failed sync", async () => {
    const { applier } = await run.start();
    await applier.sync(run.request("fragile", "c1", [fragile("api", 2)]));
    expect(await applier.waitForHealthy("fragile", 60_000)).toEqual({ status: "Healthy", commit: "c1" });

    await until(() => applier.health("fragile").status === "Degraded", 60_000);
    const h = applier.health("fragile");
    expect(h.objects[0]?.health.message).toMatch(/^[01]\/2 available; pod api-\S+: (CrashLoopBackOff|Error)/);
    expect((await run.store.load("fragile")).failures ?? []).toEqual([]);
  });
});
