// One application: status and actions, objects tree, history timeline, events, diff and pod logs.
import { ApiError, get, getText } from "../api.js";
import { commitLine, healthBadge, lastSyncLine, pinnedBadge, resultBadge, suspendedBadge, syncBadge, timeAgo } from "../badges.js";
import { runAction } from "../dialogs.js";
import { announce, h, replace, toast } from "../dom.js";
import { age, duration, shortSha } from "../format.js";
import { store } from "../store.js";

export function appView(main, name) {
  let alive = true;
  let detail = null;
  let history = [];
  let events = [];
  let logsFor = null;

  const head = h("div", { class: "app-head" });
  const objects = h("div", { id: "objects-body" }, "Loading…");
  const historyBody = h("div", { id: "history-body" }, "Loading…");
  const eventsBody = h("div", { id: "events-body" }, "Loading…");
  const diffBody = h("div", { id: "diff-body" }, "Loading…");
  const logsBody = h("div", { id: "logs-body" }, h("p", { class: "muted" }, "Choose “Logs” beside a pod above."));

  replace(main,
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/" }, "Applications"), h("span", { "aria-hidden": "true" }, " / "), h("span", { "aria-current": "page" }, name)),
    head,
    h("nav", { class: "jump", "aria-label": "Sections" }, ["Objects", "History", "Events", "Diff", "Logs"].map((s) => h("a", { href: `#/apps/${name}/${s.toLowerCase()}`, "data-section": s.toLowerCase() }, s))),
    h("div", { class: "app-grid" },
      h("section", { id: "objects", tabindex: "-1", "aria-labelledby": "objects-h", class: "card" }, h("h2", { id: "objects-h" }, "Objects"), objects),
      h("section", { id: "history", tabindex: "-1", "aria-labelledby": "history-h", class: "card" }, h("h2", { id: "history-h" }, "History"), historyBody),
      h("section", { id: "events", tabindex: "-1", "aria-labelledby": "events-h", class: "card" }, h("h2", { id: "events-h" }, "Events"), eventsBody),
      h("section", { id: "diff", tabindex: "-1", "aria-labelledby": "diff-h", class: "card" }, h("h2", { id: "diff-h" }, "Live vs Git"), diffBody),
      h("section", { id: "logs", tabindex: "-1", "aria-labelledby": "logs-h", class: "card wide" }, h("h2", { id: "logs-h" }, "Pod logs"), logsBody)));

  const fail = (target, err) => {
    if (!alive) return;
    if (err instanceof ApiError && err.status === 404 && err.code === "APPLICATION_NOT_FOUND") {
      replace(main, h("h1", {}, "Not found"), h("p", {}, err.message), h("p", {}, h("a", { href: "#/" }, "Back to applications")));
      alive = false;
      return;
    }
    replace(target, h("p", { class: "error", role: "alert" }, err.message));
  };

  // Reloads overlap during a rollout; only the newest answer is drawn, so an older one never overwrites it.
  let loads = 0;
  let diffs = 0;

  async function load() {
    const mine = ++loads;
    try {
      const [d, hist, evs] = await Promise.all([get(`/apps/${name}`), get(`/apps/${name}/history?limit=50`), get(`/apps/${name}/events?limit=100`)]);
      if (!alive || mine !== loads) return;
      detail = d;
      history = hist;
      events = evs;
      renderHead();
      replace(objects, driftList(d.drift ?? [], d.kept ?? []), objectsTree(d.objects, showLogs));
      renderHistory();
      renderEvents();
    } catch (err) {
      if (mine === loads) fail(objects, err);
    }
  }

  async function loadDiff() {
    const mine = ++diffs;
    try {
      const diff = await get(`/apps/${name}/diff`);
      if (alive && mine === diffs) replace(diffBody, diffText(diff.text));
    } catch (err) {
      if (mine === diffs) fail(diffBody, err);
    }
  }

  function summary() {
    return store.app(name) ?? detail;
  }

  function renderHead() {
    const app = summary();
    if (!app) return;
    replace(head,
      h("div", { class: "title-row" },
        h("h1", {}, app.name),
        h("span", { class: "ns" }, `namespace ${app.namespace}`)),
      h("div", { class: "status-row", id: "app-status" }, healthBadge(app.health, app.healthMessage), syncBadge(app.sync, app.pinned), pinnedBadge(app.pinned), suspendedBadge(app.suspended)),
      app.healthMessage ? h("p", { class: `health-msg msg-${app.health}` }, app.healthMessage) : null,
      app.syncMessage ? h("p", { class: `sync-msg msg-${app.sync === "Synced" ? "Healthy" : app.sync === "Unknown" ? "Unknown" : "Degraded"}`, id: "sync-message" }, app.syncMessage) : null,
      h("dl", { class: "facts" },
        h("div", {}, h("dt", {}, "Commit"), h("dd", {}, commitLine(app.commit), app.currentRevision ? h("span", { class: "meta" }, ` · revision r${app.currentRevision}`) : null)),
        h("div", {}, h("dt", {}, "Last sync"), h("dd", {}, lastSyncLine(app.lastSync))),
        h("div", {}, h("dt", {}, "Source"), h("dd", {}, h("code", {}, app.source.repo), " ", h("span", { class: "meta" }, `path ${app.source.path} · follows ${app.source.targetRevision}`)))),
      h("div", { class: "actions", role: "group", "aria-label": "Actions" },
        actionButton("sync", "Sync now", `Sync ${app.name} now`),
        actionButton("refresh", "Refresh", `Fetch Git again for ${app.name}`),
        app.suspended ? actionButton("resume", "Resume auto-sync", `Resume auto-sync of ${app.name}`) : actionButton("suspend", "Suspend auto-sync", `Suspend auto-sync of ${app.name}`),
        app.pinned ? actionButton("unpin", "Unpin", `Unpin ${app.name} so auto-sync follows ${app.source.targetRevision} again`) : null));
  }

  function actionButton(action, label, description) {
    return h("button", { type: "button", class: "btn", "data-focus": `action-${action}`, "data-action": action, title: description, onclick: () => doAction(action, label) }, label);
  }

  async function doAction(action, label, options = {}) {
    try {
      const updated = await runAction(name, action, options);
      if (!updated) return;
      store.set(updated);
      const msg = options.done ?? `${label}: done for ${name}.`;
      toast(msg);
      announce(msg);
      reload();
    } catch (err) {
      toast(`${label} failed: ${err.message}`, "bad");
    }
  }

  function renderHistory() {
    const app = summary();
    if (history.length === 0) return replace(historyBody, h("p", { class: "muted" }, "No revisions yet."));
    replace(historyBody, h("ol", { class: "timeline", "aria-label": "Revisions, newest first" }, history.map((r) => {
      const current = app?.currentRevision === r.id;
      const pinned = app?.pinned?.id === r.id;
      return h("li", { class: `rev phase-${r.phase}`, "data-revision": r.id },
        h("div", { class: "rev-head" },
          h("span", { class: "rev-id" }, `r${r.id}`), resultBadge(r.phase),
          current ? h("span", { class: "tag" }, "current") : null, pinned ? h("span", { class: "tag pin-tag" }, "pinned") : null),
        h("p", { class: "rev-commit" }, h("code", { title: r.sha }, shortSha(r.sha)), " ", r.message),
        h("p", { class: "meta" }, `${r.author} · `, timeAgo(r.startedAt ?? r.commitTime), ` · by ${r.initiator}`, r.durationMs !== null ? ` · ${duration(r.durationMs)}` : "", r.reason ? ` · ${r.reason}` : ""),
        current ? null : h("button", {
          type: "button",
          class: "btn small",
          "data-focus": `rollback-${r.id}`,
          "aria-label": `Roll back ${name} to revision ${r.id} (${shortSha(r.sha)})`,
          onclick: () => doAction("rollback", "Rollback", {
            body: { revision: String(r.id) },
            // The daemon answers once the rollback is queued; it is recorded as a new revision, which the pin then names.
            done: `Rolling back ${name} to revision ${r.id} (${shortSha(r.sha)}): applied as a new revision and pinned there until you unpin.`,
            confirm: {
              title: `Roll back ${name} to revision ${r.id}?`,
              text: `Capstan re-applies revision ${r.id} (commit ${shortSha(r.sha)} “${r.message}”) and pins ${name} there: auto-sync stops following ${app?.source.targetRevision ?? "its branch"} until you unpin.${r.phase === "Failed" ? " This revision failed before." : ""}`,
              button: "Roll back",
              danger: true,
            },
          }),
        }, "Roll back to this"));
    })));
  }

  function renderEvents() {
    if (events.length === 0) return replace(eventsBody, h("p", { class: "muted" }, "No events."));
    replace(eventsBody, h("ol", { class: "events", "aria-label": "Events, newest first" }, events.slice().reverse().slice(0, 100).map((e) =>
      h("li", { class: `event type-${e.type}` },
        h("span", { class: `badge small tone-${e.type === "Warning" ? "warn" : "muted"}` }, h("span", { class: `glyph event-${e.type}`, "aria-hidden": "true" }), e.type),
        " ", h("strong", {}, e.reason), e.object ? h("span", { class: "meta" }, ` ${e.object}`) : null,
        h("span", { class: "event-msg" }, e.message), h("span", { class: "meta" }, timeAgo(e.time))))));
  }

  async function showLogs(pod) {
    logsFor = pod;
    const tail = h("select", { id: "log-tail", "aria-label": "Lines", onchange: () => fetchLogs() }, [50, 200, 1000, 5000].map((n) => h("option", { value: n, selected: n === 200 }, `last ${n} lines`)));
    const pre = h("pre", { class: "logs", tabindex: "0", "aria-label": `Logs of ${pod}` }, "Loading…");
    const fetchLogs = async () => {
      try {
        const text = await getText(`/apps/${name}/pods/${encodeURIComponent(pod)}/logs?tail=${tail.value}`);
        if (logsFor === pod) {
          pre.textContent = text || "(no output)";
          pre.scrollTop = pre.scrollHeight;
        }
      } catch (err) {
        pre.textContent = err.message;
      }
    };
    replace(logsBody,
      h("div", { class: "logs-bar" }, h("strong", {}, pod), tail, h("button", { type: "button", class: "btn small", onclick: fetchLogs }, "Reload")),
      pre);
    document.getElementById("logs")?.scrollIntoView({ block: "start" });
    pre.focus({ preventScroll: true });
    fetchLogs();
  }

  // Live vs Git changes with every sync, rollback and commit, so it is fetched again with the detail.
  function reload() {
    load();
    loadDiff();
  }

  // Live: a status change redraws the header and refetches the detail and diff (debounced); events append.
  let timer = 0;
  const offApps = store.onApps((changed) => {
    if (!alive || (changed !== null && changed !== name)) return;
    renderHead();
    clearTimeout(timer);
    timer = setTimeout(reload, 250);
  });
  const offEvents = store.onEvent((e) => {
    if (!alive || e.app !== name || events.some((x) => x.seq === e.seq)) return;
    events.push(e);
    renderEvents();
  });

  renderHead();
  load();
  loadDiff();
  return () => {
    alive = false;
    offApps();
    offEvents();
    clearTimeout(timer);
  };
}

