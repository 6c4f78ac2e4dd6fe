// The applications list: one row per application, updated in place from the stream.
import { h, replace } from "../dom.js";
import { commitLine, healthBadge, lastSyncLine, pinnedBadge, suspendedBadge, syncBadge } from "../badges.js";
import { store } from "../store.js";

export function listView(main) {
  let filter = "";
  const summary = h("p", { class: "summary", id: "apps-summary" });
  const list = h("ul", { class: "apps", id: "apps", "aria-labelledby": "apps-title" });
  const search = h("input", {
    type: "search",
    id: "app-filter",
    placeholder: "Filter by name, namespace or status",
    "aria-label": "Filter applications",
    oninput: (e) => {
      filter = e.target.value.trim().toLowerCase();
      render();
    },
  });
  replace(main,
    h("div", { class: "page-head" }, h("h1", { id: "apps-title" }, "Applications"), search),
    summary,
    h("div", { class: "apps-head", "aria-hidden": "true" }, h("span", {}, "Application"), h("span", {}, "Status"), h("span", {}, "Current commit"), h("span", {}, "Last sync")),
    list);

  function render() {
    const all = store.apps();
    const shown = all.filter((a) => !filter || [a.name, a.namespace, a.health, a.sync].some((s) => s.toLowerCase().includes(filter)));
    replace(summary, ...counts(all));
    if (!store.loaded) return replace(list, h("li", { class: "empty" }, "Loading…"));
    if (all.length === 0) return replace(list, h("li", { class: "empty" }, "No applications yet. Add apps/<name>.yaml to the repository the daemon follows."));
    if (shown.length === 0) return replace(list, h("li", { class: "empty" }, `No application matches “${filter}”.`));
    replace(list, ...shown.map(row));
  }
  render();
  return store.onApps(render);
}

function counts(apps) {
  const by = (key) => apps.reduce((m, a) => m.set(a[key], (m.get(a[key]) ?? 0) + 1), new Map());
  const health = by("health");
  const sync = by("sync");
  const parts = [`${apps.length} application${apps.length === 1 ? "" : "s"}`];
  for (const k of ["Healthy", "Progressing", "Degraded", "Missing", "Suspended", "Unknown"]) if (health.get(k)) parts.push(`${health.get(k)} ${k}`);
  if (sync.get("OutOfSync")) parts.push(`${sync.get("OutOfSync")} out of sync`);
  const pinned = apps.filter((a) => a.pinned).length;
  if (pinned) parts.push(`${pinned} pinned`);
  return parts.flatMap((p, i) => (i === 0 ? [h("strong", {}, p)] : [" · ", p]));
}

function row(app) {
  return h("li", { class: `app-row health-edge-${app.health}`, "data-app": app.name },
    h("div", { class: "cell name" },
      h("a", { href: `#/apps/${encodeURIComponent(app.name)}`, "data-focus": `app-${app.name}`, class: "app-link" }, app.name),
      h("span", { class: "ns" }, app.namespace)),
    h("div", { class: "cell status" }, healthBadge(app.health, app.healthMessage), syncBadge(app.sync, app.pinned), pinnedBadge(app.pinned), suspendedBadge(app.suspended),
      app.healthMessage ? h("span", { class: `health-msg msg-${app.health}` }, app.healthMessage) : null),
    h("div", { class: "cell commit-cell" }, h("span", { class: "label" }, "Commit "), commitLine(app.commit)),
    h("div", { class: "cell sync-cell" }, h("span", { class: "label" }, "Last sync "), lastSyncLine(app.lastSync)));
}
