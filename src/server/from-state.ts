/**
 * Pure mappings from the state store's records to the view's shapes, for the daemon's DaemonView:
 * what the list shows of an application is its record plus its revisions.
 */
import type { AppRecord, RevisionSummary, StateEvent } from "../state/types.js";
import type { AppSummary, EventView, HistoryEntry, LastSync } from "./view.js";

export function historyEntry(r: RevisionSummary): HistoryEntry {
  return {
    id: r.id,
    sha: r.commit,
    message: r.message,
    author: r.author,
    commitTime: r.commitTime,
    initiator: r.initiator,
    phase: r.phase,
    reason: r.reason,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: r.durationMs,
    digest: r.manifestsDigest,
  };
}

/** The latest revision's outcome; a Pending one shows as Running (it is queued to run). */
export function lastSync(revisions: readonly RevisionSummary[]): LastSync | null {
  let latest: RevisionSummary | undefined;
  for (const r of revisions) if (!latest || r.id > latest.id) latest = r;
  if (!latest) return null;
  return {
    result: latest.phase === "Pending" ? "Running" : latest.phase,
    revisionId: latest.id,
    time: latest.finishedAt ?? latest.startedAt ?? latest.createdAt,
    durationMs: latest.durationMs,
    reason: latest.reason,
  };
}

/** An application's list row from its record and its stored revisions (any order). */
export function appSummary(record: AppRecord, revisions: readonly RevisionSummary[], namespace: string): AppSummary {
  const s = record.status;
  const current = s.currentRevision === null ? undefined : revisions.find((r) => r.id === s.currentRevision);
  return {
    name: record.name,
    namespace,
    sync: s.sync,
    syncMessage: s.syncMessage,
    syncedCommit: s.syncedCommit ?? current?.commit ?? null,
    health: s.health,
    healthMessage: s.healthMessage,
    currentRevision: s.currentRevision,
    commit: current ? { sha: current.commit, message: current.message, author: current.author, time: current.commitTime } : null,
    pinned: s.pinned,
    suspended: s.suspended,
    lastSync: lastSync(revisions),
    source: { repo: record.repo, path: record.path, targetRevision: record.targetRevision },
  };
}

export function eventView(e: StateEvent): EventView {
  return { seq: e.seq, app: e.app, type: e.type, reason: e.reason, message: e.message, object: e.object, time: e.time };
}
