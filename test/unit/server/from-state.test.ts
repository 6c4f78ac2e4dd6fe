import { describe, expect, it } from "vitest";
import type { AppRecord, RevisionSummary } from "../../../src/state/types.js";
import { appSummary, historyEntry } from "../../../src/server/index.js";

const record: AppRecord = {
  name: "web",
  repo: "https://git.example.com/deploy.git",
  path: "charts/web",
  targetRevision: "main",
  revisionHistoryLimit: 10,
  status: { sync: "OutOfSync", health: "Healthy", healthMessage: "", currentRevision: 1, pinned: { id: 1, sha: "a".repeat(40) }, suspended: false, lastFailedCommit: null, syncMessage: "", syncedCommit: null },
  version: 3,
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
};

function rev(id: number, phase: RevisionSummary["phase"], commit: string): RevisionSummary {
  return {
    app: "web",
    id,
    commit,
    message: `commit ${id}`,
    author: "Ada",
    commitTime: `2026-01-0${id}T00:00:00Z`,
    manifestsDigest: `sha256:${id}`,
    initiator: "webhook",
    phase,
    reason: phase === "Failed" ? "ProgressDeadlineExceeded" : "",
    createdAt: `2026-01-0${id}T00:01:00Z`,
    startedAt: phase === "Pending" ? null : `2026-01-0${id}T00:02:00Z`,
    finishedAt: phase === "Succeeded" || phase === "Failed" ? `2026-01-0${id}T00:03:00Z` : null,
    durationMs: phase === "Succeeded" || phase === "Failed" ? 60_000 : null,
  };
}

describe("state records as the dashboard shows them", () => {
  it("takes the current commit from the current revision and the last sync from the newest one", () => {
    const s = appSummary(record, [rev(2, "Failed", "b".repeat(40)), rev(1, "Succeeded", "a".repeat(40))], "shop");
    expect(s.commit).toEqual({ sha: "a".repeat(40), message: "commit 1", author: "Ada", time: "2026-01-01T00:00:00Z" });
    expect(s.lastSync).toEqual({ result: "Failed", revisionId: 2, time: "2026-01-02T00:03:00Z", durationMs: 60_000, reason: "ProgressDeadlineExceeded" });
    expect(s.pinned).toEqual({ id: 1, sha: "a".repeat(40) });
    expect(s.source).toEqual({ repo: record.repo, path: "charts/web", targetRevision: "main" });
    expect(s.namespace).toBe("shop");
  });

  it("shows a queued sync as Running and an application never synced without commit or last sync", () => {
    expect(appSummary(record, [rev(1, "Succeeded", "a".repeat(40)), rev(3, "Pending", "c".repeat(40))], "shop").lastSync?.result).toBe("Running");
    const fresh = appSummary({ ...record, status: { ...record.status, currentRevision: null, pinned: null } }, [], "shop");
    expect(fresh.commit).toBeNull();
    expect(fresh.lastSync).toBeNull();
  });

  it("names a revision's commit sha and manifests digest", () => {
    expect(historyEntry(rev(1, "Succeeded", "a".repeat(40)))).toMatchObject({ id: 1, sha: "a".repeat(40), digest: "sha256:1", phase: "Succeeded" });
  });
});
