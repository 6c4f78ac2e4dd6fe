import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { CapstanError } from "../errors.js";
import { nearNames } from "./near.js";
import { assertRefName } from "./refname.js";
import type { FetchResult, GitSource, ResolvedRevision, SourceEvent } from "./types.js";
import { parseRepoURL } from "./url.js";

interface FakeCommit {
  sha: string;
  files: Record<string, string>;
  message: string;
  parent?: string;
}

interface FakeRepo {
  refs: Map<string, string>;
  commits: Map<string, FakeCommit>;
  seenHeads: Map<string, string>;
}

/**
 * GitSource for unit tests of code that consumes revisions: commits are file maps, refs are a map,
 * and `checkout` writes the files under `treesDir`. URL and ref validation match the real adapter.
 */
export class FakeGitSource implements GitSource {
  private readonly repos = new Map<string, FakeRepo>();
  readonly fetches: string[] = [];

  constructor(private readonly treesDir: string) {}

  private repo(repoURL: string): FakeRepo {
    const key = parseRepoURL(repoURL).display;
    let repo = this.repos.get(key);
    if (!repo) {
      repo = { refs: new Map(), commits: new Map(), seenHeads: new Map() };
      this.repos.set(key, repo);
    }
    return repo;
  }

  /** Records a commit on `branch` (moving it) and returns its SHA. */
  commit(repoURL: string, branch: string, files: Record<string, string>, message = "commit"): string {
    const repo = this.repo(repoURL);
    const parent = repo.refs.get(`refs/heads/${branch}`);
    const sha = createHash("sha1")
      .update(JSON.stringify({ files, message, parent, n: repo.commits.size }))
      .digest("hex");
    repo.commits.set(sha, { sha, files, message, parent });
    repo.refs.set(`refs/heads/${branch}`, sha);
    if (!repo.refs.has("HEAD")) repo.refs.set("HEAD", `refs/heads/${branch}`);
    return sha;
  }

  /** Points any full ref (`refs/tags/v1`, `refs/pull/3/head`) at a commit. */
  setRef(repoURL: string, refName: string, sha: string): void {
    this.repo(repoURL).refs.set(refName, sha);
  }

  async fetch(repoURL: string): Promise<FetchResult> {
    const repo = this.repo(repoURL);
    this.fetches.push(repoURL);
    const events: SourceEvent[] = [];
    for (const [ref, sha] of repo.refs) {
      if (!ref.startsWith("refs/heads/")) continue;
      const seen = repo.seenHeads.get(ref);
      if (seen !== undefined && seen !== sha && !this.descends(repo, sha, seen)) {
        events.push({ type: "ForcePushed", repoURL: parseRepoURL(repoURL).display, ref, from: seen, to: sha });
      }
      repo.seenHeads.set(ref, sha);
    }
    return { events };
  }

  private descends(repo: FakeRepo, sha: string, ancestor: string): boolean {
    for (let c = repo.commits.get(sha); c; c = c.parent ? repo.commits.get(c.parent) : undefined) {
      if (c.sha === ancestor) return true;
    }
    return false;
  }

  async resolve(repoURL: string, ref: string): Promise<ResolvedRevision> {
    const repo = this.repo(repoURL);
    const wanted = ref === "" ? "HEAD" : ref;
    if (wanted !== "HEAD") assertRefName(wanted);
    await this.fetch(repoURL);
    const names =
      wanted === "HEAD"
        ? [repo.refs.get("HEAD") ?? ""]
        : wanted.startsWith("refs/")
          ? [wanted]
          : /^(pull|merge-requests)\/\d+\/head$/.test(wanted)
            ? [`refs/${wanted}`]
            : [`refs/heads/${wanted}`, `refs/tags/${wanted}`];
    for (const name of names) {
      const sha = repo.refs.get(name);
      if (sha) return this.info(repo, wanted, sha, name);
    }
    const bySha = [...repo.commits.keys()].filter((s) => s.startsWith(wanted.toLowerCase()));
    if (wanted.length >= 4 && bySha.length === 1) return this.info(repo, wanted, bySha[0] as string);
    const near = nearNames(
      wanted,
      [...repo.refs.keys()].filter((r) => r !== "HEAD").map((r) => r.replace(/^refs\/(heads|tags)\//, "")),
    );
    const hint = near.length > 0 ? ` (did you mean ${near.map((n) => `'${n}'`).join(", ")}?)` : "";
    throw new CapstanError("GIT_REF_NOT_FOUND", `revision '${wanted}' not found in ${repoURL}${hint}`);
  }

  private info(repo: FakeRepo, ref: string, sha: string, refName?: string): ResolvedRevision {
    const commit = repo.commits.get(sha);
    return {
      ref,
      refName,
      sha,
      message: commit?.message ?? "",
      author: "Test <test@example.com>",
      time: "2026-01-01T00:00:00Z",
    };
  }

  async checkout(repoURL: string, sha: string): Promise<string> {
    const commit = this.repo(repoURL).commits.get(sha);
    if (!commit) throw new CapstanError("GIT_REF_NOT_FOUND", `commit ${sha} not found in ${repoURL}`);
    const root = join(this.treesDir, sha);
    for (const [path, content] of Object.entries(commit.files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    }
    return root;
  }
}
