// Status shown as shape + colour + word, so it reads the same without colour.
import { h } from "./dom.js";
import { absoluteTime, duration, relativeTime, shortSha } from "./format.js";

const HEALTH_TONE = { Healthy: "ok", Suspended: "muted", Progressing: "info", Missing: "warn", Degraded: "bad", Unknown: "muted" };
const SYNC_TONE = { Synced: "ok", OutOfSync: "warn", Unknown: "muted" };
const RESULT_TONE = { Succeeded: "ok", Failed: "bad", RolledBack: "warn", Running: "info", Pending: "info" };

export function healthBadge(health, message) {
  return h("span", { class: `badge tone-${HEALTH_TONE[health] ?? "muted"}`, title: message || null, "data-health": health },
    h("span", { class: `glyph health-${health}`, "aria-hidden": "true" }), health);
}

export function syncBadge(sync, pinned) {
  const word = sync === "OutOfSync" ? "Out of sync" : sync;
  return h("span", { class: `badge tone-${SYNC_TONE[sync] ?? "muted"}`, "data-sync": sync },
    h("span", { class: `glyph sync-${sync}`, "aria-hidden": "true" }), word, pinned ? h("span", { class: "sub" }, " (pinned)") : null);
}

export function pinnedBadge(pinned) {
  if (!pinned) return null;
  return h("span", { class: "badge pin", "data-pinned": "true", title: "Held here by a rollback: auto-sync does not follow the branch until unpinned" },
    h("span", { class: "glyph pin-glyph", "aria-hidden": "true" }), `Pinned to r${pinned.id} `, h("code", {}, shortSha(pinned.sha)));
}

export function suspendedBadge(suspended) {
  return suspended ? h("span", { class: "badge tone-muted", "data-suspended": "true" }, h("span", { class: "glyph pause", "aria-hidden": "true" }), "Auto-sync suspended") : null;
}

export function resultBadge(result) {
  const word = result === "RolledBack" ? "Rolled back" : result;
  return h("span", { class: `badge small tone-${RESULT_TONE[result] ?? "muted"}`, "data-result": result }, h("span", { class: `glyph result-${result}`, "aria-hidden": "true" }), word);
}

export function timeAgo(iso) {
  return h("time", { datetime: iso, title: absoluteTime(iso), "data-rel": "" }, relativeTime(iso));
}

export function commitLine(commit) {
  if (!commit) return h("span", { class: "muted" }, "no commit yet");
  return h("span", { class: "commit" },
    h("code", { class: "sha", title: commit.sha, "data-sha": commit.sha }, shortSha(commit.sha)), " ",
    h("span", { class: "msg" }, commit.message), " ",
    h("span", { class: "meta" }, commit.author, " · ", timeAgo(commit.time)));
}

export function lastSyncLine(last) {
  if (!last) return h("span", { class: "muted" }, "never synced");
  return h("span", { class: "last-sync" }, resultBadge(last.result), " ", h("span", { class: "meta" }, timeAgo(last.time),
    last.durationMs !== null ? ` · took ${duration(last.durationMs)}` : "", last.reason ? ` · ${last.reason}` : ""));
}
