/**
 * Which credential, if any, git may present for a repository URL. Credentials are configured per URL
 * prefix (Argo CD's repository credential templates) or for exactly one repository; a URL that is not
 * under a prefix gets nothing, so a commit naming `http://attacker/x.git` receives no secret.
 *
 * Matching is by location, not by text: scheme and host compare case-insensitively (default ports
 * dropped), userinfo is ignored, and a prefix ends at a path boundary (`https://h/team` covers
 * `https://h/team/app.git`, never `https://h/team-evil/x.git`). A URL whose path could be read two
 * ways (`..`, encoded `/`, backslashes, a query) matches nothing.
 */

/** A secret named by the operator: given as is (URL userinfo), read from a file, or from the environment. */
export type SecretSource = { value: string } | { file: string } | { env: string };

export interface RepoCredential {
  /** URL prefix (`https://git.example.com/team/`, `git@git.example.com:team/`), or the repository when `exact`. */
  url: string;
  /** Only the repository `url` names (userinfo, a trailing `/` and `.git` aside), nothing under it. */
  exact?: boolean;
  /** HTTPS user name (default `x-access-token`). */
  username?: string;
  /** HTTPS token or password: sent to http(s) URLs only. */
  password?: SecretSource;
  /** Private key: offered to ssh and scp-style URLs only. */
  sshKeyPath?: string;
  /** Where the credential was configured, for messages (`credentials[2]`, `CAPSTAN_GIT_TOKEN`). */
  from?: string;
}

/** What one git call presents to its remote, secrets read. */
export type GitCallCredential =
  | { kind: "password"; username: string; password: string; from: string }
  | { kind: "ssh"; keyPath: string; from: string };

export interface RepoLocation {
  /** `https`, `http`, `ssh` (scp-like and `git+ssh` included), `git`, `file`. */
  scheme: string;
  /** Lower-case host, with `:port` unless it is the scheme's default. */
  host: string;
  /** Path segments, percent-decoded; no empty segments. */
  segments: string[];
}

const DEFAULT_PORTS: Record<string, number> = { https: 443, http: 80, ssh: 22, git: 9418 };
const URL_FORM = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/]*)(\/.*)?$/s;
const SCP_FORM = /^(?:[^@/:]+@)?([^@/:]+):(?!\/\/)(.*)$/s;
const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::(\d{1,5}))?$/;

/** Where a repository URL points, or undefined when it could be read more than one way. */
export function repoLocation(url: string): RepoLocation | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\\?#\s\x00-\x1f\x7f]/.test(url)) return undefined;
  let scheme: string;
  let authority: string;
  let path: string;
  const full = URL_FORM.exec(url);
  const scp = full ? null : SCP_FORM.exec(url);
  if (full) {
    scheme = (full[1] ?? "").toLowerCase();
    authority = full[2] ?? "";
    path = full[3] ?? "";
  } else if (scp) {
    scheme = "ssh";
    authority = scp[1] ?? "";
    const rest = scp[2] ?? "";
    path = rest.startsWith("/") ? rest : `/${rest}`;
  } else {
    return undefined;
  }
  if (scheme === "git+ssh" || scheme === "ssh+git") scheme = "ssh";
  const at = authority.indexOf("@");
  // Two `@`s: parsers differ about where the host starts.
  if (at !== authority.lastIndexOf("@")) return undefined;
  const hostPort = HOST.exec(authority.slice(at + 1).toLowerCase());
  if (!hostPort) return undefined;
  const port = hostPort[2] === undefined ? undefined : Number(hostPort[2]);
  const host = port === undefined || port === DEFAULT_PORTS[scheme] ? (hostPort[1] as string) : `${hostPort[1]}:${port}`;
  const raw = path.split("/").slice(1);
  if (raw.length > 0 && raw[raw.length - 1] === "") raw.pop();
  const segments: string[] = [];
  for (const s of raw) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(s);
    } catch {
      return undefined;
    }
    if (decoded === "" || decoded === "." || decoded === ".." || /[/\\]/.test(decoded)) return undefined;
    segments.push(decoded);
  }
  return { scheme, host, segments };
}

function withoutGit(segment: string): string {
  return segment.replace(/\.git$/, "");
}

function sameOrigin(a: RepoLocation, b: RepoLocation): boolean {
  return a.scheme === b.scheme && a.host === b.host;
}

/**
 * Whether `url` is under `prefix`: same scheme and host, and the prefix's path segments begin the
 * URL's (the last may differ by `.git` when it names the repository itself).
 */
export function isUnderPrefix(url: string, prefix: string): boolean {
  const u = repoLocation(url);
  const p = repoLocation(prefix);
  if (!u || !p || !sameOrigin(u, p) || p.segments.length > u.segments.length) return false;
  return p.segments.every((seg, i) => {
    const other = u.segments[i] as string;
    return seg === other || (i === u.segments.length - 1 && withoutGit(seg) === withoutGit(other));
  });
}

/** Whether two URLs name one repository: userinfo, a trailing `/` and `.git` aside. */
export function isSameRepository(a: string, b: string): boolean {
  const x = repoLocation(a);
  const y = repoLocation(b);
  if (!x || !y || !sameOrigin(x, y) || x.segments.length !== y.segments.length) return false;
  const last = x.segments.length - 1;
  return x.segments.every((seg, i) => (i === last ? withoutGit(seg) === withoutGit(y.segments[i] as string) : seg === y.segments[i]));
}

/**
 * The credential for a repository URL: passwords for http(s) URLs, keys for ssh and scp-style URLs.
 * A credential for exactly that repository wins (the first listed, as Argo CD's repository
 * credentials win over its templates), then the longest matching prefix (the first listed on a tie).
 */
export function credentialFor(url: string, credentials: readonly RepoCredential[]): RepoCredential | undefined {
  const where = repoLocation(url);
  if (!where) return undefined;
  const usable =
    where.scheme === "https" || where.scheme === "http"
      ? (c: RepoCredential) => c.password !== undefined
      : where.scheme === "ssh"
        ? (c: RepoCredential) => c.sshKeyPath !== undefined
        : () => false;
  const exact = credentials.find((c) => c.exact && usable(c) && isSameRepository(url, c.url));
  if (exact) return exact;
  let best: RepoCredential | undefined;
  let bestLength = -1;
  for (const c of credentials) {
    if (c.exact || !usable(c) || !isUnderPrefix(url, c.url)) continue;
    const length = repoLocation(c.url)?.segments.length ?? -1;
    if (length > bestLength) {
      best = c;
      bestLength = length;
    }
  }
  return best;
}

/** `scheme://host[:port]` of a URL as written, which is how git names it in credential prompts. */
export function promptOrigin(url: string): string | undefined {
  const m = URL_FORM.exec(url);
  if (!m) return undefined;
  const authority = m[2] ?? "";
  return `${m[1]}://${authority.slice(authority.lastIndexOf("@") + 1)}`;
}
