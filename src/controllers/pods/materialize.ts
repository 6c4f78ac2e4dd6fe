import { createHash } from "node:crypto";
import { join, posix } from "node:path";
import { parseQuantity, subPathProblem } from "../../manifest/index.js";
import type { ConfigMap, Container, PodSpec, Probe, Secret, Volume } from "../../manifest/index.js";
import { LABEL, MANAGED_BY_VALUE } from "../../runtime/labels.js";
import type { ContainerSpec, Mount } from "../../runtime/types.js";
import type { PodIntent } from "./types.js";

/**
 * A pod template turned into what Docker needs: the container spec (labels, env, ports, mounts,
 * limits, security), the namespace network, the named volumes, and the ConfigMap/Secret files to
 * write. Pure: the same intent gives the same result (and the same spec digest).
 */

/** Labels of the pod layer beyond the shared ones in runtime/labels.ts. */
export const POD_LABEL = {
  /** The pod template as JSON: adoption after a restart restores probes and restart policy from it. */
  template: "capstan.dev/pod-template",
  /** The template's container name. */
  container: "capstan.dev/container",
  /** Pod labels (template metadata) as JSON, for Service selectors. */
  podLabels: "capstan.dev/pod-labels",
  /** A PersistentVolumeClaim's Docker volume: the claim's name. */
  claim: "capstan.dev/claim",
  /** An emptyDir's Docker volume: removed with this pod. */
  emptyDirOf: "capstan.dev/empty-dir-of",
} as const;

export type PodConfigReason = "CreateContainerConfigError" | "Unsupported";

/** The template cannot run as given; `problems` name each field and why. */
export class PodConfigError extends Error {
  readonly reason: PodConfigReason;
  readonly problems: string[];
  constructor(reason: PodConfigReason, problems: string[]) {
    super(problems.join("; "));
    this.name = "PodConfigError";
    this.reason = reason;
    this.problems = problems;
  }
}

export interface PodFile {
  volume: string;
  /** Path inside the volume directory (`items[].path` or the key). */
  path: string;
  /** Content, base64 (binary safe and never printed by accident). */
  contentBase64: string;
  mode: number;
  secret: boolean;
}

export interface PodVolume {
  /** Docker volume name. */
  name: string;
  labels: Record<string, string>;
  kind: "persistentVolumeClaim" | "emptyDir";
}

export interface PodProbes {
  startup?: Probe;
  readiness?: Probe;
  liveness?: Probe;
}

export interface MaterializedPod {
  container: ContainerSpec;
  network: { name: string; labels: Record<string, string> };
  volumes: PodVolume[];
  /** Directory holding this pod's generated files (`<stateDir>/files/<ns>/<pod>`). */
  filesDir: string;
  files: PodFile[];
  probes: PodProbes;
  /** Declared ports by name, for probes that name a port. */
  namedPorts: Record<string, number>;
  restartPolicy: "Always" | "OnFailure" | "Never";
  graceSeconds: number;
  digest: string;
  /** Environment variables whose value comes from a Secret (never shown in drift). */
  secretEnv: ReadonlySet<string>;
  /** Fields accepted but without effect on Docker, by name. */
  warnings: string[];
}

export interface MaterializeOptions {
  /** Root of Capstan's state; ConfigMap/Secret files go under `<stateDir>/files/`. */
  stateDir: string;
  /** Labels added to everything made (tests mark their run with one). */
  extraLabels?: Record<string, string>;
  /** The node the pod runs on, for `spec.nodeName` env references. */
  node?: string;
}

