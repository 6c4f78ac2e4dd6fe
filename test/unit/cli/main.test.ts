import { describe, expect, it } from "vitest";
import { parseArgv } from "../../../src/cli/main.js";
import type { Command } from "../../../src/cli/types.js";
import { CapstanError } from "../../../src/errors.js";
import { runCli } from "../../helpers/cli.js";

const echo: Command = {
  name: "echo",
  summary: "Print the arguments and the state directory",
  usage: "capstan echo [ARGS]",
  async run(args, { io, global }) {
    io.stdout(`${args.join(" ")}|${global.stateDir}|${global.config ?? "-"}\n`);
    return 0;
  },
};
const failing: Command = {
  name: "fail",
  summary: "Fail with problems",
  usage: "capstan fail",
  async run() {
    throw new CapstanError("CHART_INVALID", "charts/web: invalid chart", {
      problems: [{ file: "charts/web/Chart.yaml", line: 3, field: "version", message: "must be semver" }],
    });
  },
};

describe("capstan command line", () => {
  it("takes global flags before or after the command", () => {
    expect(parseArgv(["--state-dir", "/s", "echo", "a", "--config=c.yaml", "b"])).toEqual({
      command: "echo",
      args: ["a", "b"],
      global: { stateDir: "/s", config: "c.yaml" },
      help: false,
    });
  });

  it("resolves the state directory from the flag, then CAPSTAN_STATE_DIR, then XDG_STATE_HOME", async () => {
    const commands = [echo];
    expect((await runCli(["echo", "--state-dir", "rel"], { cwd: "/work", commands })).stdout).toBe("|/work/rel|-\n");
    expect((await runCli(["echo"], { env: { CAPSTAN_STATE_DIR: "/var/cap" }, commands })).stdout).toBe("|/var/cap|-\n");
    expect((await runCli(["echo"], { env: { XDG_STATE_HOME: "/xdg" }, commands })).stdout).toBe("|/xdg/capstan|-\n");
    expect((await runCli(["echo"], { env: { HOME: "/home/u" }, commands })).stdout).toBe("|/home/u/.local/state/capstan|-\n");
  });

  it("lists every command in --help and exits 0", async () => {
    const r = await runCli(["--help"], { commands: [echo, failing] });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("echo  Print the arguments");
    expect(r.stdout).toContain("--state-dir DIR");
  });

  it("shows a command's usage with COMMAND --help", async () => {
    const r = await runCli(["echo", "--help"], { commands: [echo] });
    expect(r).toMatchObject({ code: 0, stdout: expect.stringContaining("Usage: capstan echo [ARGS]") });
  });

  it("exits 1 and names an unknown command", async () => {
    const r = await runCli(["deploy-everything"], { commands: [echo] });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown command "deploy-everything"');
  });

  it("prints a typed error with each problem's file, line and field, and exits 1", async () => {
    const r = await runCli(["fail"], { commands: [failing] });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: charts/web: invalid chart\n  charts/web/Chart.yaml:3: version: must be semver\n");
  });

  it("refuses a global flag without its value", async () => {
    const r = await runCli(["echo", "--state-dir"], { commands: [echo] });
    expect(r).toMatchObject({ code: 1, stderr: "error: --state-dir needs a value\n" });
  });

  it("prints its version", async () => {
    const r = await runCli(["version", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("rejects an unknown output format by name", async () => {
    const r = await runCli(["version", "-o", "xml"]);
    expect(r).toMatchObject({ code: 1, stderr: "error: -o xml: unknown output format (use text, json, yaml)\n" });
  });
});