/** What runs differently from Git (live vs desired, field by field) and objects kept with pruning off. */
function driftList(drift, kept) {
  if (drift.length === 0 && kept.length === 0) return null;
  return h("section", { class: "drift", "aria-label": "Out of sync" },
    h("h3", {}, "Out of sync"),
    h("ul", { class: "tree plain" },
      drift.map((d) => h("li", { class: "drift-item" }, h("code", {}, d.object), " ", h("span", { class: "kind" }, d.field), ": live ", h("code", {}, d.live), ", desired ", h("code", {}, d.desired))),
      kept.map((k) => h("li", { class: "kept-item" }, h("span", { class: "kind" }, k.kind), " ", h("strong", {}, k.name), h("span", { class: "meta" }, " not in Git (prune off)")))));
}

function objectsTree(objects, showLogs) {
  const groups = [];
  if (objects.workloads.length) groups.push(h("ul", { class: "tree", "aria-label": "Workloads" }, objects.workloads.map((w) => workload(w, showLogs))));
  if (objects.services.length) groups.push(h("ul", { class: "tree", "aria-label": "Services" }, objects.services.map(service)));
  const names = [["ConfigMap", objects.configMaps], ["Secret", objects.secrets], ["PersistentVolumeClaim", objects.persistentVolumeClaims]];
  const plain = names.flatMap(([kind, list]) => list.map((n) => h("li", {}, h("span", { class: "kind" }, kind), " ", n)));
  if (plain.length) groups.push(h("ul", { class: "tree plain", "aria-label": "Configuration" }, plain));
  return groups.length ? groups : h("p", { class: "muted" }, "No objects.");
}

