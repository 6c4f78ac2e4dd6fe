import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { Server, Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CapstanError } from "../../../src/errors.js";
import { createGitSource, mirrorName, pruneTrees } from "../../../src/source/git.js";
import type { SourceEvent } from "../../../src/source/types.js";
import { parseRepoURL } from "../../../src/source/url.js";
import { freePort, makeRepo, removeDir, startGitDaemon, tempDir } from "../../helpers/git.js";
import type { GitDaemon, TestRepo } from "../../helpers/git.js";

async function caught(p: Promise<unknown>): Promise<CapstanError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CapstanError) return err;
    throw err;
  }
  throw new Error("expected a CapstanError");
}

function filesContaining(root: string, needle: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (readFileSync(path).includes(needle)) found.push(path);
  }
  return found;
}

const dirs: string[] = [];
function dir(prefix?: string): string {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await removeDir(d);
});

describe("resolving revisions of a local repository", () => {
  let repo: TestRepo;
  let first: string;
  let second: string;
  let feature: string;
  let pr: string;
  const stateDir = dir("capstan-state-");
  const source = createGitSource({ stateDir });

  beforeAll(() => {
    repo = makeRepo(dir());
    first = repo.commit({ "apps/web.yaml": "kind: Application\n" }, "first commit");
    repo.tag("v1.0.0", { annotated: true });
    repo.tag("light");
    second = repo.commit({ "README.md": "hello\n" }, "second commit\n\nwith a body");
    repo.branch("feature/login");
    repo.switchTo("feature/login");
    feature = repo.commit({ "feature.txt": "x" }, "feature work");
    repo.switchTo("main");
    pr = feature;
    repo.setRef("refs/pull/7/head", pr);
    repo.setRef("refs/merge-requests/3/head", first);
  });

  it("resolves branches, annotated and lightweight tags to commit SHAs with message, author and time", async () => {
    const main = await source.resolve(repo.path, "main");
    expect(main).toMatchObject({ sha: second, refName: "refs/heads/main", author: "Test Author <author@example.com>" });
    expect(main.message).toBe("second commit\n\nwith a body");
    expect(Number.isNaN(Date.parse(main.time))).toBe(false);
    expect((await source.resolve(repo.path, "v1.0.0")).sha).toBe(first);
    expect((await source.resolve(repo.path, "light")).sha).toBe(first);
    expect((await source.resolve(repo.path, "feature/login")).sha).toBe(feature);
  });

  it("resolves HEAD and an empty revision to the default branch", async () => {
    expect((await source.resolve(repo.path, "HEAD")).sha).toBe(second);
    expect((await source.resolve(repo.path, "")).sha).toBe(second);
  });

  it("resolves full and short SHAs", async () => {
    expect((await source.resolve(repo.path, first)).sha).toBe(first);
    expect((await source.resolve(repo.path, first.slice(0, 8))).sha).toBe(first);
  });

  it("resolves pull-request and merge-request refs in both spellings", async () => {
    expect((await source.resolve(repo.path, "refs/pull/7/head")).sha).toBe(pr);
    expect((await source.resolve(repo.path, "pull/7/head")).sha).toBe(pr);
    expect((await source.resolve(repo.path, "merge-requests/3/head")).sha).toBe(first);
  });

  it("names near branches when a revision does not exist", async () => {
    const err = await caught(source.resolve(repo.path, "feature/logn"));
    expect(err.code).toBe("GIT_REF_NOT_FOUND");
    expect(err.message).toContain("revision 'feature/logn' not found");
    expect(err.message).toContain("did you mean 'feature/login'?");
  });

  it("refuses invalid ref names before running git", async () => {
    const err = await caught(source.resolve(repo.path, "main..feature"));
    expect(err.code).toBe("GIT_REF_INVALID");
    expect(err.message).toContain("contains '..'");
    expect((await caught(source.resolve(repo.path, "--upload-pack=touch"))).code).toBe("GIT_REF_INVALID");
  });

  it("keeps a bare mirror per URL under the state directory with no remote configured", async () => {
    const mirror = join(stateDir, "repos", `${mirrorName(parseRepoURL(repo.path))}.git`);
    expect(existsSync(join(mirror, "HEAD"))).toBe(true);
    expect(readFileSync(join(mirror, "config"), "utf8")).not.toContain("[remote");
  });

  it("checks out a commit once into a read-only tree and reuses it", async () => {
    const tree = await source.checkout(repo.path, first);
    expect(tree).toBe(join(stateDir, "trees", first));
    expect(readFileSync(join(tree, "apps/web.yaml"), "utf8")).toBe("kind: Application\n");
    expect(existsSync(join(tree, "README.md"))).toBe(false);
    expect(statSync(join(tree, "apps/web.yaml")).mode & 0o222).toBe(0);
    expect(statSync(join(tree, "apps")).mode & 0o222).toBe(0);
    const inode = statSync(tree).ino;
    const again = await Promise.all([source.checkout(repo.path, first), source.checkout(repo.path, first)]);
    expect(again).toEqual([tree, tree]);
    expect(statSync(tree).ino).toBe(inode);
    expect(readdirSync(join(stateDir, "trees")).filter((n) => n.startsWith(".tmp"))).toEqual([]);
  });

  it("prunes trees no longer needed and checks them out again on demand", async () => {
    const keep = await source.checkout(repo.path, second);
    await source.checkout(repo.path, first);
    expect(await pruneTrees(stateDir, [second])).toEqual([first]);
    expect(existsSync(join(stateDir, "trees", first))).toBe(false);
    expect(existsSync(keep)).toBe(true);
    expect(readFileSync(join(await source.checkout(repo.path, first), "apps/web.yaml"), "utf8")).toBe("kind: Application\n");
  });

  it("refuses to check out anything but a full SHA", async () => {
    expect((await caught(source.checkout(repo.path, "main"))).code).toBe("GIT_REF_INVALID");
  });
});

