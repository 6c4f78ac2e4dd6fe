import type { ContainerDetails, ContainerSpec } from "../../runtime/types.js";
import type { DriftItem } from "./types.js";

/**
 * What a pod's container really is against what its template asks for. Pure: the manager reads
 * the container (one inspect) and calls it. Only what Capstan sets is compared: variables the
 * image itself defines (PATH, …) are not drift, nor are networks the Service layer attaches.
 */

export interface DriftOptions {
  /** `Pod/<name>`. */
  object: string;
  /** Variables whose value comes from a Secret: their values are never written into a drift item. */
  secretEnv?: ReadonlySet<string>;
}

const CONTAINER = "spec.containers[0]";
const NONE = "(none)";
const REDACTED = "(redacted: from a Secret)";

/** Bytes as Kubernetes users write limits: the largest binary unit that divides it. */
export function formatMemory(bytes: number | undefined): string {
  if (!bytes) return NONE;
  for (const [unit, size] of [
    ["Gi", 1024 ** 3],
    ["Mi", 1024 ** 2],
    ["Ki", 1024],
  ] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** Nano-CPUs as cores (`2`) or millicores (`500m`). */
export function formatCpu(nanoCpus: number | undefined): string {
  if (!nanoCpus) return NONE;
  if (nanoCpus % 1e9 === 0) return String(nanoCpus / 1e9);
  if (nanoCpus % 1e6 === 0) return `${nanoCpus / 1e6}m`;
  return `${nanoCpus}n`;
}

/** `web` and `web:latest` are one image, as Docker reads them. */
function imageRef(ref: string): string {
  const lastSlash = ref.lastIndexOf("/");
  return ref.slice(lastSlash + 1).includes(":") || ref.includes("@") ? ref : `${ref}:latest`;
}

const aliasList = (aliases: readonly string[]): string => [...new Set(aliases)].sort().join(", ") || NONE;

export function containerDrift(desired: ContainerSpec, live: ContainerDetails, options: DriftOptions): DriftItem[] {
  const out: DriftItem[] = [];
  const add = (field: string, liveValue: string, desiredValue: string): void => {
    if (liveValue !== desiredValue) out.push({ object: options.object, field, live: liveValue, desired: desiredValue });
  };
  add("metadata.name", live.name, desired.name);
  if (imageRef(live.image) !== imageRef(desired.image)) add(`${CONTAINER}.image`, live.image, desired.image);
  for (const [name, want] of Object.entries(desired.env ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const have = live.env[name];
    if (have === want) continue;
    const secret = options.secretEnv?.has(name) ?? false;
    out.push({ object: options.object, field: `${CONTAINER}.env.${name}`, live: have === undefined ? NONE : secret ? REDACTED : have, desired: secret ? REDACTED : want });
  }
  add(`${CONTAINER}.resources.limits.memory`, formatMemory(live.resources.memoryBytes), formatMemory(desired.resources?.memoryBytes));
  add(`${CONTAINER}.resources.limits.cpu`, formatCpu(live.resources.nanoCpus), formatCpu(desired.resources?.nanoCpus));
  const net = desired.network;
  if (net) {
    const attached = live.networks.find((n) => n.name === net.name);
    add(`networks[${net.name}].aliases`, attached ? aliasList(attached.aliases) : "(not attached)", aliasList(net.aliases ?? []));
  }
  return out;
}

/** The fields of a drift list, for messages: `metadata.name (live x, desired y)`. */
export function describeDrift(items: readonly DriftItem[]): string {
  return items.map((d) => `${d.field} (live ${d.live}, desired ${d.desired})`).join("; ");
}

export function sameDrift(a: readonly DriftItem[], b: readonly DriftItem[]): boolean {
  return a.length === b.length && a.every((d, i) => {
    const e = b[i];
    return e !== undefined && d.object === e.object && d.field === e.field && d.live === e.live && d.desired === e.desired;
  });
}
