import { describe, expect, it } from "vitest";
import { daemonSetHealth } from "../../../src/health/index.js";
import type { DaemonSetLiveStatus } from "../../../src/health/index.js";

const steady: DaemonSetLiveStatus = {
  desiredNumberScheduled: 2,
  currentNumberScheduled: 2,
  updatedNumberScheduled: 2,
  numberReady: 2,
  numberAvailable: 2,
  numberMisscheduled: 0,
  updateStrategy: "RollingUpdate",
  revision: "r2",
};

describe("DaemonSet health from live counts", () => {
  it.each<{ name: string; status: Partial<DaemonSetLiveStatus>; want: { status: string; message?: string } }>([
    { name: "every eligible node running an available pod of the current revision is Healthy", status: {}, want: { status: "Healthy", message: "2 of 2 nodes run an available pod of revision r2" } },
    { name: "nodes left out by taints are mentioned but do not count", status: { skippedNodes: 1 }, want: { status: "Healthy", message: "2 of 2 nodes run an available pod of revision r2; 1 nodes not eligible" } },
    {
      name: "a node still running the old revision keeps a rolling update Progressing",
      status: { updatedNumberScheduled: 1 },
      want: { status: "Progressing", message: "Waiting for rollout to finish: 1 of 2 nodes run a pod of revision r2" },
    },
    {
      name: "a node whose new pod is not yet available keeps it Progressing and names the pod in trouble",
      status: { numberAvailable: 1, numberReady: 1, troubledPods: [{ name: "agent-n2-x", node: "n2", reason: "ImagePullBackOff" }] },
      want: { status: "Progressing", message: "Waiting for rollout to finish: 1 of 2 nodes run an available pod (pod agent-n2-x on n2: ImagePullBackOff)" },
    },
    { name: "a pod left on a node that should not run one keeps it Progressing", status: { numberMisscheduled: 1 }, want: { status: "Progressing", message: "Waiting for 1 pods to be removed from nodes that should not run them" } },
    { name: "OnDelete does not wait for old pods to be replaced", status: { updateStrategy: "OnDelete", updatedNumberScheduled: 0 }, want: { status: "Healthy", message: "2 of 2 nodes run an available pod (OnDelete: pods are updated when deleted)" } },
    { name: "OnDelete still waits for every node to run an available pod", status: { updateStrategy: "OnDelete", numberAvailable: 1 }, want: { status: "Progressing" } },
    { name: "no eligible node at all is Healthy", status: { desiredNumberScheduled: 0, currentNumberScheduled: 0, updatedNumberScheduled: 0, numberReady: 0, numberAvailable: 0 }, want: { status: "Healthy" } },
  ])("$name", ({ status, want }) => {
    const h = daemonSetHealth({ ...steady, ...status });
    expect(h.status).toBe(want.status);
    if (want.message !== undefined) expect(h.message).toBe(want.message);
  });
});
