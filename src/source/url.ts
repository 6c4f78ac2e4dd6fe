import { isAbsolute, resolve } from "node:path";
import { CapstanError } from "../errors.js";

/** How a repository is reached; decides which transports git may use for it. */
export type RepoTransport = "https" | "http" | "ssh" | "git" | "file";

export interface RepoURL {
  /**
   * The URL as git receives it (local paths made absolute). Never carries a password: http(s)
   * userinfo moves to `credentials`; an ssh login name (`ssh://git@host/…`) stays, it is no secret.
   */
  url: string;
  /** The same URL with any userinfo removed: safe to log, print, hash and store. */
  display: string;
  transport: RepoTransport;
  /** `user:password@` given in an http(s) URL: sent for this URL only, never stored or shown. */
  credentials?: URLCredentials;
}

/** A user name and password taken out of a URL's userinfo (percent-decoded). */
export interface URLCredentials {
  username: string;
  password: string;
}

export interface RepoURLOptions {
  /** Allow plain `http://` (off by default: credentials and content would travel in clear). */
  allowInsecureHttp?: boolean;
  /** Directory against which relative local paths resolve. */
  cwd?: string;
}

// scp-like syntax as git reads it: `[user@]host:path`, with no slash before the first colon.
const SCP_LIKE = /^(?:[A-Za-z0-9._~-]+@)?[A-Za-z0-9.-]+:(?!\/\/)[^\s]+$/;
// `<transport>::<address>` hands the address to a remote helper (`ext::` runs a command).
const REMOTE_HELPER = /^[A-Za-z][A-Za-z0-9+.-]*::/;

/**
 * Removes `user:password@` from URLs, wherever they appear in a text (error messages from git included).
 * Up to the last `@` before the path, as URL parsers split, so an unencoded `@` in a password leaks nothing.
 */
export function redactURL(text: string): string {
  return text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/\s]*@/g, "$1");
}

// `scheme://` + authority + the rest. The authority runs to the first `/`, not to `?`, `#` or `\` as
// URL parsers differ about those: an unencoded one in a password must still be stripped with it.
const WITH_AUTHORITY = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/]*)(.*)$/s;

/** One URL without its `user:password@`; scp-like addresses and local paths are returned as they are. */
export function stripUserinfo(url: string): string {
  const m = WITH_AUTHORITY.exec(url);
  if (!m) return url;
  const authority = m[2] ?? "";
  const at = authority.lastIndexOf("@");
  return at === -1 ? url : `${m[1]}${authority.slice(at + 1)}${m[3] ?? ""}`;
}

function percentDecoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Splits a URL given with userinfo (`--repo https://bot:TOKEN@host/x.git`, or `daemon.repo`) into the
 * URL to keep and show, and the credentials to use for exactly that repository. Only http(s) userinfo
 * is a credential; an ssh URL keeps its login name (`ssh://git@host/…`) and loses any password (ssh
 * runs in batch mode and never uses one); other schemes lose their userinfo.
 */
export function splitUserinfo(url: string): { url: string; credentials?: URLCredentials } {
  const m = WITH_AUTHORITY.exec(url);
  const authority = m?.[2] ?? "";
  const at = authority.lastIndexOf("@");
  if (!m || at === -1) return { url };
  const scheme = (m[1] ?? "").slice(0, -3).toLowerCase();
  const userinfo = authority.slice(0, at);
  const colon = userinfo.indexOf(":");
  const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
  const stripped = stripUserinfo(url);
  if (scheme === "https" || scheme === "http") {
    const password = colon === -1 ? "" : userinfo.slice(colon + 1);
    return { url: stripped, credentials: { username: percentDecoded(user), password: percentDecoded(password) } };
  }
  if ((scheme === "ssh" || scheme === "git+ssh" || scheme === "ssh+git") && user !== "") {
    return { url: `${m[1]}${user}@${authority.slice(at + 1)}${m[3] ?? ""}` };
  }
  return { url: stripped };
}

function refuse(url: string, why: string): never {
  throw new CapstanError(
    "GIT_URL_REFUSED",
    `repository URL ${JSON.stringify(redactURL(url))} refused: ${why} ` +
      "(use https://, ssh://, git@host:path, git://, file:// or a local path)",
  );
}

/**
 * Checks a repository URL before git sees it. Remote helpers (`ext::`, `fd::`, any `x::`),
 * option-looking values (`-u…`, `--upload-pack=…`) and control characters are refused outright,
 * because git would run commands or read them as options.
 */
export function parseRepoURL(raw: string, options: RepoURLOptions = {}): RepoURL {
  if (typeof raw !== "string" || raw.length === 0) refuse(String(raw), "it is empty");
  if (raw.startsWith("-")) refuse(raw, "it starts with '-' and git would read it as an option");
  if (REMOTE_HELPER.test(raw)) {
    const helper = raw.slice(0, raw.indexOf("::"));
    refuse(raw, `the '${helper}::' remote-helper form can run arbitrary commands`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(raw)) refuse(raw, "it contains whitespace or control characters");
  if (/--upload-pack|--receive-pack|--config|-c\s*protocol/i.test(raw)) {
    refuse(raw, "it carries git options");
  }
  // `https://a\@b/`: curl and WHATWG URL disagree about which host that is, so credentials could go astray.
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*\\/.test(raw)) refuse(raw, "it has a backslash before its path");

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(raw)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      refuse(raw, "it is not a valid URL");
    }
    const display = stripUserinfo(raw);
    // git never sees a password in a URL: it would land in its messages and argv.
    const { url, credentials } = splitUserinfo(raw);
    switch (scheme) {
      case "https":
        return { url, display, transport: "https", ...(credentials ? { credentials } : {}) };
      case "http":
        if (!options.allowInsecureHttp) {
          refuse(raw, "plain http is off (set allowInsecureHttp in the configuration to allow it)");
        }
        return { url, display, transport: "http", ...(credentials ? { credentials } : {}) };
      case "ssh":
      case "git+ssh":
      case "ssh+git":
        if (parsed.hostname.startsWith("-")) refuse(raw, "its host starts with '-'");
        return { url, display, transport: "ssh" };
      case "git":
        return { url, display, transport: "git" };
      case "file":
        return { url, display, transport: "file" };
      default:
        refuse(raw, `the '${scheme}' scheme is not supported`);
    }
  }

  // Local paths first: `./repo`, `/srv/repo`, `repo` (git treats `a:b` as scp-like only without a slash before the colon).
  const colon = raw.indexOf(":");
  const slash = raw.indexOf("/");
  const looksScp = colon > 0 && (slash === -1 || colon < slash);
  if (looksScp) {
    if (!SCP_LIKE.test(raw)) refuse(raw, "it is neither a URL, an scp-like address nor a local path");
    const host = raw.slice(raw.indexOf("@") + 1, raw.indexOf(":"));
    // ssh would read a host starting with '-' as an option (-oProxyCommand=…).
    if (host.startsWith("-")) refuse(raw, "its host starts with '-'");
    return { url: raw, display: raw, transport: "ssh" };
  }
  const path = isAbsolute(raw) ? raw : resolve(options.cwd ?? process.cwd(), raw);
  return { url: path, display: path, transport: "file" };
}

/** Transports git may use for this URL (GIT_ALLOW_PROTOCOL), so a redirect or submodule cannot switch to another. */
export function allowedProtocols(url: RepoURL): string {
  const base = ["https", "ssh", "git", "file"];
  if (url.transport === "http") base.push("http");
  return base.join(":");
}
