/** A commit a ref pointed at when it was resolved. */
export interface ResolvedRevision {
  /** What the caller asked for (`main`, `v1.2.0`, `pull/12/head`, `3f2a9c1`). */
  ref: string;
  /** The full ref it matched (`refs/heads/main`), absent when a SHA was given. */
  refName?: string;
  sha: string;
  /** Full commit message. */
  message: string;
  /** `Name <email>`. */
  author: string;
  /** Commit time, ISO 8601. */
  time: string;
}

/** Something worth telling the user that happened while fetching. */
export type SourceEvent = {
  type: "ForcePushed";
  /** Redacted repository URL. */
  repoURL: string;
  /** Full ref name, e.g. `refs/heads/main`. */
  ref: string;
  from: string;
  to: string;
};

export interface FetchResult {
  events: SourceEvent[];
}

export interface ResolveOptions {
  /** `always` (default) fetches first; `if-missing` only when the repository was never fetched. */
  fetch?: "always" | "if-missing";
}

/**
 * Where revisions come from. The real adapter keeps a bare mirror per URL and read-only trees per
 * commit under the state directory; the in-memory fake serves trees from a map for unit tests.
 */
export interface GitSource {
  fetch(repoURL: string): Promise<FetchResult>;
  resolve(repoURL: string, ref: string, options?: ResolveOptions): Promise<ResolvedRevision>;
  /** Path of a read-only tree of `sha` (a full commit SHA from `resolve`), made once and reused. */
  checkout(repoURL: string, sha: string): Promise<string>;
}