/** `<namespace>_<pod>`: pod names are unique per namespace only (two namespaces may each run a StatefulSet's `db-0`). */
export const containerName = (namespace: string, pod: string): string => `${namespace}_${pod}`;
/** A pod's hostname: `spec.hostname` or the pod's name, cut to 63 characters as Kubernetes does (a DNS label). */
export const podHostname = (name: string): string => name.slice(0, 63).replace(/[-.]+$/, "");
export const networkName = (namespace: string): string => `capstan-${namespace}`;
export const claimVolumeName = (namespace: string, claim: string): string => `capstan-${namespace}-${claim}`;
export const emptyDirVolumeName = (namespace: string, pod: string, volume: string): string => `capstan-${namespace}-${pod}-${volume}`;

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function decodeSecretValue(secret: Secret, key: string): string | undefined {
  const data = secret.data?.[key];
  if (data !== undefined) return Buffer.from(data, "base64").toString("utf8");
  return secret.stringData?.[key];
}

function configMapValue(cm: ConfigMap, key: string): string | undefined {
  const v = cm.data?.[key];
  if (v !== undefined) return v;
  const b = cm.binaryData?.[key];
  return b === undefined ? undefined : Buffer.from(b, "base64").toString("utf8");
}

/** Kubernetes' `$(VAR)` expansion: references to defined variables are replaced, `$$` escapes. */
export function expandVars(input: string, env: Record<string, string>): string {
  return input.replace(/\$\$|\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)/g, (m, name: string | undefined) => {
    if (m === "$$") return "$";
    return name !== undefined && Object.hasOwn(env, name) ? (env[name] as string) : m;
  });
}

function resolveEnv(intent: PodIntent, c: Container, path: string, node: string, problems: string[], unsupported: string[], fromSecrets: Set<string>): Record<string, string> {
  const env: Record<string, string> = {};
  const ns = intent.namespace;
  (c.envFrom ?? []).forEach((src, i) => {
    const prefix = src.prefix ?? "";
    const where = `${path}.envFrom[${i}]`;
    if (src.configMapRef) {
      const cm = intent.configMaps[src.configMapRef.name];
      if (!cm) {
        if (!src.configMapRef.optional) problems.push(`${where}: configmap "${src.configMapRef.name}" not found in namespace ${ns}`);
        return;
      }
      for (const key of [...Object.keys(cm.data ?? {}), ...Object.keys(cm.binaryData ?? {})]) {
        if (ENV_NAME.test(prefix + key)) env[prefix + key] = configMapValue(cm, key) ?? "";
      }
    } else if (src.secretRef) {
      const s = intent.secrets[src.secretRef.name];
      if (!s) {
        if (!src.secretRef.optional) problems.push(`${where}: secret "${src.secretRef.name}" not found in namespace ${ns}`);
        return;
      }
      for (const key of [...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})]) {
        if (!ENV_NAME.test(prefix + key)) continue;
        env[prefix + key] = decodeSecretValue(s, key) ?? "";
        fromSecrets.add(prefix + key);
      }
    }
  });
  (c.env ?? []).forEach((e, i) => {
    const where = `${path}.env[${i}] (${e.name})`;
    // A later definition replaces an envFrom one; only a secretKeyRef marks it secret again.
    fromSecrets.delete(e.name);
    if (e.value !== undefined || !e.valueFrom) {
      env[e.name] = expandVars(e.value ?? "", env);
      // `$(TOKEN)` of a Secret's variable carries the secret into this one.
      if ([...(e.value ?? "").matchAll(/\$\(([^)]+)\)/g)].some((m) => fromSecrets.has(m[1] as string))) fromSecrets.add(e.name);
      return;
    }
    const vf = e.valueFrom;
    if (vf.configMapKeyRef) {
      const ref = vf.configMapKeyRef;
      const cm = intent.configMaps[ref.name];
      const v = cm ? configMapValue(cm, ref.key) : undefined;
      if (v !== undefined) env[e.name] = v;
      else if (!ref.optional) {
        problems.push(cm ? `${where}: couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}` : `${where}: configmap "${ref.name}" not found in namespace ${ns}`);
      }
    } else if (vf.secretKeyRef) {
      const ref = vf.secretKeyRef;
      const s = intent.secrets[ref.name];
      const v = s ? decodeSecretValue(s, ref.key) : undefined;
      if (v !== undefined) {
        env[e.name] = v;
        fromSecrets.add(e.name);
      }
      else if (!ref.optional) {
        problems.push(s ? `${where}: couldn't find key ${ref.key} in Secret ${ns}/${ref.name}` : `${where}: secret "${ref.name}" not found in namespace ${ns}`);
      }
    } else if (vf.fieldRef) {
      const fp = vf.fieldRef.fieldPath;
      const labels = intent.template.metadata?.labels ?? {};
      const annotations = intent.template.metadata?.annotations ?? {};
      const m = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(fp);
      if (fp === "metadata.name") env[e.name] = intent.name;
      else if (fp === "metadata.namespace") env[e.name] = ns;
      else if (fp === "spec.nodeName") env[e.name] = node;
      else if (m) env[e.name] = (m[1] === "labels" ? labels : annotations)[m[2] as string] ?? "";
      else unsupported.push(`${where}: valueFrom.fieldRef ${fp} is not available on Docker (supported: metadata.name, metadata.namespace, metadata.labels['…'], metadata.annotations['…'], spec.nodeName)`);
    } else if (vf.resourceFieldRef) {
      const r = vf.resourceFieldRef;
      const [kind, res] = r.resource.split(".") as [string, string | undefined];
      const list = kind === "limits" ? c.resources?.limits : kind === "requests" ? c.resources?.requests : undefined;
      const raw = res === "cpu" || res === "memory" ? list?.[res] : undefined;
      const q = raw === undefined ? undefined : parseQuantity(raw);
      const divisor = parseQuantity(r.divisor ?? 1);
      if (!q || !divisor || divisor.nano === 0n) unsupported.push(`${where}: valueFrom.resourceFieldRef ${r.resource} has no value (set resources.${r.resource})`);
      else env[e.name] = String((q.nano + divisor.nano - 1n) / divisor.nano);
    }
  });
  return env;
}

