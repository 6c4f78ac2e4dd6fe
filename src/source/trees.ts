import { randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { GitRunner } from "./git-run.js";
import type { RepoURL } from "./url.js";

export const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function makeReadOnly(path: string): Promise<void> {
  const info = await lstat(path);
  if (info.isSymbolicLink()) return;
  if (info.isDirectory()) {
    for (const entry of await readdir(path)) await makeReadOnly(join(path, entry));
    await chmod(path, 0o555);
  } else {
    await chmod(path, info.mode & 0o111 ? 0o555 : 0o444);
  }
}


/**
 * Writes the tree of commit `sha` from the bare mirror `mirror` to `<treesDir>/<sha>`, read-only.
 * A private index and `checkout-index` are used rather than `git worktree` (which would register
 * the tree in the mirror) or `git archive` (which applies export-ignore/export-subst attributes).
 * Symlinks are kept as links; whoever reads the tree checks they stay inside it.
 */
export async function extractTree(git: GitRunner, mirror: string, url: RepoURL, sha: string, treesDir: string): Promise<string> {
  const target = join(treesDir, sha);
  await mkdir(treesDir, { recursive: true, mode: 0o700 });
  const tmp = join(treesDir, `.tmp-${sha}-${randomBytes(4).toString("hex")}`);
  const index = `${tmp}.index`;
  await mkdir(tmp);
  try {
    const env = { GIT_INDEX_FILE: index, GIT_WORK_TREE: tmp };
    await git(mirror, ["read-tree", sha], { url, what: "read-tree", env });
    await git(mirror, ["checkout-index", "--all", "--force"], { url, what: "checkout-index", env });
    await makeReadOnly(tmp);
    try {
      await rename(tmp, target);
    } catch (err) {
      // Another process made the same tree first: theirs is identical, keep it.
      if (!(await exists(target))) throw err;
      await removeTree(tmp);
    }
  } catch (err) {
    await removeTree(tmp);
    throw err;
  } finally {
    await rm(index, { force: true });
  }
  return target;
}

/** Deletes a tree made read-only by checkout (write permission is restored first). */
export async function removeTree(path: string): Promise<void> {
  const restore = async (p: string): Promise<void> => {
    const info = await lstat(p).catch(() => undefined);
    if (!info || info.isSymbolicLink()) return;
    if (info.isDirectory()) {
      await chmod(p, 0o755);
      for (const entry of await readdir(p)) await restore(join(p, entry));
    }
  };
  await restore(path);
  await rm(path, { recursive: true, force: true });
}

/**
 * Deletes checked-out trees under `<stateDir>/trees` whose commit is not in `keep`, and leftovers of
 * interrupted checkouts older than an hour. Returns the SHAs removed. Mirrors are left alone.
 */
export async function pruneTrees(stateDir: string, keep: Iterable<string>): Promise<string[]> {
  const treesDir = join(stateDir, "trees");
  const kept = new Set(keep);
  const entries = await readdir(treesDir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of entries) {
    const path = join(treesDir, name);
    if (name.startsWith(".tmp-")) {
      const info = await lstat(path).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > 3_600_000) await removeTree(path);
      continue;
    }
    if (!FULL_SHA.test(name) || kept.has(name)) continue;
    await removeTree(path);
    removed.push(name);
  }
  return removed.sort();
}
