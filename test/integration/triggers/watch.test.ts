import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { watchRepository } from "../../../src/triggers/watch.js";
import type { RepoWatch } from "../../../src/triggers/watch.js";
import { makeRepo, removeDir, tempDir } from "../../helpers/git.js";

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** Resolves with the time of the next callback, or rejects after `ms`. */
function nextCall(calls: { at: number; repo: string }[], from: number, ms: number): Promise<{ at: number; repo: string }> {
  return new Promise((resolve, reject) => {
    const end = Date.now() + ms;
    const look = () => {
      const hit = calls.find((c) => c.at >= from);
      if (hit) return resolve(hit);
      if (Date.now() > end) return reject(new Error(`no watch callback within ${ms} ms`));
      setTimeout(look, 10);
    };
    look();
  });
}

async function watched(path: string) {
  const calls: { at: number; repo: string }[] = [];
  const w: RepoWatch = await watchRepository(path, (repo) => calls.push({ at: Date.now(), repo }));
  cleanup.push(() => w.stop());
  return { calls, w };
}

describe("file watch on local repositories", () => {
  it("fires within a second of a git commit, once per burst, with the repository path", async () => {
    const repo = makeRepo();
    cleanup.push(() => removeDir(repo.path));
    repo.commit({ "apps/web.yaml": "kind: Application\n" });
    const { calls } = await watched(repo.path);
    const t0 = Date.now();
    repo.commit({ "apps/web.yaml": "kind: Application\nmetadata: {name: web}\n" });
    const hit = await nextCall(calls, t0, 1000);
    expect(hit.at - t0).toBeLessThan(1000);
    expect(hit.repo).toBe(repo.path);
    await new Promise((r) => setTimeout(r, 400));
    expect(calls.length).toBe(1);
  });

  it("fires on a new branch, a branch switch, a tag and packed refs, but not on a change to the work tree alone", async () => {
    const repo = makeRepo();
    cleanup.push(() => removeDir(repo.path));
    repo.commit({ "a.txt": "1" });
    const { calls } = await watched(repo.path);

    let t = Date.now();
    execFileSync("sh", ["-c", "echo edit > a.txt"], { cwd: repo.path });
    // Staging rewrites .git/index and adds an object: neither moves a branch.
    repo.git("add", "--all");
    await new Promise((r) => setTimeout(r, 500));
    expect(calls.filter((c) => c.at >= t)).toEqual([]);

    t = Date.now();
    repo.branch("feature/x");
    await nextCall(calls, t, 1000);

    t = Date.now();
    repo.switchTo("feature/x");
    await nextCall(calls, t, 1000);

    t = Date.now();
    repo.tag("v1.0.0");
    await nextCall(calls, t, 1000);

    t = Date.now();
    repo.git("pack-refs", "--all");
    await nextCall(calls, t, 1000);
  });

  it("watches a bare repository a push lands in", async () => {
    const bare = join(tempDir("capstan-bare-"), "deploy.git");
    execFileSync("git", ["init", "--bare", "--quiet", "--initial-branch=main", bare]);
    cleanup.push(() => removeDir(join(bare, "..")));
    const work = makeRepo();
    cleanup.push(() => removeDir(work.path));
    work.commit({ "x.txt": "1" });
    work.git("remote", "add", "origin", bare);
    const { calls, w } = await watched(bare);
    expect(w.gitDir).toBe(bare);
    const t = Date.now();
    work.git("push", "--quiet", "origin", "main");
    const hit = await nextCall(calls, t, 1000);
    expect(hit.repo).toBe(bare);
  });

  it("watches a linked worktree's HEAD and the shared branch refs", async () => {
    const repo = makeRepo();
    cleanup.push(() => removeDir(repo.path));
    repo.commit({ "x.txt": "1" });
    const wt = join(tempDir("capstan-wt-"), "wt");
    cleanup.push(() => removeDir(join(wt, "..")));
    repo.git("worktree", "add", "--quiet", "-b", "wt-branch", wt);
    const { calls, w } = await watched(wt);
    expect(w.commonDir).toBe(join(repo.path, ".git"));
    const t = Date.now();
    execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@e", "commit", "--quiet", "--allow-empty", "-m", "in worktree"], { cwd: wt });
    await nextCall(calls, t, 1000);
  });

  it("stops calling after stop(), and refuses a directory that is not a repository", async () => {
    const repo = makeRepo();
    cleanup.push(() => removeDir(repo.path));
    repo.commit({ "x.txt": "1" });
    const calls: number[] = [];
    const w = await watchRepository(repo.path, () => calls.push(Date.now()));
    await w.stop();
    repo.commit({ "x.txt": "2" });
    await new Promise((r) => setTimeout(r, 400));
    expect(calls).toEqual([]);
    const plain = tempDir("capstan-plain-");
    cleanup.push(() => removeDir(plain));
    await expect(watchRepository(plain, () => undefined)).rejects.toMatchObject({ code: "GIT_FAILED", message: expect.stringContaining("not a git repository") });
  });
});