function workload(w, showLogs) {
  const children = [];
  for (const set of w.revisionSets) {
    children.push(h("li", { class: "set" },
      h("div", { class: "node-line" }, h("span", { class: "kind" }, "Revision set"), " ", h("code", {}, set.revision),
        set.current ? h("span", { class: "tag" }, "current") : h("span", { class: "tag muted" }, "old"),
        h("span", { class: "meta" }, ` ${set.pods.length} of ${set.desired} pods`)),
      set.pods.length ? h("ul", {}, set.pods.map((p) => pod(p, showLogs))) : null));
  }
  for (const job of w.jobs ?? []) children.push(workload(job, showLogs));
  return h("li", { class: "workload" },
    h("div", { class: "node-line" }, h("span", { class: "kind" }, w.kind), " ", h("strong", {}, w.name), " ", healthBadge(w.health, w.healthMessage),
      w.kind === "CronJob" ? null : h("span", { class: "meta" }, ` ${w.ready}/${w.desired} ready`),
      w.healthMessage ? h("span", { class: `health-msg msg-${w.health}` }, w.healthMessage) : null),
    children.length ? h("ul", {}, children) : null);
}

function pod(p, showLogs) {
  const state = p.phase === "Succeeded" ? "Completed" : p.ready ? "Ready" : "Not ready";
  const tone = p.phase === "Succeeded" ? "muted" : p.ready ? "ok" : "bad";
  const ports = p.ports.map((port) => (port.hostPort ? `${port.containerPort} → host ${port.hostPort}` : `${port.containerPort}`)).join(", ");
  return h("li", { class: "pod", "data-pod": p.name },
    h("div", { class: "pod-line" },
      h("span", { class: `badge small tone-${tone}` }, h("span", { class: `glyph pod-${tone}`, "aria-hidden": "true" }), state),
      h("code", { class: "pod-name" }, p.name),
      h("span", { class: "pod-facts" },
        h("span", {}, `node ${p.node || "–"}`),
        h("span", { class: p.restarts > 0 ? "warn-text" : null }, `${p.restarts} restart${p.restarts === 1 ? "" : "s"}`),
        p.reason ? h("span", { class: "warn-text", title: p.message ?? "" }, p.reason) : h("span", {}, p.phase),
        p.message ? h("span", { class: "pod-message" }, p.message) : null,
        ports ? h("span", {}, `ports ${ports}`) : null,
        h("span", {}, `age ${age(p.createdAt)}`)),
      h("button", { type: "button", class: "btn small", "aria-label": `Logs of ${p.name}`, "data-focus": `logs-${p.name}`, onclick: () => showLogs(p.name) }, "Logs")));
}