/**
 * A mount's subPath (subPathExpr expanded from the container's environment), checked again here
 * because an expansion can make what the manifest check saw into `..`: "" for none, null when refused.
 */
function subPathOf(vm: { subPath?: string; subPathExpr?: string }, env: Record<string, string>, where: string, problems: string[]): string | null {
  const raw = vm.subPathExpr !== undefined ? expandVars(vm.subPathExpr, env) : (vm.subPath ?? "");
  if (raw === "") return "";
  const why = subPathProblem(raw);
  if (why === undefined) return raw;
  problems.push(`${where}: subPath ${JSON.stringify(raw)} ${why}`);
  return null;
}

function mountsFor(
  intent: PodIntent,
  c: Container,
  env: Record<string, string>,
  path: string,
  filesDir: string,
  baseLabels: Record<string, string>,
  out: { volumes: PodVolume[]; files: PodFile[] },
  problems: string[],
  unsupported: string[],
): Mount[] {
  const byName = new Map<string, Volume>((intent.template.spec.volumes ?? []).map((v) => [v.name, v]));
  const mounts: Mount[] = [];
  const materialized = new Set<string>();
  (c.volumeMounts ?? []).forEach((vm, i) => {
    const where = `${path}.volumeMounts[${i}] (${vm.name})`;
    const v = byName.get(vm.name);
    if (!v) {
      problems.push(`${where}: no volume named ${vm.name} in spec.volumes`);
      return;
    }
    if (v.configMap || v.secret) {
      const dir = join(filesDir, v.name);
      if (!materialized.has(v.name)) {
        materialized.add(v.name);
        const ok = v.configMap ? configMapFiles(intent, v, out.files, problems) : secretFiles(intent, v, out.files, problems);
        if (!ok) return;
      }
      const sub = subPathOf(vm, env, where, problems);
      if (sub === null) return;
      mounts.push({ type: "bind", source: sub ? join(dir, sub) : dir, target: vm.mountPath, readOnly: true });
    } else if (v.persistentVolumeClaim) {
      if (vm.subPath || vm.subPathExpr) unsupported.push(`${where}: subPath on a persistentVolumeClaim volume`);
      const name = claimVolumeName(intent.namespace, v.persistentVolumeClaim.claimName);
      if (!out.volumes.some((x) => x.name === name)) {
        out.volumes.push({ name, kind: "persistentVolumeClaim", labels: { ...baseLabels, [POD_LABEL.claim]: v.persistentVolumeClaim.claimName } });
      }
      mounts.push({ type: "volume", source: name, target: vm.mountPath, readOnly: Boolean(vm.readOnly || v.persistentVolumeClaim.readOnly) });
    } else if (v.emptyDir) {
      if (vm.subPath || vm.subPathExpr) unsupported.push(`${where}: subPath on an emptyDir volume`);
      if (v.emptyDir.medium === "Memory") {
        const q = v.emptyDir.sizeLimit === undefined ? undefined : parseQuantity(v.emptyDir.sizeLimit);
        mounts.push(q ? { type: "tmpfs", target: vm.mountPath, sizeBytes: Number(q.nano / 1_000_000_000n) } : { type: "tmpfs", target: vm.mountPath });
      } else {
        const name = emptyDirVolumeName(intent.namespace, intent.name, v.name);
        if (!out.volumes.some((x) => x.name === name)) {
          out.volumes.push({ name, kind: "emptyDir", labels: { ...baseLabels, [LABEL.pod]: intent.name, [POD_LABEL.emptyDirOf]: intent.name } });
        }
        mounts.push({ type: "volume", source: name, target: vm.mountPath, readOnly: Boolean(vm.readOnly) });
      }
    } else if (v.hostPath) {
      // Admitted by the project's pod-security exceptions before any pod of this template was made.
      // No subPath: a pod writing in the granted path could plant a symlink for the next one to follow.
      if (vm.subPath || vm.subPathExpr) unsupported.push(`${where}: subPath on a hostPath volume (mount the path itself)`);
      mounts.push({ type: "hostPath", source: posix.normalize(v.hostPath.path), target: vm.mountPath, readOnly: Boolean(vm.readOnly) });
    } else {
      problems.push(`${where}: volume ${v.name} has no source (configMap, secret, persistentVolumeClaim or emptyDir)`);
    }
  });
  return mounts;
}

