import { describe, expect, it } from "vitest";
import { describeTrouble, isPodTrouble, podHealth } from "../../../src/health/index.js";
import type { PodLiveStatus } from "../../../src/health/index.js";

const up: PodLiveStatus = { phase: "Running", ready: true, terminating: false };

describe("pod health", () => {
  it.each<{ name: string; pod: Partial<PodLiveStatus>; want: { status: string; message?: string } }>([
    { name: "a Running ready pod is Healthy", pod: {}, want: { status: "Healthy" } },
    { name: "a pod that completed is Healthy", pod: { phase: "Succeeded", ready: false, reason: "Completed" }, want: { status: "Healthy", message: "completed" } },
    { name: "a pod being created is Progressing", pod: { phase: "Pending", ready: false, reason: "ContainerCreating" }, want: { status: "Progressing", message: "ContainerCreating" } },
    { name: "a Running pod not yet ready is Progressing with the probe's message", pod: { ready: false, message: "waiting for the readiness probe" }, want: { status: "Progressing", message: "waiting for the readiness probe" } },
    { name: "a pod being stopped is Progressing", pod: { terminating: true }, want: { status: "Progressing", message: "terminating" } },
    { name: "a pod whose image cannot be pulled is Degraded with the pull message", pod: { phase: "Pending", ready: false, reason: "ImagePullBackOff", message: "image x missing" }, want: { status: "Degraded", message: "image x missing" } },
    { name: "a crash-looping pod is Degraded", pod: { ready: false, reason: "CrashLoopBackOff" }, want: { status: "Degraded" } },
    { name: "a pod missing a ConfigMap key is Degraded", pod: { phase: "Pending", ready: false, reason: "CreateContainerConfigError" }, want: { status: "Degraded" } },
    { name: "a pod killed for memory is Degraded", pod: { ready: false, reason: "OOMKilled" }, want: { status: "Degraded" } },
    { name: "a pod that failed is Degraded with its exit code when nothing else is said", pod: { phase: "Failed", ready: false, exitCode: 3 }, want: { status: "Degraded", message: "exited with code 3" } },
    { name: "a pod no node can take is Progressing: it may fit once nodes change", pod: { phase: "Pending", ready: false, reason: "Unschedulable" }, want: { status: "Progressing" } },
    { name: "a pod whose node stopped answering is Unknown", pod: { ready: false, reason: "NodeUnavailable" }, want: { status: "Unknown" } },
    { name: "a Job's running pod is Progressing, not Healthy", pod: { restartPolicy: "Never" }, want: { status: "Progressing", message: "running" } },
    { name: "a Job's pod waiting for its image is Progressing: the image may still arrive", pod: { phase: "Pending", ready: false, reason: "ImagePullBackOff", restartPolicy: "OnFailure" }, want: { status: "Progressing" } },
    { name: "a pod Capstan cannot run is Degraded whatever its restart policy", pod: { phase: "Pending", ready: false, reason: "Unsupported", restartPolicy: "Never" }, want: { status: "Degraded" } },
  ])("$name", ({ pod, want }) => {
    const h = podHealth({ ...up, ...pod });
    expect(h.status).toBe(want.status);
    if (want.message !== undefined) expect(h.message).toBe(want.message);
  });
});

describe("pods in trouble", () => {
  it.each([
    { reason: "CrashLoopBackOff", trouble: true },
    { reason: "ImagePullBackOff", trouble: true },
    { reason: "ErrImagePull", trouble: true },
    { reason: "CreateContainerConfigError", trouble: true },
    { reason: "Unschedulable", trouble: true },
    { reason: "NodeUnavailable", trouble: true },
    { reason: "ContainerCreating", trouble: false },
    { reason: "Terminating", trouble: false },
    { reason: undefined, trouble: false },
  ])("$reason is trouble that waiting will not fix: $trouble", ({ reason, trouble }) => {
    expect(isPodTrouble(reason)).toBe(trouble);
  });

  it("are named with their node when they have one", () => {
    expect(describeTrouble([{ name: "agent-n1-x", node: "n1", reason: "CrashLoopBackOff" }, { name: "web-y", reason: "Unschedulable" }])).toBe(
      "pod agent-n1-x on n1: CrashLoopBackOff, pod web-y: Unschedulable",
    );
  });
});
