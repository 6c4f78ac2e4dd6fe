import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { simpleGit } from "simple-git";
import type { SimpleGitOptions } from "simple-git";
import { CapstanError } from "../errors.js";
import { ASKPASS_SCRIPT } from "./askpass.js";
import { promptOrigin } from "./credentials.js";
import type { GitCallCredential } from "./credentials.js";
import { allowedProtocols, redactURL } from "./url.js";
import type { RepoURL } from "./url.js";

export interface GitCallContext {
  /** The repository the call talks to or about: named (redacted) in errors, decides allowed transports. */
  url?: RepoURL;
  /** The git command, for messages (`fetch`, `read-tree`). */
  what: string;
  /** Extra variables for this call (GIT_INDEX_FILE, GIT_WORK_TREE). */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** What this call may present to `url`'s remote, chosen for that URL (see credentials.ts). */
  credential?: GitCallCredential;
}

/** Runs one git command in `baseDir` and returns its stdout; throws GIT_FAILED or GIT_TIMEOUT. */
export type GitRunner = (baseDir: string, args: string[], ctx: GitCallContext) => Promise<string>;

// Variables handed down to git from our own environment; everything else (GIT_DIR, GIT_CONFIG_*, PAGER…) is dropped.
const INHERITED_ENV = [
  "PATH",
  "HOME",
  "USER",
  "TMPDIR",
  "GIT_SSL_CAINFO",
  "GIT_SSL_CAPATH",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
];

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function isHttp(url: RepoURL | undefined): url is RepoURL {
  return url?.transport === "https" || url?.transport === "http";
}

