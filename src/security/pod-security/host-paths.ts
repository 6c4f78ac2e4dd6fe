import { posix } from "node:path";

/**
 * Host paths compared as the kernel would resolve them lexically: `..`, `.`, repeated and
 * trailing slashes removed, so `/srv/data/../../etc` is `/etc` and not below `/srv/data`.
 * Undefined for anything that is not an absolute path (it can match no exception).
 */
export function normalizeHostPath(path: unknown): string | undefined {
  if (typeof path !== "string" || !path.startsWith("/") || path.includes("\0")) return undefined;
  const p = posix.normalize(path);
  return p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p;
}

/** True when `path` is `root` or below it; both normalized first. */
export function isWithin(path: string, root: string): boolean {
  const p = normalizeHostPath(path);
  const r = normalizeHostPath(root);
  if (p === undefined || r === undefined) return false;
  return r === "/" || p === r || p.startsWith(`${r}/`);
}

/** The exception entry that covers `path`, if any. */
export function coveringHostPath(path: string, allowed: readonly string[] | undefined): string | undefined {
  return (allowed ?? []).find((root) => isWithin(path, root));
}

/** Where Docker engines keep their API socket (rootful; rootless ones live under /run/user/UID). */
const DOCKER_SOCKETS = ["/var/run/docker.sock", "/run/docker.sock", "/var/run/docker", "/run/docker"];

/**
 * True when mounting `path` hands the container the Docker API: the socket itself, a directory
 * holding it (`/var/run`, `/run`, `/`), or any `docker.sock`. Whoever holds it is root on the host.
 */
export function exposesDockerSocket(path: string): boolean {
  const p = normalizeHostPath(path);
  if (p === undefined) return false;
  if (DOCKER_SOCKETS.some((s) => isWithin(p, s) || isWithin(s, p))) return true;
  if (posix.basename(p) === "docker.sock") return true;
  // Rootless engines: /run/user/UID/docker.sock; mounting /run/user or /run/user/UID exposes it.
  return /^\/run\/user(\/[^/]+)?$/.test(p);
}
