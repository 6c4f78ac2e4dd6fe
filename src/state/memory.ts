/** The in-memory StateStore: the fake for unit tests, held to the same contract suite as SQLite. */
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
  leaseLive,
  mergeStatus,
  notFound,
  objectsText,
  sameSpec,
} from "./rules.js";
import type {
  AppRecord,
  AppSpec,
  AppStatus,
  CasResult,
  EventInput,
  EventQuery,
  HealthyObjects,
  Lease,
  LeaseResult,
  NewRevision,
  OutcomeResult,
  Revision,
  RevisionOutcome,
  RevisionSummary,
  StateEvent,
  StateStore,
} from "./types.js";

export interface MemoryStateStoreOptions {
  clock?: Clock;
  eventLimit?: number;
  /** Secret values in what is stored become HMACs under this key; by default a key random per process. */
  redactionKey?: RedactionKey;
}

interface AppEntry {
  record: AppRecord;
  nextRevision: number;
  revisions: Map<number, Revision>;
  healthy: HealthyObjects | null;
}

const clone = <T>(v: T): T => structuredClone(v);

function summary(r: Revision): RevisionSummary {
  const { manifests: _manifests, ...rest } = r;
  return clone(rest);
}

export class MemoryStateStore implements StateStore {
  private readonly clock: Clock;
  private readonly eventLimit: number;
  private readonly redactionKey: RedactionKey;
  private readonly apps = new Map<string, AppEntry>();
  private events: StateEvent[] = [];
  private seq = 0;
  private lease: Lease | null = null;
  private closed = false;

  constructor(options: MemoryStateStoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.eventLimit = options.eventLimit ?? DEFAULT_EVENT_LIMIT;
    this.redactionKey = options.redactionKey ?? processRedactionKey();
  }

  private open(): void {
    if (this.closed) throw new CapstanError("STATE_ERROR", "the state store is closed");
  }

  private entry(name: string): AppEntry {
    this.open();
    return this.apps.get(name) ?? notFound(name);
  }

