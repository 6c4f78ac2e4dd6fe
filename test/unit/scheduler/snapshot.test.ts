import { describe, expect, it } from "vitest";
import { allocatable, podRequests, podToSchedule, schedulingNode, unschedulableMessage } from "../../../src/scheduler/index.js";
import type { PodSpec } from "../../../src/manifest/schemas.js";

describe("podToSchedule", () => {
  it("reads requests from containers, a limit standing in for a missing request", () => {
    const spec: PodSpec = {
      containers: [
        { name: "a", image: "web:1", resources: { requests: { cpu: "250m", memory: "128Mi" } } },
        { name: "b", image: "sidecar", resources: { limits: { cpu: 0.5, memory: "1Gi" } } },
      ],
    };
    expect(podRequests(spec)).toEqual({ cpuMillis: 750, memoryBytes: 128 * 1024 ** 2 + 1024 ** 3 });
  });
  it("uses the largest init container when it asks for more than the containers together", () => {
    const spec: PodSpec = {
      containers: [{ name: "a", image: "x", resources: { requests: { cpu: "100m" } } }],
      initContainers: [{ name: "init", image: "y", resources: { requests: { cpu: "1", memory: "64Mi" } } }],
    };
    expect(podRequests(spec)).toEqual({ cpuMillis: 1000, memoryBytes: 64 * 1024 ** 2 });
  });
  it("carries selectors, tolerations, spreading, host ports and images through", () => {
    const spec: PodSpec = {
      containers: [{ name: "a", image: "web:1", ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }] }],
      nodeSelector: { disk: "ssd" },
      tolerations: [{ key: "k", operator: "Exists" }],
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule" }],
    };
    const p = podToSchedule({ namespace: "prod", labels: { app: "web" }, spec });
    expect(p).toMatchObject({
      namespace: "prod",
      labels: { app: "web" },
      requests: { cpuMillis: 0, memoryBytes: 0 },
      hostPorts: [{ hostPort: 8080, protocol: "TCP" }],
      nodeSelector: { disk: "ssd" },
      tolerations: [{ key: "k", operator: "Exists" }],
      images: ["web:1"],
    });
    expect(p.topologySpreadConstraints).toHaveLength(1);
  });
});

describe("nodes", () => {
  it("allocatable is capacity minus the reserve, never negative", () => {
    expect(allocatable({ cpuMillis: 2000, memoryBytes: 1024 ** 3 })).toEqual({ cpuMillis: 1900, memoryBytes: 768 * 1024 ** 2 });
    expect(allocatable({ cpuMillis: 50, memoryBytes: 0 })).toEqual({ cpuMillis: 0, memoryBytes: 0 });
  });
  it("a scheduling node carries its name as the hostname label", () => {
    expect(schedulingNode({ name: "n1", capacity: { cpuMillis: 1000, memoryBytes: 1024 ** 3 }, reserve: { cpuMillis: 0, memoryBytes: 0 } }).labels).toEqual({
      "kubernetes.io/hostname": "n1",
    });
  });
});

describe("unschedulableMessage", () => {
  it("sorts '<count> <reason>' entries as plain strings, as the Kubernetes scheduler does", () => {
    expect(unschedulableMessage(13, { "Insufficient memory": 2, "node(s) didn't match Pod's node affinity/selector": 1, "Insufficient cpu": 10 })).toBe(
      "0/13 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 10 Insufficient cpu, 2 Insufficient memory.",
    );
  });
});
