/**
 * One spelling per repository, so a webhook naming `git@github.com:Acme/web.git` matches an
 * Application that says `https://github.com/Acme/web`. The key drops what differs between the
 * forms a host gives for one repository: scheme, user, port, `.git`, trailing slashes, host case.
 */

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const SCP = /^(?:[^@/:\s]+@)?([^@/:\s]+):(?!\/\/)(.+)$/;

function cleanPath(path: string): string {
  let p = path.replace(/\\/g, "/");
  p = p.replace(/\/+$/, "");
  p = p.replace(/\.git$/i, "");
  p = p.replace(/\/+$/, "");
  return p.replace(/^\/+/, "");
}

/**
 * `host/owner/repo` for a remote URL in any of its forms (https, http, ssh, git, scp-like), or
 * `file:/abs/path` for a local repository. Path case is kept: not every server ignores it.
 */
export function normalizeRepoURL(raw: string): string {
  const text = raw.trim();
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return text;
    }
    if (scheme === "file") return `file:/${cleanPath(decodeURIComponent(url.pathname))}`;
    return `${url.hostname.toLowerCase()}/${cleanPath(decodeURIComponent(url.pathname))}`;
  }
  const slash = text.indexOf("/");
  const colon = text.indexOf(":");
  if (colon > 0 && (slash === -1 || colon < slash)) {
    const m = SCP.exec(text);
    if (m) return `${(m[1] ?? "").toLowerCase()}/${cleanPath(m[2] ?? "")}`;
  }
  if (text.startsWith("/")) return `file:/${cleanPath(text)}`;
  return cleanPath(text);
}

export function sameRepo(a: string, b: string): boolean {
  return normalizeRepoURL(a) === normalizeRepoURL(b);
}

/** The configured repositories that any of the payload's URLs names. */
export function matchRepos(configured: readonly string[], payloadURLs: readonly string[]): string[] {
  const keys = new Set(payloadURLs.map(normalizeRepoURL));
  return configured.filter((c) => keys.has(normalizeRepoURL(c)));
}
