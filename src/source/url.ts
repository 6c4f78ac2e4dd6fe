import { isAbsolute, resolve } from "node:path";
import { CapstanError } from "../errors.js";

/** How a repository is reached; decides which transports git may use for it. */
export type RepoTransport = "https" | "http" | "ssh" | "git" | "file";

export interface RepoURL {
  /** The URL as git receives it (local paths made absolute). Carries userinfo when the user gave it. */
  url: string;
  /** The same URL with any userinfo removed: safe to log, print, hash and store. */
  display: string;
  transport: RepoTransport;
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

/** Removes `user:password@` from URLs, wherever they appear in a text (error messages from git included). */
export function redactURL(text: string): string {
  return text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@\s]*@/g, "$1");
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

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(raw)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      refuse(raw, "it is not a valid URL");
    }
    const display = redactURL(raw);
    switch (scheme) {
      case "https":
        return { url: raw, display, transport: "https" };
      case "http":
        if (!options.allowInsecureHttp) {
          refuse(raw, "plain http is off (set allowInsecureHttp in the configuration to allow it)");
        }
        return { url: raw, display, transport: "http" };
      case "ssh":
      case "git+ssh":
      case "ssh+git":
        if (parsed.hostname.startsWith("-")) refuse(raw, "its host starts with '-'");
        return { url: raw, display, transport: "ssh" };
      case "git":
        return { url: raw, display, transport: "git" };
      case "file":
        return { url: raw, display, transport: "file" };
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
