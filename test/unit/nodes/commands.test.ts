import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { age, drainNode, listNodes } from "../../../src/cli/commands/nodes.js";
import { LABEL, MANAGED_BY_VALUE } from "../../../src/runtime/labels.js";
import { FakeRuntime } from "../../../src/runtime/fake.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const stateDir = mkdtempSync(join(tmpdir(), "capstan-nodecmd-"));
  dirs.push(stateDir);
  const rt = new FakeRuntime({ node: "local", images: ["web:1"], cpus: 2 });
  return { stateDir, rt, runtimeFor: () => rt };
}

const labels = (pod: string, ownerKind = "Deployment") => ({ [LABEL.managedBy]: MANAGED_BY_VALUE, [LABEL.namespace]: "default", [LABEL.pod]: pod, [LABEL.ownerKind]: ownerKind });

describe("node commands", () => {
  it("get nodes counts Capstan's pods and shows cordoned nodes as SchedulingDisabled", async () => {
    const { stateDir, rt, runtimeFor } = setup();
    await rt.create({ name: "web-1", image: "web:1", labels: labels("web-1") });
    await rt.create({ name: "other", image: "web:1", labels: {} });
    const [row] = await listNodes({ stateDir, runtimeFor });
    expect(row).toMatchObject({ name: "local", status: "Ready", pods: 1, cpuAllocatableMillis: 1900, cpuRequestedMillis: 0 });
    rt.setAvailable(false);
    const [down] = await listNodes({ stateDir, runtimeFor });
    expect(down).toMatchObject({ status: "NotReady", pods: null, cpuRequestedMillis: null });
  });

  it("drain cordons, removes Capstan's pods and refuses DaemonSet pods unless told to ignore them", async () => {
    const { stateDir, rt, runtimeFor } = setup();
    await rt.create({ name: "web-1", image: "web:1", labels: labels("web-1") });
    await rt.start("web-1");
    await rt.create({ name: "agent-x", image: "web:1", labels: labels("agent-x", "DaemonSet") });
    await expect(drainNode({ stateDir, runtimeFor, node: "local" })).rejects.toThrow("cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): default/agent-x");
    const lines: string[] = [];
    const r = await drainNode({ stateDir, runtimeFor, node: "local", ignoreDaemonSets: true, log: (l) => lines.push(l) });
    expect(r).toEqual({ cordoned: false, evicted: ["default/web-1"], ignored: ["default/agent-x"] });
    expect(lines).toEqual([
      "node/local already cordoned",
      "Warning: ignoring DaemonSet-managed Pods: default/agent-x",
      "evicting pod default/web-1",
      "pod/web-1 evicted",
      "node/local drained",
    ]);
    expect((await rt.list()).map((c) => c.name)).toEqual(["agent-x"]);
    expect((await listNodes({ stateDir, runtimeFor }))[0]!.status).toBe("Ready,SchedulingDisabled");
  });

  it("prints ages the way kubectl does", () => {
    const now = Date.parse("2026-11-23T12:00:00Z");
    expect(age("2026-11-23T11:59:15Z", now)).toBe("45s");
    expect(age("2026-11-23T11:00:00Z", now)).toBe("60m");
    expect(age("2026-11-23T02:00:00Z", now)).toBe("10h");
    expect(age("2026-11-20T12:00:00Z", now)).toBe("3d");
    expect(age(null, now)).toBe("<unknown>");
  });
});
