import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const bin = new URL("../../../bin/capstan.js", import.meta.url).pathname;

describe("capstan doctor on this machine", () => {
  it("finds the real engine with its capacity, git and a writable state directory", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "capstan-state-"));
    const { stdout } = await promisify(execFile)("node", [bin, "--state-dir", stateDir, "doctor", "-o", "json"], { env: { ...process.env, NO_COLOR: "1" } });
    const report = JSON.parse(stdout) as { ok: boolean; checks: { check: string; status: string; detail: string }[] };
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.check === "engine local")?.detail).toMatch(/^Docker \d+\.\d+.*\d+ CPUs, [\d.]+ GiB memory/);
    expect(report.checks.find((c) => c.check === "demo images local")?.status).toBe("ok");
    expect(report.checks.find((c) => c.check === "state directory")?.detail).toBe(`${stateDir} is writable`);
  });

  it("exits 1 and says which engine does not answer", async () => {
    const config = join(mkdtempSync(join(tmpdir(), "capstan-cfg-")), "capstan.yaml");
    await import("node:fs/promises").then((fs) => fs.writeFile(config, "nodes:\n  - name: gone\n    address: unix:///tmp/capstan-no-such-engine.sock\n"));
    const err = await promisify(execFile)("node", [bin, "--config", config, "doctor"], { env: { ...process.env, NO_COLOR: "1" } }).catch((e: { code: number; stdout: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stdout: string }).stdout).toMatch(/engine gone\s+error\s+node gone: Docker engine does not answer/);
  });
});
