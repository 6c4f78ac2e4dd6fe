import { existsSync, lstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import * as path from "node:path";
import { CapstanError } from "../errors.js";

/**
 * Repository containment. Every chart path, value file, subchart and `.Files` entry resolves
 * inside the repository root: absolute paths mean repository-relative, `..` cannot climb out,
 * and symlinks are followed one component at a time so a link pointing outside is refused
 * before anything outside is touched. The error names only what the user wrote, never where
 * it led, so the existence of outside files cannot be probed.
 */

const MAX_LINKS = 40;

export function outsideRepo(requested: string): CapstanError {
  return new CapstanError(
    "PATH_OUTSIDE_REPO",
    `${requested}: path resolves outside the repository; use a path inside the repository (symlinks out of it are refused)`,
  );
}

function isInside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** Splits a user path into components, treating an absolute path as repository-relative. */
function components(p: string): string[] {
  return p.split(/[\\/]+/).filter((c) => c !== "" && c !== ".");
}

/**
 * Resolves `requested` (relative to `base`, itself repository-relative) inside `root`.
 * Returns the real absolute path (the file may not exist; then the lexical path inside the root).
 */
export async function resolveInRepo(root: string, requested: string, base = ""): Promise<string> {
  return resolveInRepoSync(root, requested, base);
}

/** Synchronous form of resolveInRepo. */
export function resolveInRepoSync(root: string, requested: string, base = ""): string {
  const realRoot = realpathSync(root);
  const start = path.isAbsolute(requested) ? [] : components(base);
  const queue = [...start, ...components(requested)];
  let cur = realRoot;
  let links = 0;
  while (queue.length > 0) {
    const part = queue.shift() as string;
    if (part === "..") {
      if (cur === realRoot) throw outsideRepo(requested);
      cur = path.dirname(cur);
      continue;
    }
    const next = path.join(cur, part);
    let st;
    try {
      st = lstatSync(next);
    } catch {
      // Not there: the rest is lexical, still checked for `..`.
      const rest = path.resolve(next, ...queue);
      if (!isInside(realRoot, rest)) throw outsideRepo(requested);
      return rest;
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw outsideRepo(requested);
      const target = readlinkSync(next);
      if (path.isAbsolute(target)) {
        const normal = path.resolve(target);
        if (!isInside(realRoot, normal)) throw outsideRepo(requested);
        cur = realRoot;
        queue.unshift(...components(path.relative(realRoot, normal)));
      } else {
        queue.unshift(...components(target));
      }
      continue;
    }
    cur = next;
  }
  return cur;
}

/** Repository-relative form of an absolute path already known to be inside `realRoot`. */
export function repoRelative(realRoot: string, abs: string): string {
  return path.relative(realRoot, abs).split(path.sep).join("/");
}

/** The nearest enclosing git work tree of `cwd`, else `cwd` itself. */
export function findRepoRoot(cwd: string): string {
  let dir = path.resolve(cwd);
  for (;;) {
    if (existsSync(path.join(dir, ".git"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(cwd);
    dir = parent;
  }
}

export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
