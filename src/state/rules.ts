/** Rules every StateStore adapter shares, so they cannot drift: validation, defaults, pruning, leases. */
import { createHash } from "node:crypto";
import { CapstanError } from "../errors.js";
import { redactSecrets } from "../diff/redact.js";
import type { RedactionKey } from "../diff/redact.js";
import { secretFreeManifests } from "./manifests-text.js";
import type { AppSpec, AppStatus, EventInput, EventQuery, Lease, NewRevision, RevisionOutcome } from "./types.js";
import { HEALTH_STATUSES, INITIATORS, SYNC_STATUSES } from "./types.js";

export const DEFAULT_REVISION_HISTORY_LIMIT = 10;
/** Events kept per application; older ones are dropped as new ones arrive. */
export const DEFAULT_EVENT_LIMIT = 1000;
const MESSAGE_MAX = 200;
const SHA = /^[0-9a-f]{7,64}$/;

export function initialStatus(): AppStatus {
  return {
    sync: "Unknown",
    health: "Unknown",
    healthMessage: "",
    currentRevision: null,
    pinned: null,
    suspended: false,
    lastFailedCommit: null,
    syncMessage: "",
    syncedCommit: null,
  };
}

function bad(message: string): never {
  throw new CapstanError("STATE_ERROR", message);
}

export function checkSpec(spec: AppSpec): Required<AppSpec> {
  if (!spec.name || typeof spec.name !== "string") bad("application name is empty");
  const limit = spec.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    bad(`application ${spec.name}: revisionHistoryLimit ${limit} must be a whole number of at least 1`);
  }
  return { ...spec, revisionHistoryLimit: limit };
}

export function notFound(app: string): never {
  throw new CapstanError("APPLICATION_NOT_FOUND", `application ${JSON.stringify(app)} is not in the state store (is it declared under apps/ and was the repository synced?)`);
}

/** `current` with `next` written over it, checked field by field. */
export function mergeStatus(app: string, current: AppStatus, next: Partial<AppStatus>): AppStatus {
  const merged: AppStatus = { ...current, ...next };
  if (!SYNC_STATUSES.includes(merged.sync)) bad(`application ${app}: sync status ${String(merged.sync)} is not one of ${SYNC_STATUSES.join(", ")}`);
  if (!HEALTH_STATUSES.includes(merged.health)) bad(`application ${app}: health ${String(merged.health)} is not one of ${HEALTH_STATUSES.join(", ")}`);
  if (merged.pinned !== null && (!Number.isInteger(merged.pinned.id) || !SHA.test(merged.pinned.sha))) {
    bad(`application ${app}: a pin needs a revision id and a commit SHA, got ${JSON.stringify(merged.pinned)}`);
  }
  if (merged.lastFailedCommit !== null && !SHA.test(merged.lastFailedCommit)) {
    bad(`application ${app}: lastFailedCommit ${JSON.stringify(merged.lastFailedCommit)} is not a commit SHA`);
  }
  if (merged.syncedCommit !== null && !SHA.test(merged.syncedCommit)) {
    bad(`application ${app}: syncedCommit ${JSON.stringify(merged.syncedCommit)} is not a commit SHA`);
  }
  return { ...merged, pinned: merged.pinned ? { id: merged.pinned.id, sha: merged.pinned.sha } : null };
}

export interface CheckedRevision extends Omit<NewRevision, "phase"> {
  phase: "Pending" | "Running";
  manifestsDigest: string;
}

/** The revision checked, its manifests with Secret values as HMAC markers under `key` (see `secretFreeManifests`). */
export function checkRevision(app: string, input: NewRevision, key: RedactionKey): CheckedRevision {
  if (!SHA.test(input.commit)) bad(`application ${app}: revision commit ${JSON.stringify(input.commit)} is not a commit SHA`);
  if (!INITIATORS.includes(input.initiator)) bad(`application ${app}: initiator ${String(input.initiator)} is not one of ${INITIATORS.join(", ")}`);
  const phase = input.phase ?? "Pending";
  if (phase !== "Pending" && phase !== "Running") bad(`application ${app}: a revision starts Pending or Running, not ${String(phase)}`);
  const firstLine = (input.message.split("\n", 1)[0] ?? "").trim();
  const manifests = secretFreeManifests(app, input.manifests, key);
  return {
    ...input,
    message: firstLine.length > MESSAGE_MAX ? `${firstLine.slice(0, MESSAGE_MAX - 1)}…` : firstLine,
    phase,
    manifests,
    manifestsDigest: manifestsDigest(manifests),
  };
}

