import { describe, expect, it } from "vitest";
import { containerDrift, formatCpu, formatMemory } from "../../../../src/controllers/pods/drift.js";
import type { DriftItem } from "../../../../src/controllers/pods/types.js";
import type { ContainerDetails, ContainerSpec } from "../../../../src/runtime/types.js";

const desired: ContainerSpec = {
  name: "prod_web-0",
  image: "capstan-demo/web:v1",
  env: { MODE: "fast", TOKEN: "s3cret" },
  network: { name: "capstan-prod", aliases: ["web-0", "web"] },
  resources: { memoryBytes: 128 * 1024 ** 2, nanoCpus: 500_000_000 },
};

const matching: ContainerDetails = {
  id: "c1",
  name: "prod_web-0",
  image: "capstan-demo/web:v1",
  labels: {},
  status: "running",
  created: new Date(0),
  ports: [],
  running: true,
  exitCode: null,
  oomKilled: false,
  startedAt: new Date(0),
  finishedAt: null,
  // The image's own variables and the Service layer's networks are not the template's: never drift.
  networks: [
    { name: "capstan-prod", aliases: ["web", "web-0"] },
    { name: "capstan-prod-svc", aliases: ["api"] },
  ],
  env: { PATH: "/bin", MODE: "fast", TOKEN: "s3cret" },
  mounts: [],
  resources: { memoryBytes: 128 * 1024 ** 2, nanoCpus: 500_000_000 },
};

const drift = (live: Partial<ContainerDetails>, spec: ContainerSpec = desired): DriftItem[] =>
  containerDrift(spec, { ...matching, ...live }, { object: "Pod/web-0", secretEnv: new Set(["TOKEN"]) });

describe("drift of a pod's container from its template", () => {
  it.each<[string, Partial<ContainerDetails>, Omit<DriftItem, "object">[]]>([
    ["nothing when the container runs what the template says", {}, []],
    ["the memory limit changed by docker update", { resources: { memoryBytes: 64 * 1024 ** 2, nanoCpus: 500_000_000 } }, [{ field: "spec.containers[0].resources.limits.memory", live: "64Mi", desired: "128Mi" }]],
    ["a memory limit removed", { resources: { nanoCpus: 500_000_000 } }, [{ field: "spec.containers[0].resources.limits.memory", live: "(none)", desired: "128Mi" }]],
    ["the CPU limit changed", { resources: { memoryBytes: 128 * 1024 ** 2, nanoCpus: 2e9 } }, [{ field: "spec.containers[0].resources.limits.cpu", live: "2", desired: "500m" }]],
    ["another image", { image: "capstan-demo/web:v2" }, [{ field: "spec.containers[0].image", live: "capstan-demo/web:v2", desired: "capstan-demo/web:v1" }]],
    ["a changed variable", { env: { MODE: "slow", TOKEN: "s3cret" } }, [{ field: "spec.containers[0].env.MODE", live: "slow", desired: "fast" }]],
    ["a missing variable", { env: { TOKEN: "s3cret" } }, [{ field: "spec.containers[0].env.MODE", live: "(none)", desired: "fast" }]],
    [
      "a Secret's variable, without its values",
      { env: { MODE: "fast", TOKEN: "leaked" } },
      [{ field: "spec.containers[0].env.TOKEN", live: "(redacted: from a Secret)", desired: "(redacted: from a Secret)" }],
    ],
    ["a renamed container", { name: "hijacked" }, [{ field: "metadata.name", live: "hijacked", desired: "prod_web-0" }]],
    ["an alias taken away", { networks: [{ name: "capstan-prod", aliases: ["web-0"] }] }, [{ field: "networks[capstan-prod].aliases", live: "web-0", desired: "web, web-0" }]],
    ["a container taken off its network", { networks: [] }, [{ field: "networks[capstan-prod].aliases", live: "(not attached)", desired: "web, web-0" }]],
  ])("reports %s", (_what, live, items) => {
    expect(drift(live)).toEqual(items.map((i) => ({ object: "Pod/web-0", ...i })));
  });

  it("reads `web` and `web:latest` as one image", () => {
    expect(drift({ image: "capstan-demo/web:latest" }, { ...desired, image: "capstan-demo/web" })).toEqual([]);
  });

  it("reports a limit the template does not set but the container has", () => {
    const { resources: _ignored, ...unlimited } = desired;
    expect(drift({}, unlimited).map((d) => [d.field, d.live, d.desired])).toEqual([
      ["spec.containers[0].resources.limits.memory", "128Mi", "(none)"],
      ["spec.containers[0].resources.limits.cpu", "500m", "(none)"],
    ]);
  });

  it.each([
    [64 * 1024 ** 2, "64Mi"],
    [2 * 1024 ** 3, "2Gi"],
    [1536, "1536"],
    [3072, "3Ki"],
    [100_000_000, "100000000"],
    [undefined, "(none)"],
  ])("writes %s bytes as %s", (bytes, text) => {
    expect(formatMemory(bytes)).toBe(text);
  });

  it.each([
    [1e9, "1"],
    [250_000_000, "250m"],
    [1_500_000_000, "1500m"],
    [1234, "1234n"],
    [undefined, "(none)"],
  ])("writes %s nano-CPUs as %s", (nano, text) => {
    expect(formatCpu(nano)).toBe(text);
  });
});