function safeRelative(p: string): boolean {
  return p.length > 0 && !p.startsWith("/") && !p.split("/").some((s) => s === ".." || s === "");
}

function keyFiles(
  volume: string,
  keys: Record<string, string>,
  items: { key: string; path: string; mode?: number }[] | undefined,
  defaultMode: number,
  secret: boolean,
  what: string,
  optional: boolean,
  files: PodFile[],
  problems: string[],
): boolean {
  const before = problems.length;
  const chosen = items ?? Object.keys(keys).map((key) => ({ key, path: key, mode: undefined as number | undefined }));
  for (const item of chosen) {
    const content = keys[item.key];
    if (content === undefined) {
      if (!optional) problems.push(`volume ${volume}: couldn't find key ${item.key} in ${what}`);
      continue;
    }
    if (!safeRelative(item.path)) {
      problems.push(`volume ${volume}: item path "${item.path}" must be relative and must not contain '..'`);
      continue;
    }
    // Secrets are readable by the container's user only; ConfigMaps keep their declared mode.
    const mode = secret ? 0o400 : (item.mode ?? defaultMode);
    files.push({ volume, path: item.path, contentBase64: content, mode, secret });
  }
  return problems.length === before;
}

function configMapFiles(intent: PodIntent, v: Volume, files: PodFile[], problems: string[]): boolean {
  const src = v.configMap as NonNullable<Volume["configMap"]>;
  const cm = intent.configMaps[src.name];
  if (!cm) {
    if (src.optional) return true;
    problems.push(`volume ${v.name}: configmap "${src.name}" not found in namespace ${intent.namespace}`);
    return false;
  }
  const keys: Record<string, string> = {};
  for (const [k, val] of Object.entries(cm.data ?? {})) keys[k] = Buffer.from(val, "utf8").toString("base64");
  for (const [k, val] of Object.entries(cm.binaryData ?? {})) keys[k] = val;
  return keyFiles(v.name, keys, src.items, src.defaultMode ?? 0o644, false, `ConfigMap ${intent.namespace}/${src.name}`, Boolean(src.optional), files, problems);
}

