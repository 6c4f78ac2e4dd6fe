import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CapstanError } from "../../../src/errors.js";
import { createGitSource } from "../../../src/source/git.js";
import { makeRepo, removeDir, startGitHttpServer, tempDir } from "../../helpers/git.js";
import type { GitHttpServer, TestRepo } from "../../helpers/git.js";

const TOKEN = "ghp_capstanTestToken123";
const dirs: string[] = [];
let server: GitHttpServer;
let work: TestRepo;

function filesContaining(root: string, needle: string): string[] {
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((p) => readFileSync(p).includes(needle));
}

beforeAll(async () => {
  const base = tempDir("capstan-http-");
  dirs.push(base);
  work = makeRepo();
  dirs.push(work.path);
  work.commit({ "apps/web.yaml": "v: 1\n" });
  execFileSync("git", ["clone", "--quiet", "--bare", work.path, join(base, "deploy.git")]);
  server = await startGitHttpServer(base, TOKEN);
});
afterAll(async () => {
  await server?.stop();
  for (const d of dirs) await removeDir(d);
});

describe("credentials for HTTPS-style remotes", () => {
  it("sends CAPSTAN_GIT_TOKEN for the git call only and never stores it", async () => {
    const stateDir = tempDir();
    dirs.push(stateDir);
    const source = createGitSource({ stateDir, allowInsecureHttp: true, env: { CAPSTAN_GIT_TOKEN: TOKEN } });
    const resolved = await source.resolve(server.url("deploy.git"), "main");
    expect(resolved.sha).toBe(work.head());
    const sent = server.authorizations.filter((a) => a.startsWith("Basic "));
    expect(sent.length).toBeGreaterThan(0);
    expect(Buffer.from((sent[0] as string).slice(6), "base64").toString()).toBe(`x-access-token:${TOKEN}`);
    expect(filesContaining(stateDir, TOKEN)).toEqual([]);
  });

  it("fails without prompting when the remote wants credentials and none are configured", async () => {
    const stateDir = tempDir();
    dirs.push(stateDir);
    const source = createGitSource({ stateDir, allowInsecureHttp: true, env: {}, timeoutMs: 20_000 });
    let err: unknown;
    try {
      await source.resolve(server.url("deploy.git"), "main");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CapstanError);
    expect((err as CapstanError).code).toBe("GIT_FAILED");
    expect((err as CapstanError).message).toContain(`git fetch for ${server.url("deploy.git")} failed`);
    expect((err as CapstanError).message).toContain("(the remote wants credentials: set CAPSTAN_GIT_TOKEN");
  });

  it("keeps a wrong token out of error messages and state", async () => {
    const stateDir = tempDir();
    dirs.push(stateDir);
    const wrong = "glpat-wrongSecretValue";
    const source = createGitSource({ stateDir, allowInsecureHttp: true, credentials: { token: wrong } });
    let message = "";
    try {
      await source.resolve(server.url("deploy.git"), "main");
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("failed");
    expect(message).not.toContain(wrong);
    expect(filesContaining(stateDir, wrong)).toEqual([]);
  });
});
