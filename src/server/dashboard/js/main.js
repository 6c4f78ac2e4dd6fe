// Boot: hash routing, the live stream, and the clock that keeps relative times fresh.
import { ApiError, get, stream, token } from "./api.js";
import { h, replace } from "./dom.js";
import { relativeTime } from "./format.js";
import { store } from "./store.js";
import { appView } from "./views/app.js";
import { listView } from "./views/list.js";
import { nodesView } from "./views/nodes.js";

const main = document.getElementById("main");
let leave = null;
let lastPage = "";

function route() {
  const hash = decodeURIComponent(location.hash.replace(/^#/, "")) || "/";
  const parts = hash.split("/").filter(Boolean);
  let page = "apps";
  let key = "apps";
  if (parts[0] === "apps" && parts[1]) {
    page = "app";
    key = `app:${parts[1]}`;
  } else if (parts[0] === "nodes") {
    page = key = "nodes";
  }
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (a.dataset.nav === (page === "nodes" ? "nodes" : "apps")) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  // #/apps/web/history jumps to a section of the page already shown.
  if (key === lastPage) {
    const section = parts[2] ? document.getElementById(parts[2]) : null;
    section?.scrollIntoView({ block: "start" });
    section?.focus({ preventScroll: true });
    return;
  }
  leave?.();
  lastPage = key;
  if (page === "app") {
    document.title = `${parts[1]} · Capstan`;
    leave = appView(main, parts[1]);
  } else if (page === "nodes") {
    document.title = "Nodes · Capstan";
    leave = nodesView(main);
  } else {
    document.title = "Applications · Capstan";
    leave = listView(main);
  }
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

function connection(state) {
  const el = document.getElementById("conn");
  el.dataset.state = state;
  el.querySelector(".conn-text").textContent = { live: "Live", reconnecting: "Reconnecting…", unauthorized: "Token needed" }[state] ?? state;
}

window.addEventListener("hashchange", route);
route();

stream({
  onState: connection,
  onMessage(event, data) {
    if (event === "snapshot") store.setAll(data.apps);
    else if (event === "app") store.set(data.app);
    else if (event === "app-deleted") store.remove(data.name);
    else if (event === "event") store.event(data.event);
  },
});

// In case the stream is slow to open, the list still fills from a plain read.
get("/apps")
  .then((apps) => !store.loaded && store.setAll(apps))
  .catch((err) => (err instanceof ApiError && err.status === 401 ? askReadToken(err.message) : replace(main, h("h1", {}, "Cannot reach the daemon"), h("p", { class: "error", role: "alert" }, err.message))));

// Beyond loopback even reads need the token: ask once, keep it for this tab, start again.
function askReadToken(message) {
  leave?.();
  leave = null;
  const input = h("input", { id: "read-token", type: "password", autocomplete: "off", spellcheck: "false", required: true });
  replace(main,
    h("h1", {}, "Token needed"),
    h("p", {}, "This daemon listens beyond loopback, so reading needs its API token too."),
    h("p", { class: "muted" }, message),
    h("form", { class: "field", onsubmit: (e) => { e.preventDefault(); token.set(input.value.trim()); location.reload(); } },
      h("label", { for: "read-token" }, "API token"), input, h("div", { class: "buttons" }, h("button", { type: "submit", class: "btn primary" }, "Continue"))));
  input.focus();
}

setInterval(() => {
  for (const t of document.querySelectorAll("time[data-rel]")) t.textContent = relativeTime(t.getAttribute("datetime"));
}, 30_000);
