import { describe, expect, it } from "vitest";
import { podHealth } from "../../../../src/controllers/pods/health.js";
import type { PodStatus } from "../../../../src/controllers/pods/types.js";

const base: PodStatus = {
  name: "web-0",
  namespace: "prod",
  app: "shop",
  ownerKind: "Deployment",
  ownerName: "web",
  revision: "r1",
  commit: "c",
  node: "local",
  image: "capstan-demo/web:v1",
  labels: {},
  containerIds: ["id"],
  phase: "Running",
  ready: true,
  readySince: 0,
  restarts: 0,
  hostPorts: [],
  createdAt: 0,
  terminating: false,
  adopted: false,
  drift: [],
};

describe("pod health", () => {
  it("is Healthy when running and ready, or completed", () => {
    expect(podHealth(base).status).toBe("Healthy");
    expect(podHealth({ ...base, phase: "Succeeded", ready: false, reason: "Completed" }).status).toBe("Healthy");
  });

  it("is Progressing while starting, not yet ready, or terminating", () => {
    expect(podHealth({ ...base, phase: "Pending", ready: false, reason: "ContainerCreating" }).status).toBe("Progressing");
    expect(podHealth({ ...base, ready: false, message: "waiting for the readiness probe" })).toEqual({ status: "Progressing", message: "waiting for the readiness probe" });
    expect(podHealth({ ...base, terminating: true }).status).toBe("Progressing");
  });

  it("is Degraded when it cannot start, crash-loops or failed", () => {
    expect(podHealth({ ...base, phase: "Pending", ready: false, reason: "ImagePullBackOff", message: "image x missing" })).toEqual({ status: "Degraded", message: "image x missing" });
    expect(podHealth({ ...base, ready: false, reason: "CrashLoopBackOff" }).status).toBe("Degraded");
    expect(podHealth({ ...base, phase: "Pending", ready: false, reason: "CreateContainerConfigError" }).status).toBe("Degraded");
    expect(podHealth({ ...base, phase: "Failed", ready: false, reason: "Error", exitCode: 3 }).status).toBe("Degraded");
  });

  it("is Unknown when its node does not answer", () => {
    expect(podHealth({ ...base, ready: false, reason: "NodeUnavailable" }).status).toBe("Unknown");
  });
});
