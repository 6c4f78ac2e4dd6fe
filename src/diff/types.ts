import type { Problem } from "../errors.js";

/** A rendered, normalized object as the diff sees it (what src/manifest produces, kept structural here). */
export interface DiffObject {
  /** Stable identity `namespace/Kind/name`. */
  key: string;
  kind: string;
  name: string;
  namespace: string;
  object: Record<string, unknown>;
}

export interface FieldChange {
  /** `spec.template.spec.containers[0].image`. Absent `from`: added; absent `to`: removed. */
  path: string;
  from?: unknown;
  to?: unknown;
}

/** An added or removed object; Secret values already replaced by hashes. */
export interface ObjectEntry {
  key: string;
  kind: string;
  name: string;
  namespace: string;
  object: Record<string, unknown>;
  /** Workload impact in words, e.g. `Deployment web: 3 pods will be created`. */
  rollout?: string;
}

export interface ObjectChange {
  key: string;
  kind: string;
  name: string;
  namespace: string;
  fields: FieldChange[];
  /** RFC 7396 merge patch turning the base object into the target (Secret values hashed). */
  mergePatch: unknown;
  base: Record<string, unknown>;
  target: Record<string, unknown>;
  rollout?: string;
}

export interface DiffResult {
  added: ObjectEntry[];
  removed: ObjectEntry[];
  changed: ObjectChange[];
  /** Keys of objects identical on both sides. */
  unchanged: string[];
}

export interface RevisionLabel {
  /** What the user named (`main`, `pull/12/head`). */
  ref: string;
  sha: string;
}

export type DiffSide = "base" | "revision";

export interface SideError {
  side: DiffSide;
  message: string;
  problems?: Problem[];
}

/** One application's diff between two revisions. */
export interface AppDiff {
  name: string;
  base?: RevisionLabel;
  revision?: RevisionLabel;
  /** Absent when a side could not be rendered (see `errors`). */
  result?: DiffResult;
  /** Objects each side rendered, so a failure on one side still shows the other side worked. */
  rendered?: Partial<Record<DiffSide, number>>;
  errors: SideError[];
}

export interface DiffReport {
  repo: string;
  apps: AppDiff[];
}