function service(s) {
  const ports = s.ports.map((p) => `${p.port}→${p.targetPort}${p.nodePort ? ` (node port ${p.nodePort})` : ""}/${p.protocol}`).join(", ");
  return h("li", { class: "service" },
    h("div", { class: "node-line" }, h("span", { class: "kind" }, "Service"), " ", h("strong", {}, s.name), h("span", { class: "meta" }, ` ${s.type} · ${ports}`)),
    s.endpoints.length
      ? h("ul", {}, s.endpoints.map((e) => h("li", { class: "endpoint" },
        h("span", { class: `badge small tone-${e.ready ? "ok" : "bad"}` }, h("span", { class: `glyph pod-${e.ready ? "ok" : "bad"}`, "aria-hidden": "true" }), e.ready ? "Ready" : "Not ready"),
        " endpoint ", h("code", {}, e.pod))))
      : h("p", { class: "meta" }, "No endpoints."));
}

function diffText(text) {
  if (!text.trim()) return h("p", {}, "Live objects match Git.");
  const lines = text.split("\n").map((line) => {
    const kind = line.startsWith("+++") || line.startsWith("---") ? "file" : line.startsWith("@@") ? "hunk" : line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : "ctx";
    return h("span", { class: `dl ${kind}` }, line || " ");
  });
  return h("pre", { class: "diff", tabindex: "0", "aria-label": "Difference between live objects and Git" }, lines);
}
