/** Real git repositories for tests: made in a temp dir, committed to, branched, tagged, force-pushed, served. */
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { removeTree } from "../../src/source/git.js";
import { serveGitCGI } from "./git-http.js";

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Test Author",
  GIT_AUTHOR_EMAIL: "author@example.com",
  GIT_COMMITTER_NAME: "Test Author",
  GIT_COMMITTER_EMAIL: "author@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

export function tempDir(prefix = "capstan-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Removes a directory, including read-only trees checked out by the git source. */
export async function removeDir(path: string): Promise<void> {
  await removeTree(path);
}

export interface TestRepo {
  path: string;
  git(...args: string[]): string;
  /** Writes `files` (path → content; null deletes), commits them on the current branch, returns the SHA. */
  commit(files: Record<string, string | null>, message?: string): string;
  branch(name: string, from?: string): void;
  switchTo(name: string): void;
  tag(name: string, options?: { annotated?: boolean; at?: string }): void;
  /** Points any ref at a commit, e.g. `refs/pull/7/head` as GitHub publishes pull requests. */
  setRef(ref: string, sha: string): void;
  /** Moves a branch to `sha` whatever its history: what a force-push leaves on the remote. */
  forcePush(branch: string, sha: string): void;
  head(): string;
}

export function makeRepo(path = tempDir("capstan-repo-"), defaultBranch = "main"): TestRepo {
  mkdirSync(path, { recursive: true });
  const git = (...args: string[]): string =>
    execFileSync("git", args, { cwd: path, env: GIT_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  git("init", "--quiet", `--initial-branch=${defaultBranch}`);
  git("config", "commit.gpgsign", "false");
  let counter = 0;
  return {
    path,
    git,
    commit(files, message) {
      for (const [file, content] of Object.entries(files)) {
        const full = join(path, file);
        if (content === null) {
          rmSync(full, { force: true });
        } else {
          mkdirSync(dirname(full), { recursive: true });
          writeFileSync(full, content);
        }
      }
      git("add", "--all");
      git("commit", "--quiet", "--allow-empty", "-m", message ?? `commit ${++counter}`);
      return git("rev-parse", "HEAD");
    },
    branch(name, from) {
      git("branch", name, ...(from ? [from] : []));
    },
    switchTo(name) {
      git("checkout", "--quiet", name);
    },
    tag(name, options = {}) {
      const at = options.at ? [options.at] : [];
      if (options.annotated) git("tag", "-a", "-m", `release ${name}`, name, ...at);
      else git("tag", name, ...at);
    },
    setRef(ref, sha) {
      git("update-ref", ref, sha);
    },
    forcePush(branch, sha) {
      const current = git("rev-parse", "--abbrev-ref", "HEAD");
      if (current === branch) git("reset", "--quiet", "--hard", sha);
      else git("branch", "--force", branch, sha);
    },
    head() {
      return git("rev-parse", "HEAD");
    },
  };
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface GitDaemon {
  port: number;
  /** `git://127.0.0.1:<port>/<name>` for a repository directory under the base path. */
  url(name: string): string;
  stop(): Promise<void>;
}

/** Serves every repository under `basePath` over git:// on 127.0.0.1, like a real remote. */
export async function startGitDaemon(basePath: string): Promise<GitDaemon> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    "git",
    [
      "daemon",
      "--export-all",
      `--base-path=${basePath}`,
      `--port=${port}`,
      "--listen=127.0.0.1",
      "--reuseaddr",
      "--informative-errors",
      basePath,
    ],
    { stdio: "ignore", env: GIT_ENV },
  );
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error("git daemon did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    url: (name) => `git://127.0.0.1:${port}/${name}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>/<name>`. */
  url(name: string): string;
  /** Authorization headers received, in order. */
  authorizations: string[];
  stop(): Promise<void>;
}

/**
 * Serves repositories under `basePath` over git's smart HTTP protocol (git http-backend as CGI),
 * answering 401 unless the request carries Basic credentials with password `token`.
 */
export async function startGitHttpServer(basePath: string, token: string): Promise<GitHttpServer> {
  const { createServer: createHttpServer } = await import("node:http");
  const authorizations: string[] = [];
  const server = createHttpServer((req, res) => {
    const auth = req.headers.authorization ?? "";
    authorizations.push(auth);
    const given = auth.startsWith("Basic ") ? Buffer.from(auth.slice(6), "base64").toString("utf8") : "";
    if (given.slice(given.indexOf(":") + 1) !== token) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' });
      res.end("unauthorized\n");
      return;
    }
    serveGitCGI(req, res, basePath, given.slice(0, given.indexOf(":")));
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    authorizations,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