function secretFiles(intent: PodIntent, v: Volume, files: PodFile[], problems: string[]): boolean {
  const src = v.secret as NonNullable<Volume["secret"]>;
  const s = intent.secrets[src.secretName];
  if (!s) {
    if (src.optional) return true;
    problems.push(`volume ${v.name}: secret "${src.secretName}" not found in namespace ${intent.namespace}`);
    return false;
  }
  const keys: Record<string, string> = {};
  for (const [k, val] of Object.entries(s.stringData ?? {})) keys[k] = Buffer.from(val, "utf8").toString("base64");
  for (const [k, val] of Object.entries(s.data ?? {})) keys[k] = val;
  return keyFiles(v.name, keys, src.items, src.defaultMode ?? 0o644, true, `Secret ${intent.namespace}/${src.secretName}`, Boolean(src.optional), files, problems);
}

function podLevelUnsupported(spec: PodSpec, unsupported: string[], warnings: string[]): void {
  spec.containers.slice(1).forEach((c, i) => {
    unsupported.push(`spec.containers[${i + 1}] (${c.name}): one container per pod on Docker (pods do not share a network namespace yet); run it as its own Deployment`);
  });
  (spec.initContainers ?? []).forEach((c, i) => unsupported.push(`spec.initContainers[${i}] (${c.name}): init containers are not supported yet`));
  if (spec.hostNetwork) unsupported.push("spec.hostNetwork: host networking is not supported on Docker yet (pods are reached on their namespace network)");
  if (spec.activeDeadlineSeconds !== undefined) warnings.push("spec.activeDeadlineSeconds is enforced by the Job controller, not the pod");
  if (spec.securityContext?.fsGroup !== undefined) warnings.push("spec.securityContext.fsGroup has no effect on Docker");
  if (spec.securityContext?.supplementalGroups) warnings.push("spec.securityContext.supplementalGroups has no effect on Docker");
}

function containerWarnings(c: Container, path: string, warnings: string[], unsupported: string[]): void {
  if (c.securityContext?.runAsNonRoot) warnings.push(`${path}.securityContext.runAsNonRoot is not checked against the image`);
  if (c.lifecycle) warnings.push(`${path}.lifecycle hooks are not run yet`);
  if (c.stdin || c.tty) warnings.push(`${path}.stdin/tty have no effect`);
  if (c.resources?.limits?.["ephemeral-storage"] !== undefined) warnings.push(`${path}.resources.limits.ephemeral-storage has no effect on Docker`);
  for (const [i, p] of (c.ports ?? []).entries()) {
    if (p.protocol === "SCTP") unsupported.push(`${path}.ports[${i}]: SCTP is not supported on Docker`);
  }
}

function user(spec: PodSpec, c: Container): string | undefined {
  const uid = c.securityContext?.runAsUser ?? spec.securityContext?.runAsUser;
  const gid = c.securityContext?.runAsGroup ?? spec.securityContext?.runAsGroup;
  if (uid === undefined) return gid === undefined ? undefined : `0:${gid}`;
  return gid === undefined ? String(uid) : `${uid}:${gid}`;
}

/** Canonical JSON (sorted keys), so equal specs hash equally whatever the key order. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/** Labels that record where a container came from without being part of what runs. */
const RECORDED_ONLY: ReadonlySet<string> = new Set([LABEL.specDigest, LABEL.commit]);

