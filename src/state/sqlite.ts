/**
 * The SQLite StateStore: `<stateDir>/state.db` in WAL mode, one transaction per call, schema
 * versions by `PRAGMA user_version`. The only file that knows SQL.
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { CapstanError } from "../errors.js";
import { processRedactionKey } from "../diff/redact.js";
import type { RedactionKey } from "../diff/redact.js";
import type { Clock } from "./clock.js";
import { isoAt, systemClock } from "./clock.js";
import {
  checkEvent,
  checkHolder,
  checkQuery,
  checkOutcome,
  checkRevision,
  checkSpec,
  checkTtl,
  DEFAULT_EVENT_LIMIT,
  durationMs,
  idsToPrune,
  initialStatus,
  keptIds,
  mergeStatus,
  notFound,
  objectsText,
  sameSpec,
} from "./rules.js";
import { secureStateDir } from "./permissions.js";
import { ensureRedactionKey } from "./redaction-key.js";
import { checkStateDbSchema, markStateDbMade, prepareStateDbFile, STATE_DB_FILE } from "./sqlite-file.js";
import { MIGRATIONS } from "./sqlite-schema.js";
import type { Migration } from "./sqlite-schema.js";
import type {
  AppRecord,
  AppSpec,
  AppStatus,
  CasResult,
  EventInput,
  EventQuery,
  EventType,
  HealthStatus,
  HealthyObjects,
  Initiator,
  Lease,
  LeaseResult,
  NewRevision,
  OutcomeResult,
  Revision,
  RevisionOutcome,
  RevisionPhase,
  RevisionSummary,
  StateEvent,
  StateStore,
  SyncStatus,
} from "./types.js";

export interface SqliteStateStoreOptions {
  clock?: Clock;
  eventLimit?: number;
  /**
   * `FULL` (default) syncs the WAL on every commit, so a power cut loses nothing either;
   * `NORMAL` survives a process crash but may lose the last commits on power loss.
   */
  synchronous?: "FULL" | "NORMAL";
  /**
   * Secret values in what is stored become HMACs under this key. `openSqliteStateStore` reads the
   * state directory's (`redaction.key`); a store made directly uses a key random per process.
   */
  redactionKey?: RedactionKey;
  /** Told of each permission the state directory had too loose and was tightened (see `secureStateDir`). */
  onWarning?: (message: string) => void;
}

export { STATE_DB_FILE };

interface AppRow {
  name: string;
  repo: string;
  path: string;
  target_revision: string;
  history_limit: number;
  sync: string;
  health: string;
  health_message: string;
  current_revision: number | null;
  pinned_id: number | null;
  pinned_sha: string | null;
  suspended: number;
  last_failed_commit: string | null;
  sync_message: string;
  synced_commit: string | null;
  next_revision: number;
  version: number;
  created_at: string;
  updated_at: string;
}

