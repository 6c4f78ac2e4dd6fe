import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/index.js";
import { CapstanError } from "../../../src/errors.js";
import { createGitSource } from "../../../src/source/git.js";
import type { GitSourceOptions } from "../../../src/source/git.js";
import { gitSourceOptions } from "../../../src/source/settings.js";
import { makeRepo, removeDir, tempDir } from "../../helpers/git.js";
import { serveGitCGI } from "../../helpers/git-http.js";
import type { TestRepo } from "../../helpers/git.js";

/**
 * A real smart-HTTP git server on 127.0.0.1: git http-backend run as CGI behind node:http. It wants
 * Basic credentials (any) before serving, and records every Authorization header with its path, so
 * the tests see exactly which secret went where.
 */
interface Seen {
  server: string;
  path: string;
  authorization: string;
}

const TEAM_TOKEN = "glpat-teamToken-0123456789";
const OWN_TOKEN = "ghp_ownRepoToken-9876543210";
const dirs: string[] = [];
const seen: Seen[] = [];
let root: string;
let work: TestRepo;
let main: { origin: string; server: Server };
let elsewhere: { origin: string; server: Server };

async function startServer(name: string, redirectTo: () => string): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const authorization = req.headers.authorization ?? "";
    seen.push({ server: name, path: url.pathname, authorization });
    const given = authorization.startsWith("Basic ") ? Buffer.from(authorization.slice(6), "base64").toString("utf8") : "";
    const redirect = (): void => {
      // Same suffix (`/info/refs?service=…`), as git requires of a redirect it follows.
      const rest = url.pathname.replace(/^\/team\/moved(-after-auth)?\.git/, "/other/app.git");
      res.writeHead(302, { Location: `${redirectTo()}${rest}${url.search}` });
      res.end();
    };
    if (url.pathname.startsWith("/team/moved.git/")) return redirect();
    if (!given.includes(":") || given.endsWith(":")) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' });
      res.end("unauthorized\n");
      return;
    }
    if (url.pathname.startsWith("/locked/") && given.slice(given.indexOf(":") + 1) !== TEAM_TOKEN) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' });
      res.end("unauthorized\n");
      return;
    }
    if (url.pathname.startsWith("/team/moved-after-auth.git/")) return redirect();
    serveGitCGI(req, res, root, given.slice(0, given.indexOf(":")));
  });
  const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
  return { origin: `http://127.0.0.1:${port}`, server };
}

function decoded(authorization: string): string {
  return authorization.startsWith("Basic ") ? Buffer.from(authorization.slice(6), "base64").toString("utf8") : authorization;
}

/** The credentials (`user:password`) a server was sent for paths starting with `prefix`. */
function sentTo(server: string, prefix: string): string[] {
  return seen.filter((s) => s.server === server && s.path.startsWith(prefix) && s.authorization !== "").map((s) => decoded(s.authorization));
}

function anywhere(secret: string): Seen[] {
  return seen.filter((s) => decoded(s.authorization).includes(secret));
}

function filesContaining(dir: string, needle: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((p) => readFileSync(p).includes(needle));
}

async function failure(p: Promise<unknown>): Promise<CapstanError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CapstanError) return err;
    throw err;
  }
  throw new Error("expected a failure");
}

function stateDir(): string {
  const d = tempDir("capstan-cred-state-");
  dirs.push(d);
  return d;
}

/** A source configured as an operator would: `credentials:` with a token file for the team prefix. */
function teamSource(extra: Partial<GitSourceOptions> = {}): { options: GitSourceOptions; tokenFile: string } {
  const secrets = tempDir("capstan-cred-secrets-");
  dirs.push(secrets);
  const tokenFile = join(secrets, "team-token");
  writeFileSync(tokenFile, `${TEAM_TOKEN}\n`, { mode: 0o600 });
  const config = configSchema.parse({
    git: { allowInsecureHttp: true, timeoutSeconds: 20 },
    credentials: [{ url: `${main.origin}/team`, passwordFile: tokenFile }],
  });
  return { options: { ...gitSourceOptions(config, { stateDir: stateDir(), env: {} }), ...extra }, tokenFile };
}

beforeAll(async () => {
  root = tempDir("capstan-cred-http-");
  dirs.push(root);
  work = makeRepo();
  dirs.push(work.path);
  work.commit({ "apps/web.yaml": "v: 1\n" });
  for (const repo of ["team/app.git", "other/app.git", "team-evil/app.git"]) {
    mkdirSync(join(root, repo, ".."), { recursive: true });
    execFileSync("git", ["clone", "--quiet", "--bare", work.path, join(root, repo)]);
  }
  elsewhere = await startServer("elsewhere", () => "http://127.0.0.1:1");
  main = await startServer("main", () => elsewhere.origin);
});
afterAll(async () => {
  for (const s of [main, elsewhere]) await new Promise<void>((resolve) => (s ? s.server.close(() => resolve()) : resolve()));
  for (const d of dirs) await removeDir(d);
});