  async upsertApp(spec: AppSpec): Promise<AppRecord> {
    this.open();
    const s = checkSpec(spec);
    const now = isoAt(this.clock);
    const existing = this.apps.get(s.name);
    if (existing) {
      const r = existing.record;
      if (sameSpec(s, r)) return clone(r);
      Object.assign(r, { repo: s.repo, path: s.path, targetRevision: s.targetRevision, revisionHistoryLimit: s.revisionHistoryLimit });
      r.version++;
      r.updatedAt = now;
      this.prune(existing);
      return clone(r);
    }
    const record: AppRecord = {
      name: s.name,
      repo: s.repo,
      path: s.path,
      targetRevision: s.targetRevision,
      revisionHistoryLimit: s.revisionHistoryLimit,
      status: initialStatus(),
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    this.apps.set(s.name, { record, nextRevision: 1, revisions: new Map(), healthy: null });
    return clone(record);
  }

  async getApp(name: string): Promise<AppRecord | null> {
    this.open();
    const e = this.apps.get(name);
    return e ? clone(e.record) : null;
  }

  async listApps(): Promise<AppRecord[]> {
    this.open();
    return [...this.apps.values()].map((e) => clone(e.record)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async deleteApp(name: string): Promise<boolean> {
    this.open();
    const had = this.apps.delete(name);
    this.events = this.events.filter((e) => e.app !== name);
    return had;
  }

  /** Validates without writing: a status that refers to revisions must find them. */
  private nextStatus(e: AppEntry, next: Partial<AppStatus>): AppStatus {
    const name = e.record.name;
    const merged = mergeStatus(name, e.record.status, next);
    if (merged.pinned) {
      const r = e.revisions.get(merged.pinned.id);
      if (!r || r.commit !== merged.pinned.sha) {
        throw new CapstanError("STATE_ERROR", `application ${name}: cannot pin revision ${merged.pinned.id} (${merged.pinned.sha}): no stored revision has that id and commit (see capstan history ${name})`);
      }
    }
    if (merged.currentRevision !== null && !e.revisions.has(merged.currentRevision)) {
      throw new CapstanError("STATE_ERROR", `application ${name}: current revision ${merged.currentRevision} is not stored`);
    }
    return merged;
  }

  async casAppStatus(app: string, expectedVersion: number, next: Partial<AppStatus>): Promise<CasResult> {
    const e = this.entry(app);
    if (e.record.version !== expectedVersion) return { ok: false, version: e.record.version };
    e.record.status = this.nextStatus(e, next);
    e.record.version++;
    e.record.updatedAt = isoAt(this.clock);
    this.prune(e);
    return { ok: true, version: e.record.version };
  }

  private prune(e: AppEntry, newest?: number): void {
    const ids = [...e.revisions.keys()].sort((a, b) => a - b);
    for (const id of idsToPrune(ids, e.record.revisionHistoryLimit, keptIds(e.record.status, newest))) e.revisions.delete(id);
  }

  async beginRevision(app: string, input: NewRevision): Promise<RevisionSummary> {
    const e = this.entry(app);
    const r = checkRevision(app, input, this.redactionKey);
    const now = isoAt(this.clock);
    const revision: Revision = {
      app,
      id: e.nextRevision,
      commit: r.commit,
      message: r.message,
      author: r.author,
      commitTime: r.commitTime,
      manifests: r.manifests,
      manifestsDigest: r.manifestsDigest,
      initiator: r.initiator,
      phase: r.phase,
      reason: "",
      createdAt: now,
      startedAt: r.phase === "Running" ? now : null,
      finishedAt: null,
      durationMs: null,
    };
    e.nextRevision++;
    e.revisions.set(revision.id, revision);
    this.prune(e, revision.id);
    return summary(revision);
  }

  async finishRevision(app: string, id: number, outcome: RevisionOutcome): Promise<OutcomeResult> {
    const e = this.entry(app);
    const r = e.revisions.get(id);
    if (!r) throw new CapstanError("STATE_ERROR", `application ${app}: revision ${id} is not stored (pruned or never made)`);
    checkOutcome(app, id, r.phase, outcome);
    let status: AppStatus | undefined;
    if (outcome.status) {
      if (e.record.version !== outcome.status.expectedVersion) return { ok: false, version: e.record.version };
      status = this.nextStatus(e, outcome.status.next);
    }
    const now = isoAt(this.clock);
    const event = outcome.event ? checkEvent(app, outcome.event, now) : undefined;
    const healthyText = outcome.healthyObjects ? objectsText(app, outcome.healthyObjects, this.redactionKey) : undefined;
    // Everything is checked: from here on nothing throws, so the change is all-or-nothing.
    if (outcome.phase === "Running") {
      r.phase = "Running";
      r.startedAt ??= now;
    } else {
      if (r.phase !== "Failed" || outcome.phase !== "RolledBack" || r.finishedAt === null) {
        r.startedAt ??= now;
        r.finishedAt = now;
        r.durationMs = durationMs(r.startedAt, now);
      }
      r.phase = outcome.phase;
    }
    if (outcome.reason !== undefined) r.reason = outcome.reason;
    if (healthyText !== undefined) {
      e.healthy = { revision: id, commit: r.commit, objects: JSON.parse(healthyText) as unknown[], savedAt: now };
    }
    if (status) {
      e.record.status = status;
      e.record.version++;
      e.record.updatedAt = now;
    }
    if (event) this.pushEvent(app, event);
    this.prune(e);
    return { ok: true, revision: summary(r), version: e.record.version };
  }

  async getRevision(app: string, id: number): Promise<Revision | null> {
    this.open();
    const r = this.apps.get(app)?.revisions.get(id);
    return r ? clone(r) : null;
  }

  async listRevisions(app: string): Promise<RevisionSummary[]> {
    this.open();
    const e = this.apps.get(app);
    if (!e) return [];
    return [...e.revisions.values()].sort((a, b) => a.id - b.id).map(summary);
  }

  private pushEvent(app: string, event: Required<EventInput>): StateEvent {
    const stored: StateEvent = { seq: ++this.seq, app, ...event };
    this.events.push(stored);
    const mine = this.events.filter((x) => x.app === app);
    if (mine.length > this.eventLimit) {
      const drop = new Set(mine.slice(0, mine.length - this.eventLimit).map((x) => x.seq));
      this.events = this.events.filter((x) => !drop.has(x.seq));
    }
    return clone(stored);
  }

  async recordEvent(app: string, event: EventInput): Promise<StateEvent> {
    this.entry(app);
    return this.pushEvent(app, checkEvent(app, event, isoAt(this.clock)));
  }

  async listEvents(raw: EventQuery = {}): Promise<StateEvent[]> {
    this.open();
    const query = checkQuery(raw);
    const since = query.since === undefined ? undefined : Date.parse(query.since);
    let out = this.events.filter(
      (e) => (query.app === undefined || e.app === query.app) && (since === undefined || Date.parse(e.time) >= since),
    );
    out = [...out].sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || a.seq - b.seq);
    if (query.limit !== undefined) out = query.limit <= 0 ? [] : out.slice(-query.limit);
    return clone(out);
  }

  async getHealthyObjects(app: string): Promise<HealthyObjects | null> {
    this.open();
    const h = this.apps.get(app)?.healthy;
    return h ? clone(h) : null;
  }

  async acquireLease(holder: string, ttlMs: number): Promise<LeaseResult> {
    this.open();
    checkHolder(holder);
    checkTtl(ttlMs);
    const now = this.clock.nowMs();
    if (leaseLive(this.lease, now) && this.lease.holder !== holder) return { ok: false, lease: clone(this.lease) };
    const keep = leaseLive(this.lease, now) && this.lease.holder === holder;
    this.lease = {
      holder,
      acquiredAt: keep && this.lease ? this.lease.acquiredAt : new Date(now).toISOString(),
      expiresAt: new Date(now + ttlMs).toISOString(),
    };
    return { ok: true, lease: clone(this.lease) };
  }

  async renewLease(holder: string, ttlMs: number): Promise<LeaseResult> {
    this.open();
    checkTtl(ttlMs);
    const now = this.clock.nowMs();
    if (!leaseLive(this.lease, now) || this.lease.holder !== holder) {
      return { ok: false, lease: leaseLive(this.lease, now) ? clone(this.lease) : null };
    }
    this.lease = { ...this.lease, expiresAt: new Date(now + ttlMs).toISOString() };
    return { ok: true, lease: clone(this.lease) };
  }

  async releaseLease(holder: string): Promise<boolean> {
    this.open();
    if (!this.lease || this.lease.holder !== holder) return false;
    const live = leaseLive(this.lease, this.clock.nowMs());
    this.lease = null;
    return live;
  }

  async leaseHolder(): Promise<Lease | null> {
    this.open();
    return leaseLive(this.lease, this.clock.nowMs()) ? clone(this.lease) : null;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
