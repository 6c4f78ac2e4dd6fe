import type Docker from "dockerode";
import { createRequire } from "node:module";
import { PassThrough, type Readable } from "node:stream";
import { CapstanError } from "../errors.js";
import { dockerOptions, type EngineAddress } from "./address.js";
import { runtimeError } from "./errors.js";
import { LABEL, MANAGED_BY_VALUE } from "./labels.js";
import type {
  ContainerDetails,
  ContainerRuntime,
  ContainerSpec,
  ContainerStatus,
  ContainerSummary,
  EventSubscription,
  ExecResult,
  LogOptions,
  NodeInfo,
  PortBinding,
  RuntimeEvent,
  RuntimeEventAction,
} from "./types.js";

export interface DockerRuntimeOptions extends EngineAddress {
  /** Capstan's name for this node. */
  node?: string;
  /** Bound on every request that is not a stream. */
  requestTimeoutMs?: number;
  env?: Record<string, string | undefined>;
}

function labelFilters(selector: Record<string, string> | undefined): string[] {
  return Object.entries(selector ?? {}).map(([k, v]) => `${k}=${v}`);
}

function portsOf(raw: { PrivatePort?: number; PublicPort?: number; Type?: string; IP?: string }[] | undefined): PortBinding[] {
  return (raw ?? [])
    .filter((p) => p.PublicPort !== undefined && p.PrivatePort !== undefined)
    .map((p): PortBinding => ({ containerPort: p.PrivatePort ?? 0, protocol: p.Type === "udp" ? "udp" : "tcp", hostIP: p.IP ?? "", hostPort: p.PublicPort ?? 0 }))
    // Docker lists one binding per address family; keep IPv4 first and drop exact duplicates.
    .filter((p, i, all) => all.findIndex((q) => q.containerPort === p.containerPort && q.hostPort === p.hostPort && q.hostIP === p.hostIP) === i);
}

