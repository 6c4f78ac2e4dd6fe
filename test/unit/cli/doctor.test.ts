import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDoctor } from "../../../src/cli/doctor.js";
import { parseConfig } from "../../../src/config/index.js";
import { LABEL, MANAGED_BY_VALUE } from "../../../src/runtime/labels.js";
import { FakeRuntime } from "../../../src/runtime/fake.js";
import { ensureInstallationId } from "../../../src/state/index.js";

describe("capstan doctor", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "capstan-doctor-"));

  it("reports each configured engine with its capacity, git and the state directory", async () => {
    const config = parseConfig("nodes:\n  - name: a\n  - name: b\n", "capstan.yaml");
    const checks = await runDoctor({
      config,
      stateDir,
      gitVersion: async () => "git version 2.39.5",
      runtimeFor: (n) => {
        const rt = new FakeRuntime({ node: n.name, cpus: 4, memoryBytes: 8 * 1024 ** 3, images: ["capstan-demo/web:v1", "capstan-demo/web:v2", "capstan-demo/worker:latest"] });
        if (n.name === "b") rt.setAvailable(false);
        return rt;
      },
    });
    expect(checks.map((c) => [c.check, c.status])).toEqual([
      ["engine a", "ok"],
      ["demo images a", "ok"],
      ["containers a", "ok"],
      ["engine b", "error"],
      ["git", "ok"],
      ["state directory", "ok"],
    ]);
    expect(checks[0]?.detail).toContain("4 CPUs, 8.0 GiB memory");
    expect(checks[2]?.detail).toBe("0 of this state directory, 0 of other state directories");
    expect(checks[3]?.detail).toContain("node b: Docker engine does not answer");
  });

  it("counts Capstan's containers by installation and names those made before installation ids, which no daemon adopts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "capstan-doctor-"));
    const mine = ensureInstallationId(dir);
    const rt = new FakeRuntime({ node: "local", images: ["capstan-demo/web:v1"] });
    const make = (name: string, installation?: string) =>
      rt.create({ name, image: "capstan-demo/web:v1", labels: { [LABEL.managedBy]: MANAGED_BY_VALUE, ...(installation ? { [LABEL.installation]: installation } : {}) } });
    await make("demo_web-1", mine);
    await make("demo_web-2", mine);
    await make("demo_web-3", "0123456789abcdef");
    await make("web-old-b");
    await make("web-old-a");
    await rt.create({ name: "not-capstan", image: "capstan-demo/web:v1" });
    const checks = await runDoctor({ config: parseConfig("", "capstan.yaml"), stateDir: dir, gitVersion: async () => "git version 2.39.5", runtimeFor: () => rt });
    expect(checks.find((c) => c.check === "containers local")).toEqual({
      check: "containers local",
      status: "warning",
      detail: "2 of this state directory, 1 of other state directories; 2 made by an earlier Capstan without the capstan.dev/installation label, which no daemon adopts: remove them with docker rm -f web-old-a web-old-b",
    });
  });

  it("warns about missing demo images and an unwritable state directory", async () => {
    const checks = await runDoctor({
      config: parseConfig("", "capstan.yaml"),
      stateDir: "/dev/null/state",
      gitVersion: async () => {
        throw new Error("spawn git ENOENT");
      },
      runtimeFor: (n) => new FakeRuntime({ node: n.name }),
    });
    expect(checks.find((c) => c.check === "demo images local")).toMatchObject({ status: "warning", detail: expect.stringContaining("scripts/build-images.sh") });
    expect(checks.find((c) => c.check === "git")).toMatchObject({ status: "error", detail: "git is not usable: spawn git ENOENT" });
    expect(checks.find((c) => c.check === "state directory")).toMatchObject({ status: "error", detail: "/dev/null/state is not writable: ENOTDIR" });
  });
});
