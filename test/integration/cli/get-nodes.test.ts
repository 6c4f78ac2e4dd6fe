import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeCommands } from "../../../src/cli/commands/nodes.js";
import { configSchema } from "../../../src/config/index.js";
import { startDaemon, type RunningDaemon } from "../../../src/daemon/index.js";
import { makeRepo, removeDir, tempDir } from "../../helpers/git.js";
import { runCli } from "../../helpers/cli.js";

const root = join(import.meta.dirname, "../../..");
const stateDir = tempDir("capstan-cli-get-nodes-");
const repo = makeRepo();
let daemon: RunningDaemon | undefined;

beforeAll(async () => {
  // Idempotent: starts node-2 only when it is not running (leaves it up afterwards).
  execFileSync("bash", [join(root, "scripts/nodes.sh"), "up", "2"], { stdio: "ignore" });
  repo.commit({ "apps/README.md": "No applications: the daemon only serves its nodes here.\n" }, "empty");
  const config = configSchema.parse({ nodes: [{ name: "local" }, { name: "node-2", address: "unix:///run/capstan-nodes/node-2/docker.sock" }] });
  daemon = await startDaemon({ stateDir, repo: repo.path, port: 0, poll: "0 0 1 1 *", config });
}, 300_000);

afterAll(async () => {
  await daemon?.stop();
  await removeDir(stateDir);
  await removeDir(repo.path);
}, 60_000);

describe("capstan get nodes with a daemon running", () => {
  it("lists the nodes the daemon runs on, though the command itself is given no configuration", async () => {
    const r = await runCli(["--state-dir", stateDir, "get", "nodes", "-o", "json"], { commands: nodeCommands });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ source: "daemon", daemon: daemon?.url });
    expect(out.nodes.map((n: { name: string; status: string }) => [n.name, n.status])).toEqual([
      ["local", "Ready"],
      ["node-2", "Ready"],
    ]);
    for (const n of out.nodes) expect(n.engine).toMatch(/^docker \d+\.\d+/);
  });
});
