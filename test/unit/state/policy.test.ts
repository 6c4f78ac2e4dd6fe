import { describe, expect, it } from "vitest";
import { autoSyncDecision } from "../../../src/state/policy.js";
import { initialStatus } from "../../../src/state/rules.js";

const head = "b".repeat(40);
const applied = "a".repeat(40);

describe("auto-sync decision", () => {
  it("follows a new head commit of an application that is neither pinned nor suspended", () => {
    expect(autoSyncDecision({ ...initialStatus(), sync: "Synced" }, head, applied)).toEqual({ sync: true });
  });

  it("holds a pinned application at its pin and says how to release it", () => {
    const d = autoSyncDecision({ ...initialStatus(), pinned: { id: 4, sha: applied } }, head, applied);
    expect(d).toMatchObject({ sync: false, reason: "Pinned", message: expect.stringContaining("capstan unpin") });
  });

  it("does not move a suspended application", () => {
    expect(autoSyncDecision({ ...initialStatus(), suspended: true }, head, applied)).toMatchObject({ sync: false, reason: "Suspended" });
  });

  it("skips the commit that failed, but not a newer one", () => {
    const status = { ...initialStatus(), lastFailedCommit: head };
    expect(autoSyncDecision(status, head, applied)).toMatchObject({ sync: false, reason: "FailedCommit" });
    expect(autoSyncDecision(status, "c".repeat(40), applied)).toEqual({ sync: true });
  });

  it("does nothing when the head is applied and in sync, and syncs again when it drifted", () => {
    expect(autoSyncDecision({ ...initialStatus(), sync: "Synced" }, applied, applied)).toMatchObject({ sync: false, reason: "AlreadyApplied" });
    expect(autoSyncDecision({ ...initialStatus(), sync: "OutOfSync" }, applied, applied)).toEqual({ sync: true });
  });
});
