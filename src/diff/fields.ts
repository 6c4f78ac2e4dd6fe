import type { FieldChange } from "./types.js";

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Structural equality for JSON-like values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  const numeric = (v: unknown) => typeof v === "number" || typeof v === "bigint";
  if (numeric(a) && numeric(b)) return String(a) === String(b);
  return false;
}

function join(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
}

/** Lists of objects with distinct string `name`s (containers, env, ports, volumes) pair by name, not position. */
function namedItems(list: unknown[]): Map<string, number> | undefined {
  const names = new Map<string, number>();
  for (const [i, item] of list.entries()) {
    if (!isMap(item) || typeof item.name !== "string" || names.has(item.name)) return undefined;
    names.set(item.name, i);
  }
  return names;
}

function walk(path: string, a: unknown, b: unknown, out: FieldChange[]): void {
  if (deepEqual(a, b)) return;
  if (a === undefined) {
    out.push({ path, to: b });
    return;
  }
  if (b === undefined) {
    out.push({ path, from: a });
    return;
  }
  if (isMap(a) && isMap(b)) {
    const keys = [...Object.keys(b), ...Object.keys(a).filter((k) => !(k in b))];
    for (const k of keys) walk(join(path, k), a[k], b[k], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const byNameA = namedItems(a);
    const byNameB = namedItems(b);
    if (byNameA && byNameB && a.length > 0 && b.length > 0) {
      for (const [name, i] of byNameB) {
        const j = byNameA.get(name);
        walk(`${path}[${i}]`, j === undefined ? undefined : a[j], b[i], out);
      }
      for (const [name, j] of byNameA) if (!byNameB.has(name)) walk(`${path}[${j}]`, a[j], undefined, out);
      return;
    }
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) walk(`${path}[${i}]`, a[i], b[i], out);
    return;
  }
  out.push({ path, from: a, to: b });
}

/** Leaf-level changes from `a` to `b`, paths like `spec.template.spec.containers[0].image`. */
export function fieldChanges(a: unknown, b: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  walk("", a, b, out);
  return out;
}
