/** Whether auto-sync should follow a new head commit, from the stored status alone. */
import type { AppStatus } from "./types.js";

export type AutoSyncDecision =
  | { sync: true }
  | { sync: false; reason: "Suspended" | "Pinned" | "FailedCommit" | "AlreadyApplied"; message: string };

/**
 * Auto-sync does not move a suspended or pinned application, and does not retry the commit whose
 * rollout failed until a newer one arrives (Argo CD would retry it on every refresh).
 */
export function autoSyncDecision(status: AppStatus, headSha: string, appliedSha: string | null): AutoSyncDecision {
  if (status.suspended) return { sync: false, reason: "Suspended", message: "auto-sync is suspended (capstan resume to follow the branch again)" };
  if (status.pinned) {
    return { sync: false, reason: "Pinned", message: `pinned at revision ${status.pinned.id} (${status.pinned.sha.slice(0, 7)}); capstan unpin to follow the branch` };
  }
  if (status.lastFailedCommit !== null && status.lastFailedCommit === headSha) {
    return { sync: false, reason: "FailedCommit", message: `commit ${headSha.slice(0, 7)} failed and was rolled back; waiting for a newer commit` };
  }
  if (appliedSha === headSha && status.sync === "Synced") return { sync: false, reason: "AlreadyApplied", message: `commit ${headSha.slice(0, 7)} is applied` };
  return { sync: true };
}
