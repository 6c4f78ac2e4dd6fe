import { createHash, randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { CapstanError } from "../errors.js";
import { credentialFor } from "./credentials.js";
import type { GitCallCredential, RepoCredential } from "./credentials.js";
import { createGitRunner } from "./git-run.js";
import { KeyedMutex, withLockFile } from "./lock.js";
import { nearNames } from "./near.js";
import { assertRefName } from "./refname.js";
import type { FetchResult, GitSource, ResolveOptions, ResolvedRevision, SourceEvent } from "./types.js";
import { FULL_SHA, extractTree } from "./trees.js";
import { loadCredential } from "./secrets.js";
import { parseRepoURL, splitUserinfo } from "./url.js";
import type { RepoURL } from "./url.js";

export { pruneTrees, removeTree } from "./trees.js";

export interface GitSourceOptions {
  /** Mirrors go to `<stateDir>/repos/`, trees to `<stateDir>/trees/`. */
  stateDir: string;
  allowInsecureHttp?: boolean;
  /** Upper bound for any single git call (default 60 s). */
  timeoutMs?: number;
  /**
   * Credentials per repository URL prefix (the configuration's `credentials:`) or for one repository
   * (`exact`). git is given one only for a URL it matches; any other URL is fetched without.
   */
  credentials?: RepoCredential[];
  /**
   * The repositories the daemon or command was pointed at (`--repo`, `daemon.repo`,
   * `daemon.repositories`). `CAPSTAN_GIT_TOKEN` from `env` is sent to these only, and userinfo
   * in one (`https://bot:TOKEN@host/x.git`) becomes a credential for exactly that repository.
   */
  ownRepos?: string[];
  /** Where `CAPSTAN_GIT_TOKEN` and `passwordEnv` variables are read (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Relative local repository paths resolve against this directory. */
  cwd?: string;
  /** Told about force-pushes seen while fetching (they are also returned by `fetch`). */
  onEvent?: (event: SourceEvent) => void;
}

const SHORT_SHA = /^[0-9a-f]{4,64}$/i;

// The refs a mirror keeps: branches, tags, and the review refs GitHub and GitLab publish.
const REFSPECS = [
  "+refs/heads/*:refs/heads/*",
  "+refs/tags/*:refs/tags/*",
  "+refs/pull/*/head:refs/pull/*/head",
  "+refs/merge-requests/*/head:refs/merge-requests/*/head",
];
const REMOTE_HEAD = "refs/capstan/HEAD";

/** Where a URL's mirror lives; the hash ignores userinfo so rotating a token keeps the cache. */
export function mirrorName(url: RepoURL): string {
  return createHash("sha256").update(url.display).digest("hex").slice(0, 24);
}

/**
 * Every credential a source may use, in the order `credentialFor` reads them: userinfo of the own
 * repositories, then the configured ones, then `CAPSTAN_GIT_TOKEN` for exactly the own repositories.
 */
export function credentialTable(configured: readonly RepoCredential[], ownRepos: readonly string[], env: Record<string, string | undefined>): RepoCredential[] {
  const fromUserinfo: RepoCredential[] = [];
  const own: string[] = [];
  for (const repo of ownRepos) {
    const { url, credentials } = splitUserinfo(repo);
    own.push(url);
    if (credentials) {
      fromUserinfo.push({ url, exact: true, username: credentials.username, password: { value: credentials.password }, from: `the userinfo of ${url}` });
    }
  }
  const token: RepoCredential[] = env.CAPSTAN_GIT_TOKEN
    ? own.map((url) => ({ url, exact: true, password: { env: "CAPSTAN_GIT_TOKEN" }, from: "CAPSTAN_GIT_TOKEN" }))
    : [];
  return [...fromUserinfo, ...configured, ...token];
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
  const credentials = credentialTable(options.credentials ?? [], options.ownRepos ?? [], env);
  const git = createGitRunner({ stateDir: options.stateDir, timeoutMs });
  const fetchMutex = new KeyedMutex();
  const lastSeen = new Map<string, RefTable>();
  const treeMutex = new KeyedMutex();

  function parse(repoURL: string): RepoURL {
    return parseRepoURL(repoURL, { allowInsecureHttp: options.allowInsecureHttp, cwd: options.cwd });
  }

  function mirrorDir(url: RepoURL): string {
    return join(reposDir, `${mirrorName(url)}.git`);
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
    await mkdir(reposDir, { recursive: true, mode: 0o700 });
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

  /**
   * The credential chosen for this URL, secrets read now: a password in the URL itself, else the
   * table's (with the URL's user name, when it gives one without a password).
   */
  async function credentialForURL(url: RepoURL): Promise<GitCallCredential | undefined> {
    if (url.credentials?.password) return { kind: "password", ...url.credentials, from: "the URL's userinfo" };
    const chosen = credentialFor(url.display, credentials);
    const loaded = chosen ? await loadCredential(chosen, env) : undefined;
    if (loaded?.kind === "password" && url.credentials?.username) return { ...loaded, username: url.credentials.username };
    return loaded;
  }

  /**
   * What `HEAD` means for a local repository: a bare one's HEAD is its default branch, but a working
   * copy's HEAD is whatever branch someone checked out there. Its default branch is the one its
   * `origin` names as HEAD, else `init.defaultBranch`, else `main` or `master`, whichever exists;
   * undefined (its HEAD) when none does.
   */
  async function localDefaultBranch(url: RepoURL): Promise<string | undefined> {
    const path = url.url.replace(/^file:\/\//, "");
    const ask = (args: string[]) => git(path, args, { url, what: "rev-parse" }).then((out) => out.trim(), () => "");
    if ((await ask(["rev-parse", "--is-bare-repository"])) !== "false") return undefined;
    const exists = async (branch: string) => branch !== "" && (await ask(["rev-parse", "--verify", "--quiet", "--end-of-options", `refs/heads/${branch}^{commit}`])) !== "";
    const fromOrigin = (await ask(["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"])).replace(/^refs\/remotes\/origin\//, "");
    const configured = await ask(["config", "--get", "init.defaultBranch"]);
    for (const branch of [fromOrigin, configured, "main", "master"]) if (await exists(branch)) return `refs/heads/${branch}`;
    return undefined;
  }

  async function fetchLocked(url: RepoURL): Promise<FetchResult> {
    const dir = await ensureMirror(url);
    const credential = await credentialForURL(url);
    const head = url.transport === "file" ? ((await localDefaultBranch(url)) ?? "HEAD") : "HEAD";
    // Force-pushes are judged against what this process last saw, else against the mirror as it is.
    const before = lastSeen.get(dir) ?? (await refTable(dir));
    const args = ["fetch", "--prune", "--force", "--no-write-fetch-head", "--quiet", url.url];
    try {
      await git(dir, [...args, ...REFSPECS, `+${head}:${REMOTE_HEAD}`], { url, what: "fetch", ...(credential ? { credential } : {}) });
    } catch (err) {
      // A remote without a HEAD (empty, or its default branch deleted) still has branches worth fetching.
      if (!(err instanceof CapstanError && /couldn't find remote ref HEAD/i.test(err.message))) throw err;
      await git(dir, [...args, ...REFSPECS], { url, what: "fetch", ...(credential ? { credential } : {}) });
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
        await mkdir(reposDir, { recursive: true, mode: 0o700 });
      } catch (err) {
        throw new CapstanError("STATE_ERROR", `cannot create ${reposDir}: ${(err as Error).message} (check --state-dir)`, { cause: err });
      }
      try {
        // A fetch makes a handful of bounded git calls: a lock held ten times longer than one call is stale.
        return await withLockFile(`${dir}.lock`, timeoutMs * 2, () => fetchLocked(url), timeoutMs * 10);
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
      return extractTree(git, dir, url, sha, treesDir);
    });
  }

  return {
    fetch: async (repoURL) => fetchURL(parse(repoURL)),
    resolve,
    checkout,
  };
}
