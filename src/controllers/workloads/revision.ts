import { createHash } from "node:crypto";
import type { ConfigMap, PodSpec, PodTemplate, Secret } from "../../manifest/index.js";

/**
 * A Deployment's revision: a short hash of its pod template and of the content of every
 * ConfigMap and Secret the template reads (env, envFrom, volumes), so that a configuration change
 * makes new pods exactly like an image change does. Equal inputs give equal names, which is what
 * makes creating pods idempotent after a crash.
 */

/** Kubernetes' safe alphabet for generated names: no vowels (no words), no look-alike characters. */
const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

function encode(bytes: Uint8Array, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += ALPHABET[(bytes[i % bytes.length] ?? 0) % ALPHABET.length];
  return out;
}

/** JSON with object keys sorted, so the hash does not depend on key order. */
export function canonicalJSON(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJSON(v)}`).join(",")}}`;
}

export interface ConfigRefs {
  configMaps: string[];
  secrets: string[];
}

/** Names of the ConfigMaps and Secrets a pod spec reads, sorted and unique. */
export function configRefs(spec: PodSpec): ConfigRefs {
  const cms = new Set<string>();
  const secrets = new Set<string>();
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef) cms.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef) secrets.add(e.valueFrom.secretKeyRef.name);
    }
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef) cms.add(f.configMapRef.name);
      if (f.secretRef) secrets.add(f.secretRef.name);
    }
  }
  for (const v of spec.volumes ?? []) {
    if (v.configMap) cms.add(v.configMap.name);
    if (v.secret) secrets.add(v.secret.secretName);
  }
  return { configMaps: [...cms].sort(), secrets: [...secrets].sort() };
}

/** What the hash covers besides the template: the referenced objects' data, keyed by name. */
export interface ConfigContent {
  configMaps: Map<string, ConfigMap>;
  secrets: Map<string, Secret>;
}

/** The short pod-template hash (10 characters of the safe alphabet). */
export function podTemplateHash(template: PodTemplate, config: ConfigContent = { configMaps: new Map(), secrets: new Map() }): string {
  const refs = configRefs(template.spec);
  const referenced = {
    configMaps: refs.configMaps.map((n) => {
      const cm = config.configMaps.get(n);
      return [n, cm ? { data: cm.data ?? {}, binaryData: cm.binaryData ?? {} } : null];
    }),
    secrets: refs.secrets.map((n) => {
      const s = config.secrets.get(n);
      return [n, s ? { data: s.data ?? {}, type: s.type ?? "Opaque" } : null];
    }),
  };
  const digest = createHash("sha256").update(canonicalJSON({ template, referenced })).digest();
  return encode(digest, 10);
}

/** Five characters standing for `ordinal` within one revision set; the same inputs give the same suffix. */
export function ordinalSuffix(seed: string, ordinal: number): string {
  return encode(createHash("sha256").update(`${seed}\0${ordinal}`).digest(), 5);
}

/**
 * `<deployment>-<hash>-<suffix>`, like a ReplicaSet's pods. The suffix also depends on the namespace,
 * because a pod's container name is global on a Docker engine while the same chart may run in several.
 */
export function podName(owner: string, revision: string, ordinal: number, namespace = ""): string {
  return `${owner}-${revision}-${ordinalSuffix(`${namespace}/${owner}-${revision}`, ordinal)}`;
}

/** The lowest ordinals whose pod names are not taken, so re-running a create makes no duplicates. */
export function freePodNames(owner: string, revision: string, taken: Iterable<string>, count: number, namespace = ""): string[] {
  const used = new Set(taken);
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const name = podName(owner, revision, i, namespace);
    if (!used.has(name)) out.push(name);
  }
  return out;
}