interface RevisionRow {
  app: string;
  id: number;
  commit_sha: string;
  message: string;
  author: string;
  commit_time: string;
  manifests?: string;
  manifests_digest: string;
  initiator: string;
  phase: string;
  reason: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

interface EventRow {
  seq: number;
  app: string;
  time: string;
  type: string;
  reason: string;
  message: string;
  object: string;
}

interface LeaseRow {
  holder: string;
  acquired_at: string;
  expires_at_ms: number;
}

const SUMMARY_COLUMNS =
  "app, id, commit_sha, message, author, commit_time, manifests_digest, initiator, phase, reason, created_at, started_at, finished_at, duration_ms";

function toStatus(row: AppRow): AppStatus {
  return {
    sync: row.sync as SyncStatus,
    health: row.health as HealthStatus,
    healthMessage: row.health_message,
    currentRevision: row.current_revision,
    pinned: row.pinned_id === null || row.pinned_sha === null ? null : { id: row.pinned_id, sha: row.pinned_sha },
    suspended: row.suspended !== 0,
    lastFailedCommit: row.last_failed_commit,
    syncMessage: row.sync_message,
    syncedCommit: row.synced_commit,
  };
}

function toApp(row: AppRow): AppRecord {
  return {
    name: row.name,
    repo: row.repo,
    path: row.path,
    targetRevision: row.target_revision,
    revisionHistoryLimit: row.history_limit,
    status: toStatus(row),
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toSummary(row: RevisionRow): RevisionSummary {
  return {
    app: row.app,
    id: row.id,
    commit: row.commit_sha,
    message: row.message,
    author: row.author,
    commitTime: row.commit_time,
    manifestsDigest: row.manifests_digest,
    initiator: row.initiator as Initiator,
    phase: row.phase as RevisionPhase,
    reason: row.reason,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
  };
}

function toEvent(row: EventRow): StateEvent {
  return { seq: row.seq, app: row.app, time: row.time, type: row.type as EventType, reason: row.reason, message: row.message, object: row.object };
}

function toLease(row: LeaseRow): Lease {
  return { holder: row.holder, acquiredAt: row.acquired_at, expiresAt: new Date(row.expires_at_ms).toISOString() };
}

/**
 * Opens (creating when needed) `<stateDir>/state.db` and brings its schema up to date. Refuses a
 * missing or empty database where one was made before (see sqlite-file.ts), and tightens the state
 * directory's permissions, telling `onWarning` of each change.
 */
export function openSqliteStateStore(stateDir: string, options: SqliteStateStoreOptions = {}): SqliteStateStore {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, STATE_DB_FILE);
  let db: Database.Database | undefined;
  let redactionKey: RedactionKey;
  try {
    prepareStateDbFile(stateDir);
    db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${options.synchronous ?? "FULL"}`);
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    // Freed pages are zeroed: a Secret value a migration rewrites, or a pruned revision, leaves no trace in the file.
    db.pragma("secure_delete = ON");
    checkStateDbSchema(stateDir, db.pragma("user_version", { simple: true }) as number);
    redactionKey = options.redactionKey ?? ensureRedactionKey(stateDir);
    migrate(db, file, redactionKey);
    markStateDbMade(stateDir, isoAt(options.clock ?? systemClock));
    for (const warning of secureStateDir(stateDir)) options.onWarning?.(warning);
  } catch (err) {
    if (db?.open) db.close();
    if (err instanceof CapstanError) throw err;
    throw new CapstanError("STATE_ERROR", `${file}: cannot open the state database: ${(err as Error).message} (check the permissions of the state directory)`, { cause: err });
  }
  return new SqliteStateStore(db, file, { ...options, redactionKey });
}

function migrate(db: Database.Database, file: string, key: RedactionKey): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new CapstanError("STATE_ERROR", `${file}: schema version ${version} was written by a newer Capstan (this one knows up to ${MIGRATIONS.length}); upgrade Capstan or use another --state-dir`);
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    const step = MIGRATIONS[v] as Migration;
    db.transaction(() => {
      if (typeof step === "string") db.exec(step);
      else step(db, key);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
  // What the migrations rewrote leaves the WAL too.
  if (version < MIGRATIONS.length) db.pragma("wal_checkpoint(TRUNCATE)");
}

export class SqliteStateStore implements StateStore {
  private readonly clock: Clock;
  private readonly eventLimit: number;
  private readonly redactionKey: RedactionKey;
  private readonly stmt;

  constructor(
    private readonly db: Database.Database,
    /** Path of the database file, for messages. */
    readonly file: string,
    options: SqliteStateStoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.eventLimit = options.eventLimit ?? DEFAULT_EVENT_LIMIT;
    this.redactionKey = options.redactionKey ?? processRedactionKey();
    this.stmt = {
      app: db.prepare<[string], AppRow>("SELECT * FROM apps WHERE name = ?"),
      apps: db.prepare<[], AppRow>("SELECT * FROM apps ORDER BY name"),
      insertApp: db.prepare(
        `INSERT INTO apps (name, repo, path, target_revision, history_limit, sync, health, health_message, current_revision,
           pinned_id, pinned_sha, suspended, last_failed_commit, sync_message, synced_commit, next_revision, version, created_at, updated_at)
         VALUES (@name, @repo, @path, @target_revision, @history_limit, @sync, @health, @health_message, @current_revision,
           @pinned_id, @pinned_sha, @suspended, @last_failed_commit, @sync_message, @synced_commit, @next_revision, @version, @created_at, @updated_at)`,
      ),
      updateSpec: db.prepare(
        "UPDATE apps SET repo = ?, path = ?, target_revision = ?, history_limit = ?, version = version + 1, updated_at = ? WHERE name = ?",
      ),
      updateStatus: db.prepare(
        `UPDATE apps SET sync = @sync, health = @health, health_message = @health_message, current_revision = @current_revision,
           pinned_id = @pinned_id, pinned_sha = @pinned_sha, suspended = @suspended, last_failed_commit = @last_failed_commit,
           sync_message = @sync_message, synced_commit = @synced_commit, version = version + 1, updated_at = @updated_at WHERE name = @name AND version = @expected`,
      ),
      deleteApp: db.prepare("DELETE FROM apps WHERE name = ?"),
      bumpNextRevision: db.prepare("UPDATE apps SET next_revision = next_revision + 1 WHERE name = ?"),
      insertRevision: db.prepare(
        `INSERT INTO revisions (app, id, commit_sha, message, author, commit_time, manifests, manifests_digest, initiator, phase,
           reason, created_at, started_at, finished_at, duration_ms)
         VALUES (@app, @id, @commit_sha, @message, @author, @commit_time, @manifests, @manifests_digest, @initiator, @phase,
           '', @created_at, @started_at, NULL, NULL)`,
      ),
      revision: db.prepare<[string, number], RevisionRow>("SELECT * FROM revisions WHERE app = ? AND id = ?"),
      revisionSummary: db.prepare<[string, number], RevisionRow>(`SELECT ${SUMMARY_COLUMNS} FROM revisions WHERE app = ? AND id = ?`),
      revisions: db.prepare<[string], RevisionRow>(`SELECT ${SUMMARY_COLUMNS} FROM revisions WHERE app = ? ORDER BY id`),
      revisionIds: db.prepare<[string], { id: number }>("SELECT id FROM revisions WHERE app = ? ORDER BY id"),
      deleteRevision: db.prepare("DELETE FROM revisions WHERE app = ? AND id = ?"),
      updateRevision: db.prepare(
        "UPDATE revisions SET phase = @phase, reason = @reason, started_at = @started_at, finished_at = @finished_at, duration_ms = @duration_ms WHERE app = @app AND id = @id",
      ),
      insertEvent: db.prepare("INSERT INTO events (app, time, type, reason, message, object) VALUES (?, ?, ?, ?, ?, ?)"),
      trimEvents: db.prepare(
        "DELETE FROM events WHERE app = ? AND seq IN (SELECT seq FROM events WHERE app = ? ORDER BY seq DESC LIMIT -1 OFFSET ?)",
      ),
      putHealthy: db.prepare(
        "INSERT OR REPLACE INTO healthy_objects (app, revision, commit_sha, objects, saved_at) VALUES (?, ?, ?, ?, ?)",
      ),
      healthy: db.prepare<[string], { revision: number; commit_sha: string; objects: string; saved_at: string }>(
        "SELECT revision, commit_sha, objects, saved_at FROM healthy_objects WHERE app = ?",
      ),
      lease: db.prepare<[], LeaseRow>("SELECT holder, acquired_at, expires_at_ms FROM lease WHERE id = 1"),
      putLease: db.prepare("INSERT OR REPLACE INTO lease (id, holder, acquired_at, expires_at_ms) VALUES (1, ?, ?, ?)"),
      deleteLease: db.prepare("DELETE FROM lease WHERE id = 1 AND holder = ?"),
    };
  }

  /** Runs `fn` in one IMMEDIATE transaction (the write lock taken up front, so no upgrade deadlock). */
  private tx<T>(fn: () => T): T {
    return this.read(() => this.db.transaction(fn).immediate());
  }

  private read<T>(fn: () => T): T {
    if (!this.db.open) throw new CapstanError("STATE_ERROR", `${this.file}: the state store is closed`);
    try {
      return fn();
    } catch (err) {
      if (err instanceof CapstanError) throw err;
      const code = (err as { code?: string }).code ?? "";
      const hint = code.startsWith("SQLITE_BUSY")
        ? " (another process held the database for more than 5 s; is a second capstan writing to this state directory?)"
        : code === "SQLITE_FULL"
          ? " (the disk is full)"
          : "";
      throw new CapstanError("STATE_ERROR", `${this.file}: ${(err as Error).message}${hint}`, { cause: err });
    }
  }

  private row(name: string): AppRow {
    return this.stmt.app.get(name) ?? notFound(name);
  }

  async upsertApp(spec: AppSpec): Promise<AppRecord> {
    const s = checkSpec(spec);
    return this.tx(() => {
      const now = isoAt(this.clock);
      const existing = this.stmt.app.get(s.name);
      if (existing && sameSpec(s, toApp(existing))) return toApp(existing);
      if (existing) {
        this.stmt.updateSpec.run(s.repo, s.path, s.targetRevision, s.revisionHistoryLimit, now, s.name);
        this.prune(s.name);
      } else {
        const st = initialStatus();
        this.stmt.insertApp.run({
          name: s.name,
          repo: s.repo,
          path: s.path,
          target_revision: s.targetRevision,
          history_limit: s.revisionHistoryLimit,
          ...statusColumns(st),
          next_revision: 1,
          version: 1,
          created_at: now,
          updated_at: now,
        });
      }
      return toApp(this.row(s.name));
    });
  }

  async getApp(name: string): Promise<AppRecord | null> {
    return this.read(() => {
      const row = this.stmt.app.get(name);
      return row ? toApp(row) : null;
    });
  }

  async listApps(): Promise<AppRecord[]> {
    return this.read(() => this.stmt.apps.all().map(toApp));
  }

  async deleteApp(name: string): Promise<boolean> {
    return this.tx(() => this.stmt.deleteApp.run(name).changes > 0);
  }

  private nextStatus(row: AppRow, next: Partial<AppStatus>): AppStatus {
    const merged = mergeStatus(row.name, toStatus(row), next);
    if (merged.pinned) {
      const r = this.stmt.revisionSummary.get(row.name, merged.pinned.id);
      if (!r || r.commit_sha !== merged.pinned.sha) {
        throw new CapstanError("STATE_ERROR", `application ${row.name}: cannot pin revision ${merged.pinned.id} (${merged.pinned.sha}): no stored revision has that id and commit (see capstan history ${row.name})`);
      }
    }
    if (merged.currentRevision !== null && !this.stmt.revisionSummary.get(row.name, merged.currentRevision)) {
      throw new CapstanError("STATE_ERROR", `application ${row.name}: current revision ${merged.currentRevision} is not stored`);
    }
    return merged;
  }

  /** Writes the status if the version still matches; the new version, or null on a conflict. */
  private writeStatus(row: AppRow, expected: number, next: Partial<AppStatus>): number | null {
    if (row.version !== expected) return null;
    const status = this.nextStatus(row, next);
    const changed = this.stmt.updateStatus.run({ name: row.name, expected, ...statusColumns(status), updated_at: isoAt(this.clock) }).changes;
    return changed === 1 ? expected + 1 : null;
  }

  async casAppStatus(app: string, expectedVersion: number, next: Partial<AppStatus>): Promise<CasResult> {
    return this.tx(() => {
      const row = this.row(app);
      const version = this.writeStatus(row, expectedVersion, next);
      if (version === null) return { ok: false, version: row.version };
      this.prune(app);
      return { ok: true, version };
    });
  }

  private prune(app: string, newest?: number): void {
    const row = this.row(app);
    const ids = this.stmt.revisionIds.all(app).map((r) => r.id);
    for (const id of idsToPrune(ids, row.history_limit, keptIds(toStatus(row), newest))) this.stmt.deleteRevision.run(app, id);
  }

  async beginRevision(app: string, input: NewRevision): Promise<RevisionSummary> {
    const r = checkRevision(app, input, this.redactionKey);
    return this.tx(() => {
      const row = this.row(app);
      const now = isoAt(this.clock);
      const id = row.next_revision;
      this.stmt.bumpNextRevision.run(app);
      this.stmt.insertRevision.run({
        app,
        id,
        commit_sha: r.commit,
        message: r.message,
        author: r.author,
        commit_time: r.commitTime,
        manifests: r.manifests,
        manifests_digest: r.manifestsDigest,
        initiator: r.initiator,
        phase: r.phase,
        created_at: now,
        started_at: r.phase === "Running" ? now : null,
      });
      this.prune(app, id);
      return toSummary(this.stmt.revisionSummary.get(app, id) as RevisionRow);
    });
  }

  async finishRevision(app: string, id: number, outcome: RevisionOutcome): Promise<OutcomeResult> {
    const healthyText = outcome.healthyObjects ? objectsText(app, outcome.healthyObjects, this.redactionKey) : undefined;
    return this.tx((): OutcomeResult => {
      const row = this.row(app);
      const rev = this.stmt.revisionSummary.get(app, id);
      if (!rev) throw new CapstanError("STATE_ERROR", `application ${app}: revision ${id} is not stored (pruned or never made)`);
      checkOutcome(app, id, rev.phase, outcome);
      const now = isoAt(this.clock);
      const event = outcome.event ? checkEvent(app, outcome.event, now) : undefined;
      let version = row.version;
      if (outcome.status) {
        const v = this.writeStatus(row, outcome.status.expectedVersion, outcome.status.next);
        if (v === null) return { ok: false, version: row.version };
        version = v;
      }
      let startedAt = rev.started_at;
      let finishedAt = rev.finished_at;
      let duration = rev.duration_ms;
      if (outcome.phase === "Running") {
        startedAt ??= now;
      } else if (rev.phase !== "Failed" || outcome.phase !== "RolledBack" || finishedAt === null) {
        startedAt ??= now;
        finishedAt = now;
        duration = durationMs(startedAt, now);
      }
      this.stmt.updateRevision.run({
        app,
        id,
        phase: outcome.phase,
        reason: outcome.reason ?? rev.reason,
        started_at: startedAt,
        finished_at: finishedAt,
        duration_ms: duration,
      });
      if (healthyText !== undefined) this.stmt.putHealthy.run(app, id, rev.commit_sha, healthyText, now);
      if (event) this.insertEvent(app, event);
      this.prune(app);
      return { ok: true, revision: toSummary(this.stmt.revisionSummary.get(app, id) as RevisionRow), version };
    });
  }

  async getRevision(app: string, id: number): Promise<Revision | null> {
    return this.read(() => {
      const row = this.stmt.revision.get(app, id);
      return row ? { ...toSummary(row), manifests: row.manifests ?? "" } : null;
    });
  }

  async listRevisions(app: string): Promise<RevisionSummary[]> {
    return this.read(() => this.stmt.revisions.all(app).map(toSummary));
  }

  private insertEvent(app: string, e: Required<EventInput>): StateEvent {
    const seq = Number(this.stmt.insertEvent.run(app, e.time, e.type, e.reason, e.message, e.object).lastInsertRowid);
    this.stmt.trimEvents.run(app, app, this.eventLimit);
    return { seq, app, ...e };
  }

  async recordEvent(app: string, event: EventInput): Promise<StateEvent> {
    return this.tx(() => {
      this.row(app);
      return this.insertEvent(app, checkEvent(app, event, isoAt(this.clock)));
    });
  }

  async listEvents(raw: EventQuery = {}): Promise<StateEvent[]> {
    const query = checkQuery(raw);
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (query.app !== undefined) {
      where.push("app = ?");
      args.push(query.app);
    }
    if (query.since !== undefined) {
      where.push("time >= ?");
      args.push(query.since);
    }
    if (query.limit !== undefined && query.limit <= 0) return [];
    const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const limit = query.limit === undefined ? "" : `LIMIT ${query.limit}`;
    return this.read(() => {
      const rows = this.db
        .prepare<(string | number)[], EventRow>(`SELECT * FROM (SELECT * FROM events ${filter} ORDER BY time DESC, seq DESC ${limit}) ORDER BY time, seq`)
        .all(...args);
      return rows.map(toEvent);
    });
  }

  async getHealthyObjects(app: string): Promise<HealthyObjects | null> {
    return this.read(() => {
      const row = this.stmt.healthy.get(app);
      return row ? { revision: row.revision, commit: row.commit_sha, objects: JSON.parse(row.objects) as unknown[], savedAt: row.saved_at } : null;
    });
  }

  private liveLease(now: number): LeaseRow | null {
    const row = this.stmt.lease.get();
    return row && row.expires_at_ms > now ? row : null;
  }

  async acquireLease(holder: string, ttlMs: number): Promise<LeaseResult> {
    checkHolder(holder);
    checkTtl(ttlMs);
    return this.tx((): LeaseResult => {
      const now = this.clock.nowMs();
      const live = this.liveLease(now);
      if (live && live.holder !== holder) return { ok: false, lease: toLease(live) };
      const acquiredAt = live ? live.acquired_at : new Date(now).toISOString();
      this.stmt.putLease.run(holder, acquiredAt, now + ttlMs);
      return { ok: true, lease: toLease({ holder, acquired_at: acquiredAt, expires_at_ms: now + ttlMs }) };
    });
  }

  async renewLease(holder: string, ttlMs: number): Promise<LeaseResult> {
    checkTtl(ttlMs);
    return this.tx((): LeaseResult => {
      const now = this.clock.nowMs();
      const live = this.liveLease(now);
      if (!live || live.holder !== holder) return { ok: false, lease: live ? toLease(live) : null };
      this.stmt.putLease.run(holder, live.acquired_at, now + ttlMs);
      return { ok: true, lease: toLease({ ...live, expires_at_ms: now + ttlMs }) };
    });
  }

  async releaseLease(holder: string): Promise<boolean> {
    return this.tx(() => {
      const live = this.liveLease(this.clock.nowMs());
      const removed = this.stmt.deleteLease.run(holder).changes > 0;
      return removed && live?.holder === holder;
    });
  }

  async leaseHolder(): Promise<Lease | null> {
    return this.read(() => {
      const live = this.liveLease(this.clock.nowMs());
      return live ? toLease(live) : null;
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function statusColumns(s: AppStatus) {
  return {
    sync: s.sync,
    health: s.health,
    health_message: s.healthMessage,
    current_revision: s.currentRevision,
    pinned_id: s.pinned?.id ?? null,
    pinned_sha: s.pinned?.sha ?? null,
    suspended: s.suspended ? 1 : 0,
    last_failed_commit: s.lastFailedCommit,
    sync_message: s.syncMessage,
    synced_commit: s.syncedCommit,
  };
}
