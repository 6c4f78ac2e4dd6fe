import { CapstanError } from "../errors.js";
import { parseYamlWithPositions } from "../manifest/yaml.js";
import { isGoMap } from "../template/values.js";
import type { GoMap, GoValue } from "../template/values.js";

/** Parses a values file: a YAML map (empty file → empty map). Numbers stay float64 (`number`) as in Helm. */
export function parseValuesYaml(text: string, file: string): GoMap {
  const parsed = parseYamlWithPositions(text, file);
  if (!parsed.ok) {
    throw new CapstanError("VALUES_INVALID", `${file}: invalid YAML in values`, { problems: parsed.errors });
  }
  const v = parsed.value.value;
  if (v === null || v === undefined) return {};
  if (!isGoMap(v)) {
    throw new CapstanError("VALUES_INVALID", `${file}: values must be a map of keys`, {
      problems: [{ file, line: 1, message: "values must be a map of keys (found a list or a scalar)" }],
    });
  }
  return v;
}

function clone(v: GoValue): GoValue {
  if (Array.isArray(v)) return v.map(clone);
  if (isGoMap(v)) {
    const out: GoMap = {};
    for (const [k, x] of Object.entries(v)) out[k] = clone(x);
    return out;
  }
  return v;
}

/**
 * Merges `override` onto `base` as Helm coalesces values: maps merge deeply, lists and scalars
 * replace, and `null` in the override deletes the key. Neither input is changed.
 */
export function mergeValues(base: GoMap, override: GoMap): GoMap {
  const out = clone(base) as GoMap;
  mergeInto(out, override);
  return out;
}

function mergeInto(dst: GoMap, src: GoMap): void {
  for (const [k, v] of Object.entries(src)) {
    if (v === null || v === undefined) {
      delete dst[k];
      continue;
    }
    const cur = dst[k];
    if (isGoMap(v) && isGoMap(cur)) {
      mergeInto(cur, v);
    } else {
      dst[k] = isGoMap(v) ? withoutNulls(v) : clone(v);
    }
  }
}

function withoutNulls(m: GoMap): GoMap {
  const out: GoMap = {};
  for (const [k, v] of Object.entries(m)) {
    if (v === null || v === undefined) continue;
    out[k] = isGoMap(v) ? withoutNulls(v) : clone(v);
  }
  return out;
}

/**
 * Merges user value files as Helm merges `-f` files among themselves: maps deeply, lists and
 * scalars replace, and `null` is kept so that it still deletes the chart's default later.
 */
export function mergeMaps(base: GoMap, override: GoMap): GoMap {
  const out = clone(base) as GoMap;
  for (const [k, v] of Object.entries(override)) {
    const cur = out[k];
    out[k] = isGoMap(v) && isGoMap(cur) ? mergeMaps(cur, v) : clone(v);
  }
  return out;
}

/** Reads a dotted path (`db.enabled`) from values; undefined when any step is missing. */
export function pathValue(values: GoMap, dotted: string): GoValue {
  let cur: GoValue = values;
  for (const part of dotted.split(".")) {
    if (part === "") continue;
    if (!isGoMap(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Sets a dotted path, creating maps on the way. */
export function setPathValue(values: GoMap, dotted: string, value: GoValue): void {
  const parts = dotted.split(".").filter((p) => p !== "");
  let cur = values;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i] as string;
    const next = cur[k];
    if (isGoMap(next)) cur = next;
    else {
      const m: GoMap = {};
      cur[k] = m;
      cur = m;
    }
  }
  const last = parts[parts.length - 1];
  if (last === undefined) return;
  cur[last] = value;
}

/** Copies values for JSON consumers (schema validation): Go ints become numbers. */
export function toJsonCompatible(v: GoValue): unknown {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(toJsonCompatible);
  if (isGoMap(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toJsonCompatible(x);
    return out;
  }
  return v;
}