describe("following a branch", () => {
  it("reports a force-push when the branch moved to a commit that does not descend from the old one", async () => {
    const repo = makeRepo(dir());
    const base = repo.commit({ "a.txt": "1" });
    const old = repo.commit({ "a.txt": "2" }, "will be rewritten");
    const events: SourceEvent[] = [];
    const source = createGitSource({ stateDir: dir(), onEvent: (e) => events.push(e) });
    expect((await source.resolve(repo.path, "main")).sha).toBe(old);

    const ahead = repo.commit({ "a.txt": "3" });
    expect((await source.resolve(repo.path, "main")).sha).toBe(ahead);
    expect(events).toEqual([]);

    repo.forcePush("main", base);
    const rewritten = repo.commit({ "a.txt": "rewritten" }, "rewritten history");
    const result = await source.fetch(repo.path);
    expect(result.events).toEqual([
      { type: "ForcePushed", repoURL: repo.path, ref: "refs/heads/main", from: ahead, to: rewritten },
    ]);
    expect(events).toEqual(result.events);
    expect((await source.resolve(repo.path, "main")).sha).toBe(rewritten);
  });

  it("forgets branches and tags deleted on the remote", async () => {
    const repo = makeRepo(dir());
    repo.commit({ "a.txt": "1" });
    repo.branch("gone");
    repo.tag("v0");
    const source = createGitSource({ stateDir: dir() });
    await source.resolve(repo.path, "gone");
    repo.git("branch", "-D", "gone");
    repo.git("tag", "-d", "v0");
    expect((await caught(source.resolve(repo.path, "gone"))).code).toBe("GIT_REF_NOT_FOUND");
    expect((await caught(source.resolve(repo.path, "v0"))).code).toBe("GIT_REF_NOT_FOUND");
  });
});

