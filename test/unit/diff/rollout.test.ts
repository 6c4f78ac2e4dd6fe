import { describe, expect, it } from "vitest";
import { rollingBatch, rolloutImpact } from "../../../src/diff/rollout.js";

function dep(opts: { replicas?: number; image?: string; env?: string; strategy?: Record<string, unknown> }): Record<string, unknown> {
  return {
    kind: "Deployment",
    spec: {
      ...(opts.replicas === undefined ? {} : { replicas: opts.replicas }),
      ...(opts.strategy ? { strategy: opts.strategy } : {}),
      template: {
        spec: { containers: [{ name: "web", image: opts.image ?? "capstan-demo/web:v1", env: [{ name: "MODE", value: opts.env ?? "a" }] }] },
      },
    },
  };
}

describe("rollout impact", () => {
  it("rounds maxSurge up and maxUnavailable down like Kubernetes", () => {
    expect(rollingBatch(3, undefined, undefined)).toEqual({ surge: 1, unavailable: 0, batch: 1 });
    expect(rollingBatch(10, undefined, undefined)).toEqual({ surge: 3, unavailable: 2, batch: 5 });
    expect(rollingBatch(4, "50%", "50%")).toEqual({ surge: 2, unavailable: 2, batch: 4 });
    expect(rollingBatch(5, 0, 0)).toEqual({ surge: 0, unavailable: 1, batch: 1 });
    expect(rollingBatch(5, "0%", "10%")).toEqual({ surge: 0, unavailable: 1, batch: 1 });
    expect(rollingBatch(2, 5, 0)).toEqual({ surge: 5, unavailable: 0, batch: 2 });
  });

  it("says how many pods an image change replaces and how fast", () => {
    expect(rolloutImpact("Deployment", "web", dep({ replicas: 3 }), dep({ replicas: 3, image: "capstan-demo/web:v2" }))).toBe(
      "Deployment web: 3 pods will be replaced (image capstan-demo/web:v1 → v2), rolling 1 at a time",
    );
    expect(rolloutImpact("Deployment", "web", dep({}), dep({ image: "other/web:v1" }))).toBe(
      "Deployment web: 1 pod will be replaced (image capstan-demo/web:v1 → other/web:v1), rolling 1 at a time",
    );
    expect(
      rolloutImpact("Deployment", "web", dep({ replicas: 4 }), dep({ replicas: 4, env: "b", strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 2 } } })),
    ).toBe("Deployment web: 4 pods will be replaced (env changed), rolling 2 at a time");
  });

  it("says a replicas-only change replaces no pods", () => {
    expect(rolloutImpact("Deployment", "web", dep({ replicas: 3 }), dep({ replicas: 5 }))).toBe("Deployment web: scaled 3 → 5, no pods replaced");
    expect(rolloutImpact("Deployment", "web", dep({ replicas: 3 }), dep({ replicas: 3 }))).toBeUndefined();
  });

  it("describes Recreate, StatefulSet and DaemonSet updates", () => {
    expect(rolloutImpact("Deployment", "web", dep({ replicas: 2 }), dep({ replicas: 2, image: "capstan-demo/web:v2", strategy: { type: "Recreate" } }))).toBe(
      "Deployment web: 2 pods will be replaced (image capstan-demo/web:v1 → v2), all at once (Recreate stops the old pods first)",
    );
    expect(rolloutImpact("StatefulSet", "db", dep({ replicas: 3 }), dep({ replicas: 3, image: "capstan-demo/web:v2" }))).toBe(
      "StatefulSet db: 3 pods will be replaced (image capstan-demo/web:v1 → v2), 1 at a time from the highest ordinal",
    );
    expect(rolloutImpact("DaemonSet", "agent", dep({}), dep({ image: "capstan-demo/web:v2" }))).toBe(
      "DaemonSet agent: the pod on each node will be replaced (image capstan-demo/web:v1 → v2), 1 node(s) at a time",
    );
  });

  it("says nothing for kinds that run no pods", () => {
    expect(rolloutImpact("ConfigMap", "c", {}, { data: {} })).toBeUndefined();
  });
});
