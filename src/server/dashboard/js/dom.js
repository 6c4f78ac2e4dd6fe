// Builds DOM nodes from data without innerHTML, so commit messages and names are always text.

/**
 * h("a", { href: "#/", class: "x", onclick: fn }, "text", child, [more])
 * Attribute values of null/undefined/false are left out; `true` sets an empty attribute.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/**
 * Replaces a container's content, keeping keyboard focus on the element with the same
 * `data-focus` key when it is rebuilt (live updates must not throw the user's focus away).
 */
export function replace(container, ...children) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.getAttribute("data-focus") : null;
  container.replaceChildren();
  append(container, children);
  if (key) container.querySelector(`[data-focus="${CSS.escape(key)}"]`)?.focus();
}

export function announce(text) {
  const el = document.getElementById("announce");
  if (el) {
    el.textContent = "";
    setTimeout(() => (el.textContent = text), 50);
  }
}

let toastTimer = 0;
export function toast(text, kind = "ok") {
  const el = document.getElementById("toast");
  if (!el) return;
  el.textContent = text;
  el.dataset.kind = kind;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 6000);
}
