import { describe, expect, it } from "vitest";
import { appDetailText } from "../../../src/cli/commands/app-detail.js";
import type { AppDetail } from "../../../src/server/index.js";

const pod = (name: string, over: Partial<AppDetail["objects"]["workloads"][0]["revisionSets"][0]["pods"][0]> = {}) => ({
  name,
  node: "local",
  ready: true,
  restarts: 0,
  phase: "Running" as const,
  reason: "",
  ports: [],
  createdAt: "2026-12-01T00:00:00Z",
  ...over,
});

const detail: AppDetail = {
  name: "web",
  namespace: "web",
  sync: "OutOfSync",
  syncMessage: "drift (selfHeal is off): Pod/web-a spec.containers[0].resources.limits.memory: live 64Mi, desired 96Mi",
  syncedCommit: "b".repeat(40),
  health: "Progressing",
  healthMessage: "Waiting for rollout to finish: 1 out of 3 new replicas have been updated...",
  currentRevision: 2,
  commit: { sha: "a".repeat(40), message: "v2", author: "dev", time: "2026-12-01T00:00:00Z" },
  pinned: null,
  suspended: false,
  lastSync: null,
  source: { repo: "/repo", path: "charts/web", targetRevision: "main" },
  objects: {
    workloads: [
      {
        kind: "Deployment",
        name: "web",
        health: "Progressing",
        healthMessage: "1 of 3 updated",
        desired: 3,
        ready: 3,
        revisionSets: [
          { revision: "newrev", current: true, desired: 3, pods: [pod("web-new-1", { ready: false, phase: "Pending", reason: "Unschedulable", node: "", message: "0/2 nodes are available: 2 Insufficient memory." })] },
          { revision: "oldrev", current: false, desired: 0, pods: [pod("web-a"), pod("web-b"), pod("web-c")] },
        ],
      },
    ],
    services: [],
    configMaps: [],
    secrets: [],
    persistentVolumeClaims: [],
  },
  drift: [{ object: "Pod/web-a", namespace: "web", field: "spec.containers[0].resources.limits.memory", live: "64Mi", desired: "96Mi" }],
  kept: [{ kind: "ConfigMap", name: "old-settings", namespace: "web" }],
};

describe("capstan get app NAME as text", () => {
  const text = appDetailText(detail, "OutOfSync");

  it("says why the application is out of sync, and that a later commit left its rendering unchanged", () => {
    expect(text).toContain(`sync: ${detail.syncMessage}`);
    expect(text).toContain("compared with Git at bbbbbbb");
  });

  it("lists every pod, a Pending one with the scheduler's reason, and counts current replicas", () => {
    expect(text).toMatch(/web-new-1 +Deployment\/web +newrev +0\/1 +Unschedulable +0 +<none> +0\/2 nodes are available: 2 Insufficient memory\./);
    expect(text).toMatch(/web-a +Deployment\/web +oldrev \(old\) +1\/1 +Running/);
    expect(text).toMatch(/Deployment +web +Progressing +3\/3/);
  });

  it("lists drift field by field, live against desired, and objects kept with pruning off", () => {
    expect(text).toMatch(/OUT OF SYNC\n/);
    expect(text).toMatch(/Pod\/web-a +spec\.containers\[0\]\.resources\.limits\.memory +64Mi +96Mi/);
    expect(text).toMatch(/ConfigMap\/old-settings +- +present +not in Git \(prune off\)/);
  });
});
