import { describe, expect, it } from "vitest";
import { statefulSetHealth } from "../../../src/health/index.js";
import type { StatefulSetLiveStatus } from "../../../src/health/index.js";

const steady: StatefulSetLiveStatus = { replicas: 3, readyReplicas: 3, updatedReplicas: 3, updateRevision: "r2", updateStrategy: "RollingUpdate", partition: 0 };

describe("StatefulSet health from live counts", () => {
  it.each<{ name: string; status: Partial<StatefulSetLiveStatus>; want: { status: string; message?: string } }>([
    { name: "every ordinal ready at the update revision is Healthy", status: {}, want: { status: "Healthy", message: "3 of 3 pods ready at revision r2" } },
    { name: "an ordinal not yet ready is Progressing", status: { readyReplicas: 2 }, want: { status: "Progressing", message: "Waiting for 1 pods to be ready (2 of 3 ready)" } },
    {
      name: "an ordinal that crash-loops is Progressing and named",
      status: { readyReplicas: 2, troubledPods: [{ name: "db-1", reason: "CrashLoopBackOff" }] },
      want: { status: "Progressing", message: "Waiting for 1 pods to be ready (2 of 3 ready) (pod db-1: CrashLoopBackOff)" },
    },
    { name: "pods of a scale-down still there keep it Progressing", status: { extraReplicas: 1 }, want: { status: "Progressing", message: "Waiting for 1 pods to be removed (scaling down to 3)" } },
    { name: "ordinals still at the old revision keep a rolling update Progressing", status: { updatedReplicas: 1 }, want: { status: "Progressing", message: "Waiting for rolling update to finish: 1 of 3 pods at revision r2" } },
    {
      name: "with a partition, only the ordinals from the partition up need the new revision",
      status: { partition: 2, updatedReplicas: 1 },
      want: { status: "Healthy", message: "3 of 3 pods ready at revision r2, ordinals below 2 kept by the partition" },
    },
    {
      name: "with a partition, an ordinal above it still old keeps the rollout Progressing",
      status: { partition: 1, updatedReplicas: 1 },
      want: { status: "Progressing", message: "Waiting for rolling update to finish: 1 of the 2 pods from ordinal 1 up at revision r2" },
    },
    { name: "OnDelete is Healthy once ready, whatever revision the pods run", status: { updateStrategy: "OnDelete", updatedReplicas: 0 }, want: { status: "Healthy" } },
    { name: "OnDelete still waits for its pods to be ready", status: { updateStrategy: "OnDelete", readyReplicas: 0 }, want: { status: "Progressing" } },
    { name: "a set scaled to zero with no pods left is Healthy", status: { replicas: 0, readyReplicas: 0, updatedReplicas: 0 }, want: { status: "Healthy" } },
  ])("$name", ({ status, want }) => {
    const h = statefulSetHealth({ ...steady, ...status });
    expect(h.status).toBe(want.status);
    if (want.message !== undefined) expect(h.message).toBe(want.message);
  });
});
