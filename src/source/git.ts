import { createHash, randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { simpleGit } from "simple-git";
import type { SimpleGitOptions } from "simple-git";
import { CapstanError } from "../errors.js";
import { KeyedMutex, withLockFile } from "./lock.js";
import { nearNames } from "./near.js";
import { assertRefName } from "./refname.js";
import type { FetchResult, GitSource, ResolveOptions, ResolvedRevision, SourceEvent } from "./types.js";
import { allowedProtocols, parseRepoURL, redactURL } from "./url.js";
import type { RepoURL } from "./url.js";

export interface GitCredentials {
  /** HTTPS token (GitHub/GitLab personal access or deploy token); sent as the password. */
  token?: string;
  /** HTTPS user name sent with the token (default `x-access-token`, which GitHub and GitLab accept). */
  username?: string;
  /** Private key for SSH remotes. */
  sshKeyPath?: string;
}

export interface GitSourceOptions {
  /** Mirrors go to `<stateDir>/repos/`, trees to `<stateDir>/trees/`. */
  stateDir: string;
  allowInsecureHttp?: boolean;
  /** Upper bound for any single git call (default 60 s). */
  timeoutMs?: number;
  /** Credentials; when absent, `CAPSTAN_GIT_TOKEN` from `env` is used as the HTTPS token. */
  credentials?: GitCredentials;
  env?: Record<string, string | undefined>;
  /** Relative local repository paths resolve against this directory. */
  cwd?: string;
  /** Told about force-pushes seen while fetching (they are also returned by `fetch`). */
  onEvent?: (event: SourceEvent) => void;
}

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const SHORT_SHA = /^[0-9a-f]{4,64}$/i;

// The refs a mirror keeps: branches, tags, and the review refs GitHub and GitLab publish.
const REFSPECS = [
  "+refs/heads/*:refs/heads/*",
  "+refs/tags/*:refs/tags/*",
  "+refs/pull/*/head:refs/pull/*/head",
  "+refs/merge-requests/*/head:refs/merge-requests/*/head",
];
const REMOTE_HEAD = "refs/capstan/HEAD";

// Variables handed down to git from our own environment; everything else (GIT_DIR, GIT_CONFIG_*, PAGER…) is dropped.
const INHERITED_ENV = [
  "PATH",
  "HOME",
  "USER",
  "TMPDIR",
  "SSH_AUTH_SOCK",
  "GIT_SSL_CAINFO",
  "GIT_SSL_CAPATH",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
];

const ASKPASS_SCRIPT = `#!/bin/sh
# Written by Capstan: answers git's credential prompts from the environment of that one git call.
case "$1" in
  Username*) printf '%s\\n' "\${CAPSTAN_GIT_USERNAME:-x-access-token}" ;;
  *) printf '%s\\n' "\${CAPSTAN_GIT_PASSWORD}" ;;
esac
`;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** What to do about the git failures users meet most. */
function failureHint(detail: string): string {
  if (/could not read Username|Authentication failed|terminal prompts disabled|HTTP Basic: Access denied/i.test(detail)) {
    return " (the remote wants credentials: set CAPSTAN_GIT_TOKEN or a token in the configuration)";
  }
  if (/Permission denied \(publickey/i.test(detail)) return " (configure an SSH key the remote accepts)";
  if (/Host key verification failed/i.test(detail)) return " (add the host's key to ~/.ssh/known_hosts)";
  if (/Connection refused|Could not resolve host|unable to connect|Network is unreachable/i.test(detail)) {
    return " (check the URL and that the remote is reachable)";
  }
  return "";
}

/** Where a URL's mirror lives; the hash ignores userinfo so rotating a token keeps the cache. */
export function mirrorName(url: RepoURL): string {
  return createHash("sha256").update(url.display).digest("hex").slice(0, 24);
}

interface RefTable {
  /** Full ref name → commit SHA (annotated tags peeled). */
  refs: Map<string, string>;
}

/** The real GitSource: git through simple-git, a bare mirror per URL, read-only trees per commit. */
export function createGitSource(options: GitSourceOptions): GitSource {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const reposDir = join(options.stateDir, "repos");
  const treesDir = join(options.stateDir, "trees");
  const env = options.env ?? process.env;
  const credentials: GitCredentials = { ...options.credentials };
  if (credentials.token === undefined && env.CAPSTAN_GIT_TOKEN) credentials.token = env.CAPSTAN_GIT_TOKEN;
  const fetchMutex = new KeyedMutex();
  const lastSeen = new Map<string, RefTable>();
  const treeMutex = new KeyedMutex();

  function parse(repoURL: string): RepoURL {
    return parseRepoURL(repoURL, { allowInsecureHttp: options.allowInsecureHttp, cwd: options.cwd });
  }

  function mirrorDir(url: RepoURL): string {
    return join(reposDir, `${mirrorName(url)}.git`);
  }

  function childEnv(url: RepoURL | undefined, extra: Record<string, string> = {}): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of INHERITED_ENV) {
      const v = process.env[key];
      if (v !== undefined) out[key] = v;
    }
    out.LC_ALL = "C";
    // Never wait for a human: no terminal prompts, and ssh in batch mode.
    out.GIT_TERMINAL_PROMPT = "0";
    // git's own transport allow-list, so nothing (insteadOf rewrites, redirects) can reach ext:: or fd::.
    out.GIT_ALLOW_PROTOCOL = url ? allowedProtocols(url) : "file";
    const ssh = ["ssh", "-o", "BatchMode=yes"];
    if (credentials.sshKeyPath) ssh.push("-o", "IdentitiesOnly=yes", "-i", shellQuote(credentials.sshKeyPath));
    out.GIT_SSH_COMMAND = ssh.join(" ");
    if (url && credentials.token && (url.transport === "https" || url.transport === "http")) {
      out.GIT_ASKPASS = join(options.stateDir, "askpass.sh");
      out.CAPSTAN_GIT_USERNAME = credentials.username ?? "x-access-token";
      out.CAPSTAN_GIT_PASSWORD = credentials.token;
    }
    return { ...out, ...extra };
  }

  /** One git call, bounded in time; failures become CapstanErrors naming the (redacted) URL. */
  async function git(
    baseDir: string,
    args: string[],
    ctx: { url?: RepoURL; what: string; env?: Record<string, string>; timeoutMs?: number },
  ): Promise<string> {
    const limit = ctx.timeoutMs ?? timeoutMs;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), limit);
    const gitOptions: Partial<SimpleGitOptions> = {
      baseDir,
      abort: abort.signal,
      timeout: { block: limit },
      // An empty credential.helper keeps tokens out of any helper store the user has configured.
      config: ["credential.helper="],
      allowEnvironment: [
        "GIT_TERMINAL_PROMPT",
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
        .env(childEnv(ctx.url, ctx.env))
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
      throw new CapstanError("GIT_FAILED", `git ${ctx.what}${where} failed: ${detail}${failureHint(detail)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async function exists(path: string): Promise<boolean> {
    return stat(path).then(
      () => true,
      () => false,
    );
  }

  async function ensureMirror(url: RepoURL): Promise<string> {
    const dir = mirrorDir(url);
    if (await exists(join(dir, "HEAD"))) return dir;
    await mkdir(reposDir, { recursive: true });
    const tmp = `${dir}.tmp-${randomBytes(4).toString("hex")}`;
    await mkdir(tmp, { recursive: true });
    await git(tmp, ["init", "--bare", "--quiet"], { what: "init" });
    // No remote is configured: fetches name the URL each time, so credentials never land in the mirror's config.
    await git(tmp, ["config", "gc.autoDetach", "false"], { what: "config" });
    try {
      await rename(tmp, dir);
    } catch {
      await rm(tmp, { recursive: true, force: true });
    }
    return dir;
  }

  async function refTable(dir: string, patterns: string[] = []): Promise<RefTable> {
    const out = await git(dir, ["for-each-ref", "--format=%(objectname) %(*objectname) %(refname)", ...patterns], {
      what: "for-each-ref",
    });
    const refs = new Map<string, string>();
    for (const line of out.split("\n")) {
      const parts = line.trim().split(" ").filter((p) => p.length > 0);
      if (parts.length === 2) refs.set(parts[1] as string, parts[0] as string);
      else if (parts.length === 3) refs.set(parts[2] as string, parts[1] as string);
    }
    return { refs };
  }

  async function isAncestor(dir: string, older: string, newer: string): Promise<boolean> {
    try {
      const base = (await git(dir, ["merge-base", older, newer], { what: "merge-base" })).trim();
      return base === older;
    } catch {
      return false;
    }
  }

  async function fetchLocked(url: RepoURL): Promise<FetchResult> {
    const dir = await ensureMirror(url);
    if (credentials.token) await writeFile(join(options.stateDir, "askpass.sh"), ASKPASS_SCRIPT, { mode: 0o700 });
    // Force-pushes are judged against what this process last saw, else against the mirror as it is.
    const before = lastSeen.get(dir) ?? (await refTable(dir));
    const args = ["fetch", "--prune", "--force", "--no-write-fetch-head", "--quiet", url.url];
    try {
      await git(dir, [...args, ...REFSPECS, `+HEAD:${REMOTE_HEAD}`], { url, what: "fetch" });
    } catch (err) {
      // A remote without a HEAD (empty, or its default branch deleted) still has branches worth fetching.
      if (!(err instanceof CapstanError && /couldn't find remote ref HEAD/i.test(err.message))) throw err;
      await git(dir, [...args, ...REFSPECS], { url, what: "fetch" });
    }
    const after = await refTable(dir);
    lastSeen.set(dir, after);
    const events: SourceEvent[] = [];
    for (const [ref, from] of before.refs) {
      if (!ref.startsWith("refs/heads/")) continue;
      const to = after.refs.get(ref);
      if (to === undefined || to === from) continue;
      if (!(await isAncestor(dir, from, to))) {
        events.push({ type: "ForcePushed", repoURL: url.display, ref, from, to });
      }
    }
    for (const e of events) options.onEvent?.(e);
    return { events };
  }

  async function fetchURL(url: RepoURL): Promise<FetchResult> {
    const dir = mirrorDir(url);
    return fetchMutex.run(dir, async () => {
      try {
        await mkdir(reposDir, { recursive: true });
      } catch (err) {
        throw new CapstanError("STATE_ERROR", `cannot create ${reposDir}: ${(err as Error).message} (check --state-dir)`, { cause: err });
      }
      try {
        return await withLockFile(`${dir}.lock`, timeoutMs * 2, () => fetchLocked(url));
      } catch (err) {
        if (err instanceof CapstanError) throw err;
        if (/^lock .* is held by process/.test((err as Error).message)) {
          throw new CapstanError(
            "GIT_TIMEOUT",
            `git fetch for ${url.display} waited too long for another Capstan process fetching the same repository (${(err as Error).message})`,
            { cause: err },
          );
        }
        throw new CapstanError("STATE_ERROR", `cannot keep the mirror of ${url.display}: ${(err as Error).message}`, { cause: err });
      }
    });
  }

  function candidates(ref: string): string[] {
    if (ref.startsWith("refs/")) return [ref];
    const pr = /^(pull|merge-requests)\/(\d+)\/head$/.exec(ref);
    if (pr) return [`refs/${ref}`];
    return [`refs/heads/${ref}`, `refs/tags/${ref}`];
  }

  function shortName(ref: string): string {
    return ref.replace(/^refs\/(heads|tags)\//, "").replace(/^refs\/(pull|merge-requests)\//, "$1/");
  }

  async function commitInfo(dir: string, url: RepoURL, sha: string): Promise<Omit<ResolvedRevision, "ref">> {
    const out = await git(dir, ["log", "-1", "--no-color", "--format=%H%x00%an <%ae>%x00%cI%x00%B", sha, "--"], {
      url,
      what: "log",
    });
    const [full, author, time, ...message] = out.split("\0");
    return { sha: (full ?? sha).trim(), author: author ?? "", time: time ?? "", message: message.join("\0").trimEnd() };
  }

  async function resolve(repoURL: string, ref: string, resolveOptions: ResolveOptions = {}): Promise<ResolvedRevision> {
    const url = parse(repoURL);
    const wanted = ref === "" ? "HEAD" : ref;
    if (wanted !== "HEAD") assertRefName(wanted);
    const dir = mirrorDir(url);
    if (resolveOptions.fetch !== "if-missing" || !(await exists(join(dir, "HEAD")))) {
      await fetchURL(url);
    }
    // The refs as our last fetch left them; read from the mirror when this process has not fetched it.
    const table = lastSeen.get(dir) ?? (await refTable(dir));
    if (wanted === "HEAD") {
      const sha = table.refs.get(REMOTE_HEAD);
      if (sha === undefined) {
        throw new CapstanError(
          "GIT_REF_NOT_FOUND",
          `repository ${url.display} has no default branch (HEAD) to follow (set targetRevision to a branch or tag)`,
        );
      }
      return { ref: wanted, refName: "HEAD", ...(await commitInfo(dir, url, sha)) };
    }
    for (const name of candidates(wanted)) {
      const sha = table.refs.get(name);
      if (sha !== undefined) return { ref: wanted, refName: name, ...(await commitInfo(dir, url, sha)) };
    }
    if (SHORT_SHA.test(wanted)) {
      let out = "";
      try {
        out = (
          await git(dir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${wanted.toLowerCase()}^{commit}`], {
            url,
            what: "rev-parse",
          })
        ).trim();
      } catch (err) {
        if (err instanceof CapstanError && /ambiguous/i.test(err.message)) {
          throw new CapstanError(
            "GIT_REF_NOT_FOUND",
            `commit ${wanted} is ambiguous in ${url.display} (give more characters of the SHA)`,
          );
        }
        out = "";
      }
      if (FULL_SHA.test(out)) return { ref: wanted, ...(await commitInfo(dir, url, out)) };
    }
    const names = [...table.refs.keys()].filter((r) => r !== REMOTE_HEAD).map(shortName);
    const near = nearNames(wanted, names);
    const hint = near.length > 0 ? ` (did you mean ${near.map((n) => `'${n}'`).join(", ")}?)` : "";
    throw new CapstanError(
      "GIT_REF_NOT_FOUND",
      `revision '${wanted}' not found in ${url.display}: no branch, tag, pull-request ref or commit has that name${hint}`,
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

  async function checkout(repoURL: string, sha: string): Promise<string> {
    const url = parse(repoURL);
    if (!FULL_SHA.test(sha)) {
      // Trees are keyed by the full SHA so one commit is checked out once, whatever name reached it.
      throw new CapstanError("GIT_REF_INVALID", `checkout needs a full commit SHA, got ${JSON.stringify(sha)}`);
    }
    const target = join(treesDir, sha);
    if (await exists(target)) return target;
    return treeMutex.run(sha, async () => {
      if (await exists(target)) return target;
      const dir = await ensureMirror(url);
      const has = async () =>
        (await git(dir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${sha}^{commit}`], {
          url,
          what: "rev-parse",
        }).catch(() => "")).trim() === sha;
      if (!(await has())) {
        await fetchURL(url);
        if (!(await has())) {
          throw new CapstanError("GIT_REF_NOT_FOUND", `commit ${sha} not found in ${url.display}`);
        }
      }
      await mkdir(treesDir, { recursive: true });
      const tmp = join(treesDir, `.tmp-${sha}-${randomBytes(4).toString("hex")}`);
      const index = `${tmp}.index`;
      await mkdir(tmp);
      try {
        const env = { GIT_INDEX_FILE: index, GIT_WORK_TREE: tmp };
        await git(dir, ["read-tree", sha], { url, what: "read-tree", env });
        await git(dir, ["checkout-index", "--all", "--force"], { url, what: "checkout-index", env });
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
    });
  }

  return {
    fetch: async (repoURL) => fetchURL(parse(repoURL)),
    resolve,
    checkout,
  };
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
