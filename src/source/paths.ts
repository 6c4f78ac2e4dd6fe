import { realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { CapstanError } from "../errors.js";

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/**
 * Why a repository-relative path would leave the repository (absolute, or `..` climbing out),
 * judged on the text alone; undefined when it stays inside.
 */
export function lexicalPathProblem(relPath: string): string | undefined {
  if (relPath.includes("\0")) return "it contains a NUL character";
  if (isAbsolute(relPath) || /^[A-Za-z]:[\\/]/.test(relPath)) return "it is absolute";
  const root = resolve("/repo-root");
  if (!inside(root, resolve(root, relPath))) return "it climbs out of the repository with '..'";
  return undefined;
}

/**
 * Absolute path of `relPath` inside `root`, following symlinks and checking the target stays inside.
 * Throws PATH_OUTSIDE_REPO without naming where outside it pointed. A path that does not exist is
 * returned as is (lexically checked), so the caller can report it missing.
 */
export async function resolveInRepo(root: string, relPath: string, where: { file?: string; field?: string } = {}): Promise<string> {
  const fail = (why: string): never => {
    throw new CapstanError(
      "PATH_OUTSIDE_REPO",
      `${where.file ? `${where.file}: ` : ""}${where.field ? `${where.field}: ` : ""}path ${JSON.stringify(relPath)} is outside the repository: ${why} (use a path relative to the repository root)`,
      { problems: [{ file: where.file, field: where.field, message: `path ${JSON.stringify(relPath)} is outside the repository: ${why}` }] },
    );
  };
  const lexical = lexicalPathProblem(relPath);
  if (lexical) fail(lexical);
  const realRoot = await realpath(root);
  const joined = resolve(realRoot, relPath);
  const real = await realpath(joined).catch(() => undefined);
  if (real === undefined) return joined;
  if (!inside(realRoot, real)) fail("a symlink points outside");
  return real;
}
