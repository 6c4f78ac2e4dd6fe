// Nodes: each Docker engine's capacity and load.
import { get } from "../api.js";
import { h, replace } from "../dom.js";
import { bytes, cores } from "../format.js";

export function nodesView(main) {
  const body = h("div", { class: "nodes" }, "Loading…");
  replace(main, h("div", { class: "page-head" }, h("h1", {}, "Nodes")), body);
  let alive = true;
  get("/nodes")
    .then((nodes) => alive && replace(body, nodes.length ? h("ul", { class: "node-list" }, nodes.map(node)) : h("p", {}, "No nodes.")))
    .catch((err) => alive && replace(body, h("p", { class: "error", role: "alert" }, err.message)));
  return () => (alive = false);
}

function meter(label, used, total, fmt) {
  const pct = total > 0 ? Math.round((used / total) * 100) : 0;
  return h("div", { class: "meter-row" },
    h("span", { class: "meter-label" }, label),
    h("meter", { min: 0, max: total || 1, value: used, "aria-label": `${label} requested` }),
    h("span", {}, `${fmt(used)} of ${fmt(total)} (${pct}%)`));
}

function node(n) {
  const tone = n.status === "Ready" ? "ok" : n.status === "NotReady" ? "bad" : "muted";
  return h("li", { class: "card node" },
    h("h2", {}, n.name, " ", h("span", { class: `badge tone-${tone}` }, h("span", { class: `glyph node-${n.status}`, "aria-hidden": "true" }), n.status === "NotReady" ? "Not ready" : n.status),
      n.unschedulable ? h("span", { class: "badge tone-muted", "data-cordoned": "" }, "Scheduling disabled") : null),
    meter("CPU", n.cpu.requested, n.cpu.allocatable, cores),
    meter("Memory", n.memory.requested, n.memory.allocatable, bytes),
    h("p", { class: "meta" }, `${n.pods} pods · Docker ${n.engineVersion}`));
}