export function manifestsDigest(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

export function checkOutcome(app: string, id: number, from: string, outcome: RevisionOutcome): void {
  const finals = ["Succeeded", "Failed", "RolledBack", "Superseded"];
  if (outcome.phase !== "Running" && !finals.includes(outcome.phase)) {
    bad(`application ${app}: revision ${id} cannot end as ${String(outcome.phase)} (use Running, Succeeded, Failed, RolledBack or Superseded)`);
  }
  if (from === "Failed" && outcome.phase === "RolledBack") return;
  if (finals.includes(from)) {
    bad(`application ${app}: revision ${id} already ended as ${from}; only a Failed revision may become RolledBack`);
  }
}

/** Ids to drop so at most `limit` remain, oldest first, never one in `keep`. `ids` is ascending. */
export function idsToPrune(ids: number[], limit: number, keep: ReadonlySet<number>): number[] {
  let excess = ids.length - limit;
  const out: number[] = [];
  for (const id of ids) {
    if (excess <= 0) break;
    if (keep.has(id)) continue;
    out.push(id);
    excess--;
  }
  return out;
}

export function keptIds(status: AppStatus, newest?: number): Set<number> {
  const keep = new Set<number>();
  if (status.currentRevision !== null) keep.add(status.currentRevision);
  if (status.pinned) keep.add(status.pinned.id);
  if (newest !== undefined) keep.add(newest);
  return keep;
}

export function checkEvent(app: string, event: EventInput, now: string): Required<EventInput> {
  if (event.type !== "Normal" && event.type !== "Warning") bad(`application ${app}: event type ${String(event.type)} is not Normal or Warning`);
  if (!event.reason) bad(`application ${app}: an event needs a reason`);
  return { type: event.type, reason: event.reason, message: event.message, object: event.object ?? "", time: event.time === undefined ? now : isoTime(event.time, "event time") };
}

export function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) bad(`lease ttl ${ttlMs} ms must be a positive number`);
}

export function leaseLive(lease: Lease | null, nowMs: number): lease is Lease {
  return lease !== null && Date.parse(lease.expiresAt) > nowMs;
}

export function durationMs(startedAt: string | null, finishedAt: string): number {
  return startedAt === null ? 0 : Math.max(0, Date.parse(finishedAt) - Date.parse(startedAt));
}

/** ISO 8601 in one form (UTC, milliseconds), so stored times order as text. */
export function isoTime(text: string, what: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) bad(`${what} ${JSON.stringify(text)} is not an ISO 8601 time (e.g. 2026-01-31T12:00:00Z)`);
  return new Date(ms).toISOString();
}

/**
 * The JSON text of objects to keep, every Secret value an HMAC marker under `key`. Whole numbers
 * held as bigint (as the template engine does) become numbers when they fit; anything JSON cannot
 * hold is refused rather than silently changed.
 */
export function objectsText(app: string, objects: unknown[], key: RedactionKey): string {
  try {
    return JSON.stringify(redactSecrets(objects, key), (_key, v: unknown) => {
      if (typeof v !== "bigint") return v;
      if (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(v);
      throw new Error(`the integer ${v} does not fit in a JSON number`);
    });
  } catch (err) {
    bad(`application ${app}: the healthy objects cannot be stored as JSON: ${(err as Error).message}`);
  }
}

export function sameSpec(a: Required<AppSpec>, b: { repo: string; path: string; targetRevision: string; revisionHistoryLimit: number }): boolean {
  return a.repo === b.repo && a.path === b.path && a.targetRevision === b.targetRevision && a.revisionHistoryLimit === b.revisionHistoryLimit;
}

/** The query with its time in stored form and its limit checked, the same for every adapter. */
export function checkQuery(query: EventQuery): EventQuery {
  if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 0)) {
    bad(`event query limit ${query.limit} must be a whole number of at least 0`);
  }
  return { ...query, ...(query.since === undefined ? {} : { since: isoTime(query.since, "since") }) };
}

export function checkHolder(holder: string): void {
  if (typeof holder !== "string" || holder.trim() === "") bad("a lease holder needs a name (for example host:pid)");
}
