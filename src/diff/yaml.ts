import { stringify } from "yaml";

const TOP = ["apiVersion", "kind", "metadata", "spec", "data", "stringData", "type"];

function canonical(value: unknown, top: boolean): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map((v) => canonical(v, false));
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  // `name` leads each list item (`- name: web`) the way manifests are usually written.
  const rank = (k: string) => (top && TOP.includes(k) ? TOP.indexOf(k) : !top && k === "name" ? -1 : TOP.length);
  keys.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = canonical(obj[k], false);
  return out;
}

/**
 * YAML of an object in one canonical layout (apiVersion, kind, metadata, spec first; `name` first in nested maps; then keys sorted)
 * so two sides differ in text only where they differ in content.
 */
export function objectYAML(object: Record<string, unknown> | undefined): string {
  if (object === undefined) return "";
  return stringify(canonical(object, true), { lineWidth: 0, aliasDuplicateObjects: false });
}