/**
 * The pod's identity: a hash of what the container runs, from its pod template. Left out: network
 * aliases (they change when Services come and go; the manager updates them on the running
 * container) and what is only recorded, such as the commit, so a new commit with the same
 * template (or a daemon restart that declares its pods at a newer commit) replaces nothing.
 */
export function specDigest(container: ContainerSpec, files: PodFile[]): string {
  const { labels, network, ...rest } = container;
  const stable = {
    ...rest,
    network: network?.name,
    labels: Object.fromEntries(Object.entries(labels ?? {}).filter(([k]) => !RECORDED_ONLY.has(k))),
    files,
  };
  return createHash("sha256").update(canonicalJson(stable)).digest("hex").slice(0, 16);
}

/**
 * Whether a container's digest label says it runs `mat`. Containers made before the commit left
 * the digest carry a digest over every label, their own commit included: such a one still matches
 * when only the commit differs, so the first daemon after an upgrade replaces nothing unchanged.
 */
export function runsSpec(live: Record<string, string>, mat: Pick<MaterializedPod, "container" | "files" | "digest">): boolean {
  const digest = live[LABEL.specDigest];
  if (digest === mat.digest) return true;
  if (digest === undefined) return false;
  const { labels, network, ...rest } = mat.container;
  const before = Object.fromEntries(Object.entries({ ...labels, [LABEL.commit]: live[LABEL.commit] ?? "" }).filter(([k]) => k !== LABEL.specDigest));
  const stable = { ...rest, network: network?.name, labels: before, files: mat.files };
  return createHash("sha256").update(canonicalJson(stable)).digest("hex").slice(0, 16) === digest;
}