describe("git credentials go only where the operator said", () => {
  it("sends the token configured for a URL prefix to a repository under it, and stores it nowhere", async () => {
    const { options } = teamSource();
    const resolved = await createGitSource(options).resolve(`${main.origin}/team/app.git`, "main");
    expect(resolved.sha).toBe(work.head());
    expect(sentTo("main", "/team/app.git/")).toContain(`x-access-token:${TEAM_TOKEN}`);
    expect(filesContaining(options.stateDir, TEAM_TOKEN)).toEqual([]);
  });

  it("reads the token file at each fetch, so a rotated token is used at once", async () => {
    const { options, tokenFile } = teamSource();
    const source = createGitSource(options);
    await source.fetch(`${main.origin}/team/app.git`);
    writeFileSync(tokenFile, "glpat-rotated-token\n");
    await source.fetch(`${main.origin}/team/app.git`);
    expect(sentTo("main", "/team/app.git/")).toContain("x-access-token:glpat-rotated-token");
  });

  it("sends nothing to repositories outside the prefix, and fails naming the URL and the fix", async () => {
    const { options } = teamSource();
    const source = createGitSource(options);
    for (const path of ["/other/app.git", "/team-evil/app.git"]) {
      const before = seen.length;
      const err = await failure(source.resolve(`${main.origin}${path}`, "main"));
      expect(err.code).toBe("GIT_FAILED");
      expect(err.message).toContain(`git fetch for ${main.origin}${path} failed`);
      expect(err.message).toContain("the remote wants credentials: add an entry under credentials: in the configuration");
      const asked = seen.slice(before);
      expect(asked.length).toBeGreaterThan(0);
      expect(asked.filter((s) => s.authorization !== "")).toEqual([]);
    }
  });

  it("shows the URL without userinfo when a fetch fails", async () => {
    const { options } = teamSource();
    const err = await failure(createGitSource(options).resolve(`http://bot:userinfoSecret@127.0.0.1:1/team/app.git`, "main"));
    expect(err.message).toContain("git fetch for http://127.0.0.1:1/team/app.git failed");
    expect(err.message).not.toContain("userinfoSecret");
  });

  it("sends CAPSTAN_GIT_TOKEN to the daemon's own repositories only", async () => {
    const source = createGitSource({
      stateDir: stateDir(),
      allowInsecureHttp: true,
      timeoutMs: 20_000,
      env: { CAPSTAN_GIT_TOKEN: OWN_TOKEN },
      ownRepos: [`${main.origin}/other/app`],
    });
    expect((await source.resolve(`${main.origin}/other/app.git`, "main")).sha).toBe(work.head());
    expect(sentTo("main", "/other/app.git/")).toContain(`x-access-token:${OWN_TOKEN}`);
    expect((await failure(source.fetch(`${main.origin}/team-evil/app.git`))).code).toBe("GIT_FAILED");
    expect((await failure(source.fetch(`${main.origin}/team/app.git`))).code).toBe("GIT_FAILED");
    expect(anywhere(OWN_TOKEN).map((s) => s.path).filter((p) => !p.startsWith("/other/app.git/"))).toEqual([]);
  });

  it("turns userinfo of an own repository into a credential for that repository alone", async () => {
    const source = createGitSource({
      stateDir: stateDir(),
      allowInsecureHttp: true,
      timeoutMs: 20_000,
      env: {},
      ownRepos: [`http://deploy-bot:fromUserinfo42@${main.origin.slice("http://".length)}/other/app.git`],
    });
    await source.fetch(`${main.origin}/other/app.git`);
    expect(sentTo("main", "/other/app.git/")).toContain("deploy-bot:fromUserinfo42");
    await failure(source.fetch(`${main.origin}/team-evil/app.git`));
    expect(anywhere("fromUserinfo42").every((s) => s.path.startsWith("/other/app.git/"))).toBe(true);
  });

  it("does not let a redirect to another origin collect the token, before or after authenticating", async () => {
    const { options } = teamSource();
    const source = createGitSource(options);

    const before = await failure(source.resolve(`${main.origin}/team/moved.git`, "main"));
    expect(before.code).toBe("GIT_FAILED");
    expect(before.message).toContain(`git was sent on to ${elsewhere.origin}; the credentials of credentials[0]`);
    // git followed the redirect and asked for credentials there: askpass answered nothing.
    expect(seen.some((s) => s.server === "elsewhere" && s.path.startsWith("/other/app.git/"))).toBe(true);

    const after = await failure(source.resolve(`${main.origin}/team/moved-after-auth.git`, "main"));
    expect(after.code).toBe("GIT_FAILED");
    expect(sentTo("main", "/team/moved-after-auth.git/")).toContain(`x-access-token:${TEAM_TOKEN}`);

    expect(anywhere(TEAM_TOKEN).filter((s) => s.server !== "main")).toEqual([]);
    expect(sentTo("elsewhere", "/")).toEqual([]);
  });

  it("keeps a refused token out of error messages and state, and says which credential was refused", async () => {
    const dir = stateDir();
    const wrong = "glpat-wrongSecretValue";
    const source = createGitSource({
      stateDir: dir,
      allowInsecureHttp: true,
      timeoutMs: 20_000,
      env: { WRONG: wrong },
      credentials: [{ url: `${main.origin}/`, password: { env: "WRONG" }, from: "credentials[0]" }],
    });
    const err = await failure(source.resolve(`${main.origin}/locked/app.git`, "main"));
    expect(err.message).toContain(`git fetch for ${main.origin}/locked/app.git failed`);
    expect(err.message).toContain("the remote refused the credentials of credentials[0]");
    expect(err.message).not.toContain(wrong);
    expect(filesContaining(dir, wrong)).toEqual([]);
  });
});
