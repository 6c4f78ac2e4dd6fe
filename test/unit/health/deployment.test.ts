import { describe, expect, it } from "vitest";
import { deploymentHealth } from "../../../src/health/index.js";
import type { DeploymentLiveStatus } from "../../../src/health/index.js";

/** Three replicas of revision r2, all up: the steady state every case changes one thing of. */
const steady: DeploymentLiveStatus = {
  replicas: 3,
  updatedReplicas: 3,
  readyReplicas: 3,
  availableReplicas: 3,
  totalReplicas: 3,
  paused: false,
  progressDeadlineExceeded: false,
  rolledOut: true,
  revision: "r2",
  progressDeadlineSeconds: 600,
};
const crashing = [{ name: "web-x", reason: "CrashLoopBackOff" }];

describe("Deployment health from live counts", () => {
  it.each<{ name: string; status: Partial<DeploymentLiveStatus>; want: { status: string; message?: string | RegExp } }>([
    { name: "every replica of the current revision available is Healthy", status: {}, want: { status: "Healthy", message: "3/3 available at revision r2" } },
    { name: "a paused Deployment is Suspended whatever its pods do", status: { paused: true, updatedReplicas: 0, availableReplicas: 0, rolledOut: false }, want: { status: "Suspended" } },
    { name: "a paused Deployment past its deadline is still Suspended", status: { paused: true, progressDeadlineExceeded: true }, want: { status: "Suspended" } },
    {
      name: "a rollout past its progress deadline is Degraded and names the stuck pod",
      status: { progressDeadlineExceeded: true, rolledOut: false, updatedReplicas: 1, totalReplicas: 4, troubledPods: [{ name: "web-n", reason: "ImagePullBackOff" }] },
      want: { status: "Degraded", message: "rollout at revision r2 exceeded its progress deadline (600s): 1 of 3 new replicas updated, 3 available (pod web-n: ImagePullBackOff)" },
    },
    {
      name: "a rollout that has started fewer new replicas than wanted is Progressing",
      status: { rolledOut: false, updatedReplicas: 1, totalReplicas: 4 },
      want: { status: "Progressing", message: "Waiting for rollout to finish: 1 out of 3 new replicas have been updated..." },
    },
    {
      name: "a rollout whose new pods crash-loop before its deadline is Progressing and says why",
      status: { rolledOut: false, updatedReplicas: 1, availableReplicas: 3, totalReplicas: 4, troubledPods: crashing },
      want: { status: "Progressing", message: "Waiting for rollout to finish: 1 out of 3 new replicas have been updated... (pod web-x: CrashLoopBackOff)" },
    },
    {
      name: "a rollout with every new replica started but old ones still running is Progressing",
      status: { rolledOut: false, totalReplicas: 4 },
      want: { status: "Progressing", message: "Waiting for rollout to finish: 1 old replicas are pending termination..." },
    },
    {
      name: "old pods still being stopped keep a rollout Progressing",
      status: { rolledOut: false, terminatingReplicas: 2 },
      want: { status: "Progressing", message: "Waiting for rollout to finish: 2 old replicas are pending termination..." },
    },
    {
      name: "new replicas not yet available keep a rollout Progressing",
      status: { rolledOut: false, availableReplicas: 1, readyReplicas: 2 },
      want: { status: "Progressing", message: "Waiting for rollout to finish: 1 of 3 updated replicas are available..." },
    },
    { name: "replicas above the wanted count keep a scale-down Progressing", status: { updatedReplicas: 4, totalReplicas: 4, availableReplicas: 4 }, want: { status: "Progressing", message: /1 extra replicas/ } },
    {
      name: "a rolled-out Deployment short of available pods because one crash-loops is Degraded, naming how many are available and why",
      status: { availableReplicas: 2, readyReplicas: 2, troubledPods: crashing },
      want: { status: "Degraded", message: "2/3 available; pod web-x: CrashLoopBackOff" },
    },
    {
      name: "a rolled-out Deployment whose replacement pod cannot be scheduled is Degraded",
      status: { updatedReplicas: 3, availableReplicas: 2, troubledPods: [{ name: "web-z", reason: "Unschedulable" }] },
      want: { status: "Degraded", message: "2/3 available; pod web-z: Unschedulable" },
    },
    {
      name: "a rolled-out Deployment whose pod lost its node is Degraded",
      status: { availableReplicas: 2, troubledPods: [{ name: "web-y", reason: "NodeUnavailable" }] },
      want: { status: "Degraded", message: "2/3 available; pod web-y: NodeUnavailable" },
    },
    {
      name: "a rolled-out Deployment with a pod merely restarting and no reason to blame is Progressing",
      status: { availableReplicas: 2, readyReplicas: 2 },
      want: { status: "Progressing", message: "Waiting for rollout to finish: 2 of 3 updated replicas are available..." },
    },
    {
      name: "several pods in trouble are all named, up to three",
      status: {
        availableReplicas: 0,
        troubledPods: [
          { name: "a", reason: "CrashLoopBackOff" },
          { name: "b", reason: "ImagePullBackOff" },
          { name: "c", reason: "CreateContainerConfigError" },
          { name: "d", reason: "CrashLoopBackOff" },
        ],
      },
      want: { status: "Degraded", message: "0/3 available; pod a: CrashLoopBackOff, pod b: ImagePullBackOff, pod c: CreateContainerConfigError (and 1 more)" },
    },
    { name: "a Deployment scaled to zero with no pods is Healthy", status: { replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0, totalReplicas: 0 }, want: { status: "Healthy" } },
  ])("$name", ({ status, want }) => {
    const h = deploymentHealth({ ...steady, ...status });
    expect(h.status).toBe(want.status);
    if (typeof want.message === "string") expect(h.message).toBe(want.message);
    else if (want.message) expect(h.message).toMatch(want.message);
  });
});