/** What to do about the git failures users meet most. */
function failureHint(detail: string, ctx: GitCallContext): string {
  if (/could not read Username|could not read Password|Authentication failed|terminal prompts disabled|HTTP Basic: Access denied/i.test(detail)) {
    const elsewhere = /capstan: no credentials for ([^\s;']+)/.exec(detail)?.[1];
    if (ctx.credential && elsewhere !== undefined && ctx.url) {
      return ` (git was sent on to ${elsewhere}; the credentials of ${ctx.credential.from} go to ${promptOrigin(ctx.url.url) ?? ctx.url.display} only)`;
    }
    if (ctx.credential) return ` (the remote refused the credentials of ${ctx.credential.from}: check that they are current)`;
    const url = ctx.url ? ` with a url prefix covering ${ctx.url.display}` : "";
    return ` (the remote wants credentials: add an entry under credentials: in the configuration${url})`;
  }
  if (/Permission denied \(publickey/i.test(detail)) {
    return ctx.credential ? ` (the remote refused the SSH key of ${ctx.credential.from})` : " (configure an SSH key under credentials: in the configuration)";
  }
  if (/Host key verification failed/i.test(detail)) return " (add the host's key to ~/.ssh/known_hosts)";
  if (/Connection refused|Could not resolve host|unable to connect|Network is unreachable/i.test(detail)) {
    return " (check the URL and that the remote is reachable)";
  }
  return "";
}

/**
 * The one way Capstan runs git: through simple-git with its unsafe-option guards on, a minimal
 * environment (no inherited GIT_* settings), no prompts, a transport allow-list, credentials in the
 * environment of the call that was given them only, and a time bound on every call.
 */
export function createGitRunner(options: { stateDir: string; timeoutMs: number }): GitRunner {
  const { timeoutMs } = options;
  const askpassPath = join(options.stateDir, "askpass.sh");
  const gitHome = join(options.stateDir, "git-home");
  let askpass: Promise<void> | undefined;

  // Written once, atomically, so a git process never runs a half-written script. It holds no secret.
  function ensureAskpass(): Promise<void> {
    askpass ??= (async () => {
      await mkdir(gitHome, { recursive: true, mode: 0o700 });
      const tmp = `${askpassPath}.${process.pid}.tmp`;
      await writeFile(tmp, ASKPASS_SCRIPT, { mode: 0o700 });
      await rename(tmp, askpassPath);
    })();
    return askpass;
  }

  function childEnv(ctx: GitCallContext): Record<string, string> {
    const { url, credential } = ctx;
    const out: Record<string, string> = {};
    for (const key of INHERITED_ENV) {
      const v = process.env[key];
      if (v !== undefined) out[key] = v;
    }
    out.LC_ALL = "C";
    // Nothing of the operator's own reaches a URL from Git: no ~/.gitconfig, ~/.netrc or
    // ~/.git-credentials (HOME is an empty directory of ours), no system git config, no ssh agent,
    // ~/.ssh/config or default keys. Only the credential chosen for this URL is given.
    out.HOME = gitHome;
    out.GIT_CONFIG_NOSYSTEM = "1";
    // Never wait for a human: no terminal prompts, and ssh in batch mode.
    out.GIT_TERMINAL_PROMPT = "0";
    // git's own transport allow-list, so nothing (insteadOf rewrites, redirects) can reach ext:: or fd::.
    out.GIT_ALLOW_PROTOCOL = url ? allowedProtocols(url) : "file";
    const ssh = ["ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "IdentityAgent=none", "-o", "IdentitiesOnly=yes"];
    if (credential?.kind === "ssh" && url?.transport === "ssh") ssh.push("-i", shellQuote(credential.keyPath));
    else ssh.push("-o", "IdentityFile=none");
    out.GIT_SSH_COMMAND = ssh.join(" ");
    if (isHttp(url)) {
      // Always ours, so no askpass from the user's configuration answers for a URL we chose nothing for.
      out.GIT_ASKPASS = askpassPath;
      const origin = promptOrigin(url.url);
      if (credential?.kind === "password" && origin !== undefined) {
        out.CAPSTAN_GIT_ORIGIN = origin;
        out.CAPSTAN_GIT_USERNAME = credential.username;
        out.CAPSTAN_GIT_PASSWORD = credential.password;
      }
    }
    return { ...out, ...ctx.env };
  }

  /** One git call, bounded in time; failures become CapstanErrors naming the (redacted) URL. */
  async function git(baseDir: string, args: string[], ctx: GitCallContext): Promise<string> {
    const limit = ctx.timeoutMs ?? timeoutMs;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), limit);
    const gitOptions: Partial<SimpleGitOptions> = {
      baseDir,
      abort: abort.signal,
      timeout: { block: limit },
      // An empty credential.helper keeps tokens out of any helper store the user has configured, and
      // no helper of theirs answers for a URL we gave nothing. Redirects are followed on the first
      // request only (git's default, pinned); askpass answers only for the origin it was given.
      config: ["credential.helper=", "http.followRedirects=initial"],
      allowEnvironment: [
        "GIT_TERMINAL_PROMPT",
        "GIT_CONFIG_NOSYSTEM",
        "GIT_ALLOW_PROTOCOL",
        "GIT_SSH_COMMAND",
        "GIT_ASKPASS",
        "GIT_INDEX_FILE",
        "GIT_WORK_TREE",
        "GIT_SSL_CAINFO",
        "GIT_SSL_CAPATH",
      ],
      // Only settings we write ourselves pass: our askpass script, `ssh -o BatchMode=yes [-i key]`,
      // and an empty credential.helper. Nothing from the user reaches these.
      unsafe: { allowUnsafeAskPass: true, allowUnsafeSshCommand: true, allowUnsafeCredentialHelper: true },
      errors(error, result) {
        if (error) return error;
        if (result.exitCode !== 0) {
          return Buffer.concat([...result.stdErr, Buffer.from(`\n(exit code ${result.exitCode})`)]);
        }
        return undefined;
      },
    };
    try {
      return await simpleGit(gitOptions)
        .env(childEnv(ctx))
        .raw(args);
    } catch (err) {
      const where = ctx.url ? ` for ${ctx.url.display}` : "";
      const plugin = (err as { plugin?: string }).plugin;
      if (plugin === "timeout" || plugin === "abort" || abort.signal.aborted) {
        throw new CapstanError(
          "GIT_TIMEOUT",
          `git ${ctx.what}${where} did not finish within ${Math.round(limit / 1000)} s ` +
            "(check that the remote is reachable, or raise the git timeout)",
        );
      }
      const detail = redactURL(String((err as Error).message ?? err))
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l.length > 0)
        .join("; ");
      // No `cause`: git's own message may carry the URL with its credentials; only the redacted text is kept.
      throw new CapstanError("GIT_FAILED", `git ${ctx.what}${where} failed: ${detail}${failureHint(detail, ctx)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  return async (baseDir, args, ctx) => {
    await ensureAskpass();
    return git(baseDir, args, ctx);
  };
}
