/** A repository URL with user:password given to the daemon is used for that repository and shown or stored nowhere. */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appCommands } from "../../../src/cli/commands/apps.js";
import { main } from "../../../src/cli/main.js";
import { parseConfig } from "../../../src/config/index.js";
import { startDaemon, type RunningDaemon } from "../../../src/daemon/index.js";
import { removeDir, startGitHttpServer, tempDir, type GitHttpServer } from "../../helpers/git.js";
import { served, until, webFixture, type WebFixture } from "./fixture.js";

const PASSWORD = "s3cret-Pw-4711";

describe("a daemon repository URL carrying user:password", () => {
  let fx: WebFixture;
  let root: string;
  let stateDir: string;
  let git: GitHttpServer;
  let d: RunningDaemon;

  beforeAll(async () => {
    fx = webFixture("duserinfo");
    root = tempDir("capstan-http-git-");
    execFileSync("git", ["clone", "--quiet", "--bare", fx.repo.path, join(root, "team", "app.git")]);
    git = await startGitHttpServer(root, PASSWORD);
    stateDir = tempDir("capstan-daemon-");
    const repo = git.url("team/app.git").replace("http://", `http://deploy:${PASSWORD}@`);
    d = await startDaemon({ stateDir, repo, port: 0, poll: "0 0 1 1 *", labels: fx.runLabel, config: parseConfig("git: {allowInsecureHttp: true}\n", "capstan.yaml") });
    await until("v1 serving", async () => (await served(fx.nodePort)) === "web v1", 60_000);
  }, 90_000);

  afterAll(async () => {
    await d?.stop();
    await git?.stop();
    fx?.cleanup();
    for (const dir of [stateDir, root]) if (dir) await removeDir(dir);
  }, 30_000);

  it("fetches with it, and neither the API, the events, get apps -o yaml nor any file of the state directory holds it", async () => {
    expect(git.authorizations.map((a) => (a.startsWith("Basic ") ? Buffer.from(a.slice(6), "base64").toString("utf8") : a))).toContain(`deploy:${PASSWORD}`);
    const apps = await (await fetch(`${d.url}/api/v1/apps`)).text();
    expect(apps).toContain(git.url("team/app.git"));
    expect(apps).not.toContain(PASSWORD);
    const events = await (await fetch(`${d.url}/api/v1/apps/${fx.app}/events`)).text();
    expect(events).not.toContain(PASSWORD);
    let out = "";
    const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (out += s), env: {}, cwd: process.cwd(), isTTY: false };
    expect(await main(["--state-dir", stateDir, "get", "apps", "-o", "yaml"], io, appCommands)).toBe(0);
    expect(out).toContain(fx.app);
    expect(out).not.toContain(PASSWORD);
    const files = readdirSync(stateDir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
    expect(files.some((f) => f.endsWith("state.db"))).toBe(true);
    expect(files.filter((f) => readFileSync(f).includes(PASSWORD))).toEqual([]);
  });
});