/** Turns a pod intent into Docker objects; throws PodConfigError naming every field that cannot run. */
export function materializePod(intent: PodIntent, options: MaterializeOptions): MaterializedPod {
  const spec = intent.template.spec;
  const problems: string[] = [];
  const unsupported: string[] = [];
  const warnings: string[] = [];
  podLevelUnsupported(spec, unsupported, warnings);
  const c = spec.containers[0] as Container;
  const path = `spec.containers[0] (${c.name})`;
  containerWarnings(c, path, warnings, unsupported);
  const node = intent.node ?? options.node ?? "";
  const extra = options.extraLabels ?? {};
  const baseLabels = { ...extra, [LABEL.managedBy]: MANAGED_BY_VALUE, [LABEL.application]: intent.app, [LABEL.namespace]: intent.namespace };
  const filesDir = join(options.stateDir, "files", intent.namespace, intent.name);
  const out = { volumes: [] as PodVolume[], files: [] as PodFile[] };
  const secretEnv = new Set<string>();
  const env = resolveEnv(intent, c, path, node, problems, unsupported, secretEnv);
  const mounts = mountsFor(intent, c, env, path, filesDir, baseLabels, out, problems, unsupported);
  if (unsupported.length > 0) throw new PodConfigError("Unsupported", unsupported);
  if (problems.length > 0) throw new PodConfigError("CreateContainerConfigError", problems);

  const namedPorts: Record<string, number> = {};
  for (const p of c.ports ?? []) if (p.name) namedPorts[p.name] = p.containerPort;
  const limits = c.resources?.limits;
  const cpu = limits?.cpu === undefined ? undefined : parseQuantity(limits.cpu);
  const mem = limits?.memory === undefined ? undefined : parseQuantity(limits.memory);
  const resources = cpu || mem ? { nanoCpus: cpu ? Number(cpu.nano) : undefined, memoryBytes: mem ? Number((mem.nano + 999_999_999n) / 1_000_000_000n) : undefined } : undefined;
  const graceSeconds = spec.terminationGracePeriodSeconds ?? 30;
  const labels: Record<string, string> = {
    ...baseLabels,
    [LABEL.ownerKind]: intent.ownerKind,
    [LABEL.ownerName]: intent.ownerName,
    [LABEL.revision]: intent.revision,
    [LABEL.commit]: intent.commit,
    [LABEL.pod]: intent.name,
    [POD_LABEL.container]: c.name,
    [POD_LABEL.template]: JSON.stringify(intent.template),
    [POD_LABEL.podLabels]: JSON.stringify(intent.template.metadata?.labels ?? {}),
  };
  // Every port is published on the node's loopback only (probes reach them there; Services and
  // the edge serve them outward): a chart's hostIP cannot open a port on the host's other interfaces.
  (c.ports ?? []).forEach((p, i) => {
    if (p.hostIP !== undefined && p.hostIP !== "" && p.hostIP !== "127.0.0.1") {
      problems.push(`${path}.ports[${i}].hostIP: ${JSON.stringify(p.hostIP)} is not allowed: Capstan publishes container ports on 127.0.0.1 only (expose them with a NodePort Service)`);
    }
  });
  const published = (c.ports ?? []).map((p) => ({
    containerPort: p.containerPort,
    protocol: p.protocol === "UDP" ? ("udp" as const) : ("tcp" as const),
    hostPort: p.hostPort ?? 0,
    hostIP: "127.0.0.1",
  }));
  for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
    const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
    const n = typeof port === "number" ? port : port === undefined ? undefined : namedPorts[port];
    if (port !== undefined && n === undefined) problems.push(`${path}: probe port "${port}" names no declared port`);
    if (n !== undefined && !published.some((p) => p.containerPort === n && p.protocol === "tcp")) {
      published.push({ containerPort: n, protocol: "tcp", hostPort: 0, hostIP: "127.0.0.1" });
    }
  }
  if (problems.length > 0) throw new PodConfigError("CreateContainerConfigError", problems);
  const hostname = podHostname(spec.hostname ?? intent.name);
  const container: ContainerSpec = {
    name: containerName(intent.namespace, intent.name),
    image: c.image,
    command: c.command?.map((s) => expandVars(s, env)),
    args: c.args?.map((s) => expandVars(s, env)),
    env,
    labels,
    workingDir: c.workingDir,
    user: user(spec, c),
    ports: published,
    mounts,
    hostname,
    network: { name: networkName(intent.namespace), aliases: [intent.name, ...(spec.subdomain ? [`${hostname}.${spec.subdomain}`] : []), ...(intent.aliases ?? [])] },
    resources,
    stopGraceSeconds: graceSeconds,
    readOnlyRootFilesystem: c.securityContext?.readOnlyRootFilesystem,
    capAdd: c.securityContext?.capabilities?.add,
    capDrop: c.securityContext?.capabilities?.drop,
    // Host access below was admitted by the project's pod security before any pod was made.
    privileged: c.securityContext?.privileged || undefined,
    pidMode: spec.hostPID ? "host" : undefined,
    ipcMode: spec.hostIPC ? "host" : undefined,
    noNewPrivileges: c.securityContext?.allowPrivilegeEscalation === false || undefined,
  };
  for (const k of Object.keys(container) as (keyof ContainerSpec)[]) if (container[k] === undefined) delete container[k];
  const digest = specDigest(container, out.files);
  container.labels = { ...labels, [LABEL.specDigest]: digest };
  return {
    container,
    network: { name: networkName(intent.namespace), labels: { ...extra, [LABEL.managedBy]: MANAGED_BY_VALUE, [LABEL.namespace]: intent.namespace } },
    volumes: out.volumes,
    filesDir,
    files: out.files,
    probes: { startup: c.startupProbe, readiness: c.readinessProbe, liveness: c.livenessProbe },
    namedPorts,
    restartPolicy: spec.restartPolicy ?? "Always",
    graceSeconds,
    digest,
    secretEnv,
    warnings,
  };
}