function envMap(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const i = kv.indexOf("=");
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function dateOrNull(s: string | undefined): Date | null {
  if (!s || s.startsWith("0001-")) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Splits Docker's multiplexed stdout/stderr frames (non-TTY containers). */
export function demuxBuffer(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const kind = buf[i];
    const size = buf.readUInt32BE(i + 4);
    const chunk = buf.subarray(i + 8, i + 8 + size);
    (kind === 2 ? err : out).push(chunk);
    i += 8 + size;
  }
  if (i === 0 && buf.length > 0) return { stdout: buf.toString("utf8"), stderr: "" };
  return { stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

const ACTIONS: ReadonlySet<string> = new Set(["create", "start", "die", "stop", "kill", "destroy", "oom", "update", "rename"]);

/** 0 is the engine's "no limit". */
const limit = (n: number | undefined): number | undefined => (n ? n : undefined);

export class DockerRuntime implements ContainerRuntime {
  readonly node: string;
  private readonly api: Docker;
  private readonly streams: Docker;

  constructor(options: DockerRuntimeOptions = {}) {
    this.node = options.node ?? "local";
    const conn = dockerOptions(options, options.env);
    const Engine = loadDockerode();
    this.api = new Engine({ ...conn, timeout: options.requestTimeoutMs ?? 30_000 });
    this.streams = new Engine(conn);
  }

  private async call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw runtimeError(this.node, action, err);
    }
  }

  async ping(): Promise<void> {
    await this.call("ping", () => this.api.ping());
  }

  async info(): Promise<NodeInfo> {
    const i = await this.call("info", () => this.api.info() as Promise<Record<string, unknown>>);
    return {
      name: this.node,
      cpus: Number(i.NCPU ?? 0),
      memoryBytes: Number(i.MemTotal ?? 0),
      engineVersion: String(i.ServerVersion ?? "unknown"),
      os: String(i.OSType ?? "linux"),
      arch: String(i.Architecture ?? "unknown"),
    };
  }

  async list(selector?: Record<string, string>): Promise<ContainerSummary[]> {
    const rows = await this.call("list containers", () =>
      this.api.listContainers({ all: true, filters: JSON.stringify({ label: labelFilters(selector) }) }),
    );
    return rows.map((c) => ({
      id: c.Id,
      name: (c.Names?.[0] ?? "").replace(/^\//, ""),
      image: c.Image,
      labels: c.Labels ?? {},
      status: c.State as ContainerStatus,
      created: new Date(c.Created * 1000),
      ports: portsOf(c.Ports),
    }));
  }

  async inspect(idOrName: string): Promise<ContainerDetails> {
    const c = await this.call(`inspect ${idOrName}`, () => this.api.getContainer(idOrName).inspect());
    const ports: PortBinding[] = [];
    for (const [key, bindings] of Object.entries(c.NetworkSettings?.Ports ?? {})) {
      const [port, proto] = key.split("/");
      for (const b of bindings ?? []) {
        const binding: PortBinding = { containerPort: Number(port), protocol: proto === "udp" ? "udp" : "tcp", hostIP: b.HostIp, hostPort: Number(b.HostPort) };
        if (!ports.some((p) => p.containerPort === binding.containerPort && p.hostPort === binding.hostPort)) ports.push(binding);
      }
    }
    const networks = Object.entries(c.NetworkSettings?.Networks ?? {}).map(([name, n]) => ({
      name,
      aliases: ((n as { Aliases?: string[] | null }).Aliases ?? []).filter((a) => !c.Id.startsWith(a)),
    }));
    return {
      id: c.Id,
      name: c.Name.replace(/^\//, ""),
      image: c.Config.Image,
      labels: c.Config.Labels ?? {},
      status: c.State.Status as ContainerStatus,
      created: new Date(c.Created),
      ports,
      running: c.State.Running,
      exitCode: c.State.Running ? null : c.State.ExitCode,
      oomKilled: c.State.OOMKilled,
      startedAt: dateOrNull(c.State.StartedAt),
      finishedAt: dateOrNull(c.State.FinishedAt),
      networks,
      env: envMap(c.Config.Env),
      mounts: (c.Mounts ?? []).map((m) => ({
        type: String(m.Type),
        source: String(m.Type === "volume" ? (m.Name ?? m.Source) : m.Source),
        target: m.Destination,
        readOnly: !m.RW,
      })),
      resources: stripUndefined({ memoryBytes: limit(c.HostConfig?.Memory), nanoCpus: limit(c.HostConfig?.NanoCpus) }),
    };
  }

  async create(spec: ContainerSpec): Promise<{ id: string }> {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of spec.ports ?? []) {
      const key = `${p.containerPort}/${p.protocol ?? "tcp"}`;
      exposed[key] = {};
      (bindings[key] ??= []).push({ HostIp: p.hostIP || "127.0.0.1", HostPort: p.hostPort ? String(p.hostPort) : "" });
    }
    const mounts = (spec.mounts ?? []).map((m) => {
      if (m.type === "tmpfs") return { Type: "tmpfs" as const, Target: m.target, TmpfsOptions: m.sizeBytes ? { SizeBytes: m.sizeBytes } : undefined };
      return { Type: m.type === "hostPath" ? ("bind" as const) : m.type, Source: m.source, Target: m.target, ReadOnly: m.readOnly ?? false };
    });
    const network = spec.network?.name;
    const options: Docker.ContainerCreateOptions = {
      name: spec.name,
      Image: spec.image,
      Entrypoint: spec.command,
      Cmd: spec.args,
      Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Labels: spec.labels ?? {},
      WorkingDir: spec.workingDir,
      User: spec.user,
      Hostname: spec.hostname,
      ExposedPorts: exposed,
      StopSignal: spec.stopSignal,
      StopTimeout: spec.stopGraceSeconds,
      HostConfig: {
        PortBindings: bindings,
        Mounts: mounts as Docker.MountSettings[],
        NanoCpus: spec.resources?.nanoCpus,
        Memory: spec.resources?.memoryBytes,
        ReadonlyRootfs: spec.readOnlyRootFilesystem ?? false,
        CapAdd: spec.capAdd,
        CapDrop: spec.capDrop,
        // Capstan restarts containers itself, with back-off and probes.
        RestartPolicy: { Name: "no" },
        NetworkMode: network,
        Privileged: spec.privileged ?? false,
        PidMode: spec.pidMode,
        IpcMode: spec.ipcMode,
        SecurityOpt: spec.noNewPrivileges ? ["no-new-privileges:true"] : undefined,
      },
      NetworkingConfig: network ? { EndpointsConfig: { [network]: { Aliases: spec.network?.aliases ?? [] } } } : undefined,
    };
    const c = await this.call(`create ${spec.name}`, () => this.api.createContainer(options));
    return { id: c.id };
  }

  async start(idOrName: string): Promise<void> {
    await this.call(`start ${idOrName}`, async () => {
      try {
        await this.api.getContainer(idOrName).start();
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 304) return;
        throw err;
      }
    });
  }

  async stop(idOrName: string, options: { graceSeconds?: number } = {}): Promise<void> {
    const grace = options.graceSeconds ?? 10;
    await this.call(`stop ${idOrName}`, async () => {
      try {
        // The request itself lasts up to the grace period: give it room beyond the usual bound.
        await this.streams.getContainer(idOrName).stop({ t: grace });
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 304) return;
        throw err;
      }
    });
  }

  async remove(idOrName: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    await this.call(`remove ${idOrName}`, async () => {
      try {
        await this.api.getContainer(idOrName).remove({ force: options.force ?? false, v: options.volumes ?? false });
      } catch (err) {
        const e = err as { statusCode?: number; message?: string };
        // Already gone, or already being removed: the outcome the caller wants.
        if (e.statusCode === 404) return;
        if (e.statusCode === 409 && /already in progress/i.test(String(e.message))) return;
        throw err;
      }
    });
  }

  async exec(idOrName: string, command: string[], options: { timeoutMs?: number } = {}): Promise<ExecResult> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const container = this.streams.getContainer(idOrName);
    const exec = await this.call(`exec in ${idOrName}`, () => container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true }));
    const stream = await this.call(`exec in ${idOrName}`, () => exec.start({ hijack: true, stdin: false }));
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    stdout.on("data", (b: Buffer) => out.push(b));
    stderr.on("data", (b: Buffer) => err.push(b));
    this.streams.modem.demuxStream(stream, stdout, stderr);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve, reject) => {
          stream.on("end", resolve);
          stream.on("close", resolve);
          stream.on("error", reject);
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            stream.destroy();
            reject(new CapstanError("EXEC_TIMEOUT", `node ${this.node}: exec ${JSON.stringify(command)} in ${idOrName} did not finish within ${timeoutMs} ms`));
          }, timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    const info = await this.call(`exec in ${idOrName}`, () => exec.inspect());
    return { exitCode: info.ExitCode ?? -1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
  }

  async logs(idOrName: string, options: LogOptions = {}): Promise<string> {
    const buf = await this.call(`logs ${idOrName}`, () =>
      this.api.getContainer(idOrName).logs({
        stdout: true,
        stderr: true,
        follow: false,
        tail: options.tail ?? "all",
        since: options.sinceSeconds ? Math.floor(Date.now() / 1000) - options.sinceSeconds : 0,
        timestamps: options.timestamps ?? false,
      } as Docker.ContainerLogsOptions & { follow: false }),
    );
    const { stdout, stderr } = demuxBuffer(buf as unknown as Buffer);
    return stdout + stderr;
  }

  async followLogs(idOrName: string, onLine: (line: string) => void, options: LogOptions = {}): Promise<EventSubscription> {
    const stream = (await this.call(`logs ${idOrName}`, () =>
      this.streams.getContainer(idOrName).logs({
        stdout: true,
        stderr: true,
        follow: true,
        tail: options.tail ?? 100,
        timestamps: options.timestamps ?? false,
      } as Docker.ContainerLogsOptions & { follow: true }),
    )) as Readable;
    const sink = new PassThrough();
    this.streams.modem.demuxStream(stream, sink, sink);
    let pending = "";
    sink.on("data", (b: Buffer) => {
      pending += b.toString("utf8");
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        onLine(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    return { close: () => stream.destroy() };
  }

  subscribe(onEvent: (event: RuntimeEvent) => void, onError?: (error: Error) => void): EventSubscription {
    let closed = false;
    let current: Readable | undefined;
    let since = Math.floor(Date.now() / 1000);
    let delay = 250;
    const connect = async (): Promise<void> => {
      if (closed) return;
      try {
        const stream = (await this.streams.getEvents({
          since,
          filters: JSON.stringify({ type: ["container"], label: [`${LABEL.managedBy}=${MANAGED_BY_VALUE}`] }),
        } as object)) as unknown as Readable;
        if (closed) {
          stream.destroy();
          return;
        }
        current = stream;
        delay = 250;
        let pending = "";
        stream.on("data", (b: Buffer) => {
          pending += b.toString("utf8");
          let nl: number;
          while ((nl = pending.indexOf("\n")) >= 0) {
            const line = pending.slice(0, nl).trim();
            pending = pending.slice(nl + 1);
            if (!line) continue;
            const ev = parseEvent(this.node, line);
            if (ev) {
              since = Math.max(since, Math.floor(ev.time.getTime() / 1000));
              onEvent(ev);
            }
          }
        });
        const retry = (): void => {
          if (closed || current !== stream) return;
          current = undefined;
          setTimeout(() => void connect(), delay);
        };
        stream.on("end", retry);
        stream.on("close", retry);
        stream.on("error", (e: Error) => {
          onError?.(runtimeError(this.node, "events", e));
          retry();
        });
      } catch (err) {
        onError?.(runtimeError(this.node, "events", err));
        delay = Math.min(delay * 2, 5_000);
        if (!closed) setTimeout(() => void connect(), delay);
      }
    };
    void connect();
    return {
      close: () => {
        closed = true;
        current?.destroy();
      },
    };
  }

  private readonly networkCreation = new Map<string, Promise<void>>();

  /**
   * Engines since 20.10 ignore CheckDuplicate, so two concurrent creates make two networks of one
   * name ("network is ambiguous" afterwards): creation of a name is serialized in this process.
   */
  ensureNetwork(name: string, labels: Record<string, string> = {}): Promise<void> {
    const before = this.networkCreation.get(name) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(() => this.createNetworkOnce(name, labels));
    this.networkCreation.set(name, next);
    void next
      .finally(() => {
        if (this.networkCreation.get(name) === next) this.networkCreation.delete(name);
      })
      .catch(() => undefined);
    return next;
  }

  private async createNetworkOnce(name: string, labels: Record<string, string>): Promise<void> {
    await this.call(`create network ${name}`, async () => {
      const existing = await this.api.listNetworks({ filters: JSON.stringify({ name: [name] }) });
      if (existing.some((n) => n.Name === name)) return;
      try {
        await this.api.createNetwork({ Name: name, Driver: "bridge", Labels: labels, CheckDuplicate: true });
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 409) return;
        throw err;
      }
    });
  }

  async removeNetwork(name: string): Promise<void> {
    await this.call(`remove network ${name}`, async () => {
      try {
        await this.api.getNetwork(name).remove();
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return;
        throw err;
      }
    });
  }

  async listNetworks(selector?: Record<string, string>): Promise<{ name: string; labels: Record<string, string> }[]> {
    const rows = await this.call("list networks", () => this.api.listNetworks({ filters: JSON.stringify({ label: labelFilters(selector) }) }));
    return rows.map((n) => ({ name: n.Name, labels: n.Labels ?? {} }));
  }

  async connectNetwork(idOrName: string, network: string, aliases: string[]): Promise<void> {
    await this.call(`connect ${idOrName} to ${network}`, () => this.api.getNetwork(network).connect({ Container: idOrName, EndpointConfig: { Aliases: aliases } }));
  }

  async disconnectNetwork(idOrName: string, network: string): Promise<void> {
    await this.call(`disconnect ${idOrName} from ${network}`, async () => {
      try {
        await this.api.getNetwork(network).disconnect({ Container: idOrName, Force: true });
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return;
        throw err;
      }
    });
  }

  async networkMembers(network: string): Promise<{ id: string; name: string }[]> {
    return this.call(`inspect network ${network}`, async () => {
      try {
        const n = (await this.api.getNetwork(network).inspect()) as { Containers?: Record<string, { Name?: string }> };
        return Object.entries(n.Containers ?? {}).map(([id, c]) => ({ id, name: c.Name ?? "" }));
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return [];
        throw err;
      }
    });
  }

  async ensureVolume(name: string, labels: Record<string, string> = {}): Promise<void> {
    // Creating a volume that exists returns the existing one.
    await this.call(`create volume ${name}`, () => this.api.createVolume({ Name: name, Labels: labels }));
  }

  async removeVolume(name: string): Promise<void> {
    await this.call(`remove volume ${name}`, async () => {
      try {
        await this.api.getVolume(name).remove();
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return;
        throw err;
      }
    });
  }

  async listVolumes(selector?: Record<string, string>): Promise<{ name: string; labels: Record<string, string> }[]> {
    const res = await this.call("list volumes", () => this.api.listVolumes({ filters: JSON.stringify({ label: labelFilters(selector) }) }));
    return (res.Volumes ?? []).map((v) => ({ name: v.Name, labels: v.Labels ?? {} }));
  }

  async imagePresent(ref: string): Promise<boolean> {
    return this.call(`inspect image ${ref}`, async () => {
      try {
        await this.api.getImage(ref).inspect();
        return true;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return false;
        throw err;
      }
    });
  }
}

function parseEvent(node: string, line: string): RuntimeEvent | undefined {
  let raw: { Type?: string; Action?: string; status?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> }; time?: number; timeNano?: number };
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (raw.Type && raw.Type !== "container") return undefined;
  const actionRaw = String(raw.Action ?? raw.status ?? "").split(":")[0] ?? "";
  const attrs = { ...(raw.Actor?.Attributes ?? {}) };
  const exitCode = attrs.exitCode !== undefined ? Number(attrs.exitCode) : undefined;
  const containerName = attrs.name ?? "";
  delete attrs.exitCode;
  delete attrs.name;
  delete attrs.image;
  delete attrs.oldName;
  const action = (ACTIONS.has(actionRaw) ? actionRaw : actionRaw.startsWith("health_status") ? "health_status" : "other") as RuntimeEventAction;
  return {
    node,
    containerId: raw.Actor?.ID ?? raw.id ?? "",
    containerName,
    action,
    labels: attrs,
    exitCode,
    time: raw.timeNano ? new Date(Math.floor(raw.timeNano / 1e6)) : new Date((raw.time ?? Date.now() / 1000) * 1000),
  };
}

/**
 * dockerode's module graph (ssh2, gRPC, protobuf) costs about 28 MB of resident memory and a
 * noticeable share of start-up time; it is loaded when the first engine is connected, so commands
 * and processes that never reach Docker (template, lint, diff, the fake runtime) do not pay for it.
 */
let dockerode: typeof Docker | undefined;
function loadDockerode(): typeof Docker {
  dockerode ??= createRequire(import.meta.url)("dockerode") as typeof Docker;
  return dockerode;
}
