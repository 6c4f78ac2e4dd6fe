import { deepEqual, fieldChanges } from "./fields.js";

type Obj = Record<string, unknown>;

function get(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Obj)[p];
  }
  return cur;
}

function count(v: unknown, fallback: number): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  return fallback;
}

/**
 * An int-or-percent (`maxSurge`, `maxUnavailable`) against a replica count, as Kubernetes scales it:
 * percentages round up for surge and down for unavailability.
 */
export function scaledValue(value: unknown, total: number, roundUp: boolean, fallback: string): number {
  const v = value ?? fallback;
  if (typeof v === "number" || typeof v === "bigint") return Number(v);
  const m = /^(\d+)%$/.exec(String(v));
  if (!m) return Number.parseInt(String(v), 10) || 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** How many pods a RollingUpdate Deployment replaces per step: surge + unavailable (both 0 → 1 unavailable). */
export function rollingBatch(replicas: number, maxSurge: unknown, maxUnavailable: unknown): { surge: number; unavailable: number; batch: number } {
  const surge = scaledValue(maxSurge, replicas, true, "25%");
  let unavailable = scaledValue(maxUnavailable, replicas, false, "25%");
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable, batch: Math.max(1, Math.min(replicas, surge + unavailable)) };
}

function splitImage(image: string): { repo: string; tag: string } {
  const at = image.indexOf("@");
  if (at >= 0) return { repo: image.slice(0, at), tag: image.slice(at) };
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  if (colon > slash) return { repo: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { repo: image, tag: "latest" };
}

function containers(template: unknown): Obj[] {
  const spec = get(template, "spec");
  const list = [...((get(spec, "initContainers") as unknown[]) ?? []), ...((get(spec, "containers") as unknown[]) ?? [])];
  return list.filter((c): c is Obj => c !== null && typeof c === "object");
}

/** Words for what changed in a pod template: image moves first, then the other fields touched. */
export function templateChange(before: unknown, after: unknown): string {
  const parts: string[] = [];
  const old = new Map(containers(before).map((c) => [String(c.name), c]));
  for (const c of containers(after)) {
    const prev = old.get(String(c.name));
    if (!prev || prev.image === c.image || typeof prev.image !== "string" || typeof c.image !== "string") continue;
    const a = splitImage(prev.image);
    const b = splitImage(c.image);
    parts.push(a.repo === b.repo ? `image ${prev.image} → ${b.tag}` : `image ${prev.image} → ${c.image}`);
  }
  const other = new Set<string>();
  for (const f of fieldChanges(before, after)) {
    const m = /^spec\.(?:containers|initContainers)\[\d+\]\.([A-Za-z]+)/.exec(f.path) ?? /^(?:spec|metadata)\.([A-Za-z]+)/.exec(f.path);
    const what = m?.[1] ?? f.path;
    if (what !== "image") other.add(what);
  }
  if (other.size > 0) {
    const list = [...other];
    parts.push(`${list.slice(0, 3).join(", ")}${list.length > 3 ? ` and ${list.length - 3} more` : ""} changed`);
  }
  return parts.join("; ");
}

function pods(n: number): string {
  return n === 1 ? "1 pod" : `${n} pods`;
}

/**
 * The impact of a workload change in words, e.g.
 * `Deployment web: 3 pods will be replaced (image capstan-demo/web:v1 → v2), rolling 1 at a time`.
 * Undefined for kinds that run no pods.
 */
export function rolloutImpact(kind: string, name: string, base: Obj | undefined, target: Obj | undefined): string | undefined {
  if (!["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"].includes(kind)) return undefined;
  const head = `${kind} ${name}`;
  const replicasOf = (o: Obj | undefined) => (kind === "Deployment" || kind === "StatefulSet" ? count(get(o, "spec", "replicas"), 1) : 1);
  if (!base && target) {
    if (kind === "DaemonSet") return `${head}: one pod will be created on each matching node`;
    if (kind === "CronJob") return `${head}: will start running on its schedule (${String(get(target, "spec", "schedule") ?? "?")})`;
    if (kind === "Job") return `${head}: will run once`;
    return `${head}: ${pods(replicasOf(target))} will be created`;
  }
  if (base && !target) {
    if (kind === "DaemonSet") return `${head}: its pod on each node will be deleted`;
    if (kind === "CronJob" || kind === "Job") return `${head}: will be deleted`;
    return `${head}: ${pods(replicasOf(base))} will be deleted`;
  }
  if (!base || !target) return undefined;

  const templatePath = kind === "CronJob" ? ["spec", "jobTemplate", "spec", "template"] : ["spec", "template"];
  const before = get(base, ...templatePath);
  const after = get(target, ...templatePath);
  const changed = !deepEqual(before, after);
  const what = changed ? templateChange(before, after) : "";
  const why = what ? ` (${what})` : "";

  if (kind === "CronJob") return changed ? `${head}: future runs use the new pod template${why}` : undefined;
  if (kind === "Job") return changed ? `${head}: will be recreated and run again${why}` : undefined;
  if (kind === "DaemonSet") {
    if (!changed) return undefined;
    if (get(target, "spec", "updateStrategy", "type") === "OnDelete") return `${head}: pods pick up the change only when deleted (OnDelete)${why}`;
    const unavailable = get(target, "spec", "updateStrategy", "rollingUpdate", "maxUnavailable") ?? 1;
    return `${head}: the pod on each node will be replaced${why}, ${String(unavailable)} node(s) at a time`;
  }

  const from = replicasOf(base);
  const to = replicasOf(target);
  const scaled = from !== to ? `scaled ${from} → ${to}` : "";
  if (!changed) return scaled ? `${head}: ${scaled}, no pods replaced` : undefined;
  let how: string;
  if (kind === "StatefulSet") {
    const type = get(target, "spec", "updateStrategy", "type");
    if (type === "OnDelete") return `${head}: pods pick up the change only when deleted (OnDelete)${why}${scaled ? `; ${scaled}` : ""}`;
    const partition = count(get(target, "spec", "updateStrategy", "rollingUpdate", "partition"), 0);
    const replaced = Math.max(0, to - partition);
    how = `${pods(replaced)} will be replaced${why}, 1 at a time from the highest ordinal`;
  } else if (get(target, "spec", "strategy", "type") === "Recreate") {
    how = `${pods(to)} will be replaced${why}, all at once (Recreate stops the old pods first)`;
  } else {
    const ru = get(target, "spec", "strategy", "rollingUpdate");
    const { batch } = rollingBatch(to, get(ru, "maxSurge"), get(ru, "maxUnavailable"));
    how = `${pods(to)} will be replaced${why}, rolling ${batch} at a time`;
  }
  return `${head}: ${how}${scaled ? `; ${scaled}` : ""}`;
}
