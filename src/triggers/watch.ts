/**
 * Watching a local repository for new commits (chokidar): HEAD, branch and tag refs, packed-refs,
 * nothing else of `.git`, so object writes and index updates do not wake the daemon. Bursts (git
 * writes `main.lock`, then renames it) are folded into one call after a short quiet period.
 */
import { watch } from "chokidar";
import type { FSWatcher } from "chokidar";
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { CapstanError } from "../errors.js";

export const DEFAULT_WATCH_DEBOUNCE_MS = 100;

export interface WatchOptions {
  /** Quiet time before the callback, 100 ms by default. */
  debounceMs?: number;
  onError?: (err: unknown, repo: string) => void;
}

export interface RepoWatch {
  readonly repo: string;
  /** The directories watched: where HEAD lives, and where the branch refs live (they differ for worktrees). */
  readonly gitDir: string;
  readonly commonDir: string;
  stop(): Promise<void>;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `.git` of a work tree (a directory, or a `gitdir:` file for worktrees and submodules), or the bare repository itself. */
export function gitDirsOf(repo: string): { gitDir: string; commonDir: string } {
  const dotGit = join(repo, ".git");
  let gitDir: string | undefined;
  if (isDir(dotGit)) gitDir = dotGit;
  else if (existsSync(dotGit)) {
    const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, "utf8"));
    if (m?.[1]) gitDir = resolve(repo, m[1].trim());
  } else if (existsSync(join(repo, "HEAD")) && isDir(join(repo, "refs"))) gitDir = repo;
  if (gitDir === undefined || !existsSync(join(gitDir, "HEAD"))) {
    throw new CapstanError("GIT_FAILED", `${repo}: not a git repository (no .git directory, and not a bare repository with HEAD and refs/); watch only works for local repositories`);
  }
  const commonFile = join(gitDir, "commondir");
  const commonDir = existsSync(commonFile) ? resolve(gitDir, readFileSync(commonFile, "utf8").trim()) : gitDir;
  return { gitDir, commonDir };
}

/** Whether a path in a git directory can say that a branch moved. */
function relevant(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return rel === "";
  if (rel.endsWith(".lock")) return false;
  const parts = rel.split(sep);
  if (parts.length === 1) return parts[0] === "HEAD" || parts[0] === "packed-refs" || parts[0] === "refs";
  // Tags too: an Application may follow one, and moving it is a change to deploy.
  return parts[0] === "refs" && (parts[1] === "heads" || parts[1] === "tags");
}

/** Calls `onChange(repo)` when a branch, a tag, HEAD or packed-refs of the local repository changes. Resolves once watching. */
export async function watchRepository(repo: string, onChange: (repo: string) => void, options: WatchOptions = {}): Promise<RepoWatch> {
  const root = resolve(repo);
  const { gitDir, commonDir } = gitDirsOf(root);
  const debounceMs = options.debounceMs ?? DEFAULT_WATCH_DEBOUNCE_MS;
  const dirs = [...new Set([gitDir, commonDir])];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const watcher: FSWatcher = watch(dirs, {
    ignoreInitial: true,
    persistent: true,
    ignored: (path: string) => !dirs.some((d) => relevant(d, path)),
  });
  const fire = () => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!stopped) onChange(root);
    }, debounceMs);
  };
  watcher.on("all", (event) => {
    if (event === "add" || event === "change" || event === "unlink") fire();
  });
  watcher.on("error", (err) => (options.onError ?? (() => undefined))(err, root));
  await new Promise<void>((resolveReady) => watcher.once("ready", () => resolveReady()));

  return {
    repo: root,
    gitDir,
    commonDir,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await watcher.close();
    },
  };
}
