/**
 * The durable state of the sync daemon, behind a port: the SQLite adapter keeps it in
 * `<stateDir>/state.db`, the in-memory fake in maps, and a later etcd adapter in keys. Callers see
 * only this file's types, so no SQL and no storage detail leaks out.
 */

/** Orphaned: the Application left Git and its objects were kept (it carried no `resources-finalizer.capstan.dev`). */
export type SyncStatus = "Synced" | "OutOfSync" | "Unknown" | "Orphaned";
export const SYNC_STATUSES: readonly SyncStatus[] = ["Synced", "OutOfSync", "Unknown", "Orphaned"];

/** Health, best first: the worst of several is the one with the highest index. */
export type HealthStatus = "Healthy" | "Suspended" | "Progressing" | "Missing" | "Degraded" | "Unknown";
export const HEALTH_STATUSES: readonly HealthStatus[] = ["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"];

/** Who started a sync. */
export type Initiator = "webhook" | "poll" | "watch" | "cli" | "rollback" | "auto-rollback";
export const INITIATORS: readonly Initiator[] = ["webhook", "poll", "watch", "cli", "rollback", "auto-rollback"];

export type RevisionPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "RolledBack" | "Superseded";
export const REVISION_PHASES: readonly RevisionPhase[] = ["Pending", "Running", "Succeeded", "Failed", "RolledBack", "Superseded"];
/** Superseded: a newer commit replaced the revision before it was healthy (as a new ReplicaSet replaces a stuck one). */
export type FinalPhase = "Succeeded" | "Failed" | "RolledBack" | "Superseded";

export type EventType = "Normal" | "Warning";

/** The revision an application is held at by `capstan rollback`, until `capstan unpin`. */
export interface PinnedRevision {
  id: number;
  sha: string;
}

export interface AppStatus {
  sync: SyncStatus;
  health: HealthStatus;
  healthMessage: string;
  /** Id of the revision that is applied now, null before the first sync. */
  currentRevision: number | null;
  pinned: PinnedRevision | null;
  /** Auto-sync is off while suspended. */
  suspended: boolean;
  /** A commit whose rollout failed (and was rolled back): auto-sync skips it until a newer commit arrives. */
  lastFailedCommit: string | null;
  /** Why the sync status is what it is: drift, objects kept with prune off, a repository that cannot be read; empty when Synced. */
  syncMessage: string;
  /**
   * The newest commit compared with what runs. A commit that leaves the application's rendering
   * unchanged moves this forward without a new revision; null before the first comparison.
   */
  syncedCommit: string | null;
}

/** What the daemon knows of an Application from Git: enough to fetch, render and keep history. */
export interface AppSpec {
  name: string;
  repo: string;
  path: string;
  targetRevision: string;
  /** Revisions kept per application (default 10); the current and the pinned one are always kept. */
  revisionHistoryLimit?: number;
}