describe("a remote served over git://", () => {
  let daemon: GitDaemon;
  let work: TestRepo;
  let served: string;

  beforeAll(async () => {
    const base = dir("capstan-served-");
    work = makeRepo(dir());
    work.commit({ "apps/web.yaml": "v: 1\n" }, "initial");
    served = join(base, "deploy.git");
    execFileSync("git", ["clone", "--quiet", "--bare", work.path, served]);
    work.git("remote", "add", "origin", served);
    daemon = await startGitDaemon(base);
  });
  afterAll(async () => {
    await daemon?.stop();
  });

  it("fetches from the remote, follows new commits pushed to it and checks them out", async () => {
    const source = createGitSource({ stateDir: dir() });
    const url = daemon.url("deploy.git");
    const one = await source.resolve(url, "main");
    expect(one.sha).toBe(work.head());
    const next = work.commit({ "apps/web.yaml": "v: 2\n" }, "bump");
    work.git("push", "--quiet", "origin", "main");
    const two = await source.resolve(url, "main");
    expect(two.sha).toBe(next);
    const tree = await source.checkout(url, two.sha);
    expect(readFileSync(join(tree, "apps/web.yaml"), "utf8")).toBe("v: 2\n");
  });

  it("serializes concurrent fetches of one repository so none of them fails", async () => {
    const source = createGitSource({ stateDir: dir() });
    const url = daemon.url("deploy.git");
    const results = await Promise.all([
      source.fetch(url),
      source.fetch(url),
      source.resolve(url, "main"),
      source.fetch(url),
      source.resolve(url, "HEAD"),
    ]);
    expect(results).toHaveLength(5);
  });

  it("waits while another process holds the repository's lock file", async () => {
    const stateDir = dir();
    const source = createGitSource({ stateDir });
    const url = daemon.url("deploy.git");
    await source.fetch(url);
    const lock = join(stateDir, "repos", `${mirrorName(parseRepoURL(url))}.git.lock`);
    writeFileSync(lock, String(process.pid));
    let finished = false;
    const fetching = source.fetch(url).then(() => {
      finished = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(finished).toBe(false);
    execFileSync("rm", [lock]);
    await fetching;
    expect(finished).toBe(true);
  });
});

describe("a repository locked by another process", () => {
  it("gives up with GIT_TIMEOUT naming the URL when the lock is never released", async () => {
    const repo = makeRepo(dir());
    repo.commit({ "a.txt": "1" });
    const stateDir = dir();
    const source = createGitSource({ stateDir, timeoutMs: 300 });
    await source.fetch(repo.path);
    const lock = join(stateDir, "repos", `${mirrorName(parseRepoURL(repo.path))}.git.lock`);
    writeFileSync(lock, String(process.pid));
    const err = await caught(source.fetch(repo.path));
    expect(err.code).toBe("GIT_TIMEOUT");
    expect(err.message).toContain(`git fetch for ${repo.path} waited too long for another Capstan process`);
    execFileSync("rm", [lock]);
  });
});

describe("remotes that fail", () => {
  it("reports an unreachable remote as GIT_FAILED naming the URL, within the timeout", async () => {
    const port = await freePort();
    const source = createGitSource({ stateDir: dir(), timeoutMs: 10_000 });
    const started = Date.now();
    const err = await caught(source.resolve(`git://127.0.0.1:${port}/deploy.git`, "main"));
    expect(err.code).toBe("GIT_FAILED");
    expect(err.message).toContain(`git fetch for git://127.0.0.1:${port}/deploy.git failed`);
    expect(err.message).toContain("(check the URL and that the remote is reachable)");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("gives up on a remote that never answers with GIT_TIMEOUT naming the URL", async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((s) => sockets.push(s));
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
    );
    try {
      const source = createGitSource({ stateDir: dir(), timeoutMs: 1000 });
      const started = Date.now();
      const err = await caught(source.fetch(`git://127.0.0.1:${port}/silent.git`));
      expect(err.code).toBe("GIT_TIMEOUT");
      expect(err.message).toContain(`git fetch for git://127.0.0.1:${port}/silent.git did not finish within 1 s`);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it("never shows or stores credentials given in the URL", async () => {
    const port = await freePort();
    const stateDir = dir();
    const source = createGitSource({ stateDir, timeoutMs: 10_000 });
    const err = await caught(source.fetch(`https://deploy-bot:tok3n-s3cret@127.0.0.1:${port}/deploy.git`));
    expect(err.code).toBe("GIT_FAILED");
    expect(err.message).toContain(`https://127.0.0.1:${port}/deploy.git`);
    expect(err.message).not.toContain("tok3n-s3cret");
    expect(filesContaining(stateDir, "tok3n-s3cret")).toEqual([]);
  });

  it("refuses ext:: and fd:: URLs and plain http before running git", async () => {
    const source = createGitSource({ stateDir: dir() });
    expect((await caught(source.fetch("ext::sh -c touch% /tmp/capstan-pwned"))).code).toBe("GIT_URL_REFUSED");
    expect(existsSync("/tmp/capstan-pwned")).toBe(false);
    expect((await caught(source.resolve("fd::3", "main"))).code).toBe("GIT_URL_REFUSED");
    expect((await caught(source.resolve("-uhttps://x", "main"))).code).toBe("GIT_URL_REFUSED");
    const http = await caught(source.resolve("http://127.0.0.1/deploy.git", "main"));
    expect(http.code).toBe("GIT_URL_REFUSED");
    expect(http.message).toContain("allowInsecureHttp");
  });
});