export interface AppRecord {
  name: string;
  repo: string;
  path: string;
  targetRevision: string;
  revisionHistoryLimit: number;
  status: AppStatus;
  /** Changes with every write to the record; the guard of `casAppStatus`. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** What a sync of one commit starts with. */
export interface NewRevision {
  commit: string;
  /** First line of the commit message (longer text is cut to 200 characters). */
  message: string;
  author: string;
  /** Commit time, ISO 8601. */
  commitTime: string;
  /** The rendered manifests (a multi-document YAML text). */
  manifests: string;
  initiator: Initiator;
  /** Pending (default) or Running. */
  phase?: "Pending" | "Running";
}

export interface RevisionSummary {
  app: string;
  /** 1, 2, 3… per application, never reused (pruning leaves gaps at the old end only). */
  id: number;
  commit: string;
  message: string;
  author: string;
  commitTime: string;
  /** `sha256:<hex>` of the manifests text. */
  manifestsDigest: string;
  initiator: Initiator;
  phase: RevisionPhase;
  /** Why it ended as it did (`ProgressDeadlineExceeded`, `RolledBackTo 4`, …); empty while running. */
  reason: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface Revision extends RevisionSummary {
  manifests: string;
}

export interface EventInput {
  type: EventType;
  reason: string;
  message: string;
  /** The object it is about, `Deployment/web` (empty for the application itself). */
  object?: string;
  /** ISO 8601; the store's clock when absent. */
  time?: string;
}

export interface StateEvent extends Required<EventInput> {
  /** Increasing across the store: the order events happened in. */
  seq: number;
  app: string;
}

export interface EventQuery {
  app?: string;
  /** Events at or after this time (ISO 8601). */
  since?: string;
  /** The newest `limit` events (still returned oldest first). */
  limit?: number;
}

/** The desired objects of the last sync that ended healthy, the base of a rollback or a prune. */
export interface HealthyObjects {
  revision: number;
  commit: string;
  /** JSON-serialisable objects, as the sync applied them. */
  objects: unknown[];
  savedAt: string;
}

export type CasResult = { ok: true; version: number } | { ok: false; version: number };

/** How a revision ended, and what changes with it in the same transaction. */
export interface RevisionOutcome {
  phase: FinalPhase | "Running";
  reason?: string;
  /** Application status to write in the same transaction, guarded by the application's version. */
  status?: { expectedVersion: number; next: Partial<AppStatus> };
  /** Keep these as the application's last healthy desired objects (a Succeeded sync). */
  healthyObjects?: unknown[];
  event?: EventInput;
}

export type OutcomeResult =
  | { ok: true; revision: RevisionSummary; version: number }
  /** The status guard failed: nothing was written; `version` is the application's current one. */
  | { ok: false; version: number };

export interface Lease {
  holder: string;
  acquiredAt: string;
  /** ISO 8601 of the moment the lease lapses unless renewed. */
  expiresAt: string;
}

/** When refused, `lease` is the one that stands (null when none does). */
export type LeaseResult = { ok: true; lease: Lease } | { ok: false; lease: Lease | null };

/**
 * The daemon's durable state. Every method is one atomic step: a crash after it returns loses
 * nothing, a crash during it leaves no half of it behind.
 */
export interface StateStore {
  /** Creates the application, or updates its spec fields (status and history stay). */
  upsertApp(spec: AppSpec): Promise<AppRecord>;
  getApp(name: string): Promise<AppRecord | null>;
  listApps(): Promise<AppRecord[]>;
  /** Removes the application with its revisions, events and healthy objects. False when there was none. */
  deleteApp(name: string): Promise<boolean>;
  /**
   * Writes `next` over the application's status if its version is still `expectedVersion`.
   * A pin must name a stored revision of the application with that SHA.
   */
  casAppStatus(app: string, expectedVersion: number, next: Partial<AppStatus>): Promise<CasResult>;

  /** Stores a new revision with the next id, pruning the oldest beyond the history limit. */
  beginRevision(app: string, input: NewRevision): Promise<RevisionSummary>;
  /** Moves a revision on (Running, or a final phase), with an optional guarded status change, objects and event. */
  finishRevision(app: string, id: number, outcome: RevisionOutcome): Promise<OutcomeResult>;
  getRevision(app: string, id: number): Promise<Revision | null>;
  /** Oldest first, without the manifests text. */
  listRevisions(app: string): Promise<RevisionSummary[]>;

  recordEvent(app: string, event: EventInput): Promise<StateEvent>;
  /** Oldest first. */
  listEvents(query?: EventQuery): Promise<StateEvent[]>;

  getHealthyObjects(app: string): Promise<HealthyObjects | null>;

  /** Takes the owner lease if it is free, lapsed, or already `holder`'s. */
  acquireLease(holder: string, ttlMs: number): Promise<LeaseResult>;
  /** Extends the lease if `holder` still holds it (a lapsed lease cannot be renewed). */
  renewLease(holder: string, ttlMs: number): Promise<LeaseResult>;
  /** Gives the lease up if `holder` holds it. */
  releaseLease(holder: string): Promise<boolean>;
  /** The unexpired lease, or null. */
  leaseHolder(): Promise<Lease | null>;

  close(): Promise<void>;
}
