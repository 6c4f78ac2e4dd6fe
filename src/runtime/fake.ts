import { randomBytes } from "node:crypto";
import { CapstanError } from "../errors.js";
import { LABEL, MANAGED_BY_VALUE, matchesSelector } from "./labels.js";
import type {
  ContainerDetails,
  ContainerRuntime,
  ContainerSpec,
  ContainerSummary,
  EventSubscription,
  ExecResult,
  NodeInfo,
  PortBinding,
  RuntimeEvent,
  RuntimeEventAction,
} from "./types.js";

interface FakeContainer {
  details: ContainerDetails;
  spec: ContainerSpec;
  logs: string[];
}

export interface FakeRuntimeOptions {
  node?: string;
  images?: string[];
  cpus?: number;
  memoryBytes?: number;
  /** Answers exec calls; the default says the command is not available in the fake. */
  execHandler?: (container: ContainerDetails, command: string[]) => ExecResult;
}

/** In-memory ContainerRuntime with the same contract as the Docker adapter (see the contract tests). */
export class FakeRuntime implements ContainerRuntime {
  readonly node: string;
  private readonly images: Set<string>;
  private readonly containers = new Map<string, FakeContainer>();
  private readonly networks = new Map<string, Record<string, string>>();
  private readonly volumes = new Map<string, Record<string, string>>();
  private readonly listeners = new Set<(e: RuntimeEvent) => void>();
  private nextPort = 32768;
  private up = true;
  private readonly cpus: number;
  private readonly memoryBytes: number;
  execHandler: (container: ContainerDetails, command: string[]) => ExecResult;

  constructor(options: FakeRuntimeOptions = {}) {
    this.node = options.node ?? "local";
    this.images = new Set((options.images ?? []).map(normalizeRef));
    this.cpus = options.cpus ?? 2;
    this.memoryBytes = options.memoryBytes ?? 8 * 1024 ** 3;
    this.execHandler =
      options.execHandler ?? ((_c, command) => ({ exitCode: 127, stdout: "", stderr: `fake runtime: ${command[0] ?? ""}: not found\n` }));
  }

  /** Test control: the engine stops answering (RUNTIME_UNAVAILABLE) or comes back. */
  setAvailable(up: boolean): void {
    this.up = up;
  }

  addImage(ref: string): void {
    this.images.add(normalizeRef(ref));
  }

  /** Test control: the container's main process exits with `code`. */
  exit(idOrName: string, code: number): void {
    const c = this.find(idOrName);
    if (!c.details.running) return;
    c.details.running = false;
    c.details.status = "exited";
    c.details.exitCode = code;
    c.details.finishedAt = new Date();
    this.emit(c, "die", code);
  }

  /** Test control: `docker update` (the engine's limits change in place; 0 removes one). */
  updateResources(idOrName: string, resources: { memoryBytes?: number; nanoCpus?: number }): void {
    const c = this.find(idOrName);
    const next = { ...c.details.resources, ...resources };
    c.details.resources = Object.fromEntries(Object.entries(next).filter(([, v]) => v)) as ContainerDetails["resources"];
    this.emit(c, "update");
  }

  /** Test control: `docker rename`. */
  rename(idOrName: string, name: string): void {
    const c = this.find(idOrName);
    if ([...this.containers.values()].some((o) => o !== c && o.details.name === name)) {
      throw new CapstanError("RUNTIME_ERROR", `node ${this.node}: rename ${idOrName} failed: Conflict. The container name "/${name}" is already in use`);
    }
    c.details.name = name;
    this.emit(c, "rename");
  }

  /** Test control: the container's config differs from what it was created with (made again by hand under the same name, say). No event. */
  overwrite(idOrName: string, patch: { image?: string; env?: Record<string, string> }): void {
    const c = this.find(idOrName);
    if (patch.image !== undefined) c.details.image = patch.image;
    if (patch.env !== undefined) c.details.env = { ...patch.env };
  }

  appendLog(idOrName: string, line: string): void {
    this.find(idOrName).logs.push(line);
  }

  private check(): void {
    if (!this.up) throw new CapstanError("RUNTIME_UNAVAILABLE", `node ${this.node}: Docker engine does not answer (fake engine is down)`);
  }

  private find(idOrName: string): FakeContainer {
    const byId = this.containers.get(idOrName);
    if (byId) return byId;
    for (const c of this.containers.values()) {
      if (c.details.name === idOrName || (idOrName.length >= 12 && c.details.id.startsWith(idOrName))) return c;
    }
    throw new CapstanError("CONTAINER_NOT_FOUND", `node ${this.node}: No such container: ${idOrName}`);
  }

  private emit(c: FakeContainer, action: RuntimeEventAction, exitCode?: number): void {
    if (c.details.labels[LABEL.managedBy] !== MANAGED_BY_VALUE) return;
    const event: RuntimeEvent = {
      node: this.node,
      containerId: c.details.id,
      containerName: c.details.name,
      action,
      labels: { ...c.details.labels },
      exitCode,
      time: new Date(),
    };
    for (const l of this.listeners) queueMicrotask(() => l(event));
  }

  async ping(): Promise<void> {
    this.check();
  }

  async info(): Promise<NodeInfo> {
    this.check();
    return { name: this.node, cpus: this.cpus, memoryBytes: this.memoryBytes, engineVersion: "fake", os: "linux", arch: "x86_64" };
  }

  async list(selector?: Record<string, string>): Promise<ContainerSummary[]> {
    this.check();
    return [...this.containers.values()]
      .filter((c) => matchesSelector(c.details.labels, selector))
      .map((c) => summary(c.details));
  }

  async inspect(idOrName: string): Promise<ContainerDetails> {
    this.check();
    return structuredClone(this.find(idOrName).details);
  }

  async create(spec: ContainerSpec): Promise<{ id: string }> {
    this.check();
    if (!this.images.has(normalizeRef(spec.image))) {
      throw new CapstanError(
        "IMAGE_NOT_FOUND",
        `node ${this.node}: image not found: ${spec.image} (ImagePullBackOff: Capstan never pulls; build or load the image on this node)`,
      );
    }
    for (const c of this.containers.values()) {
      if (c.details.name === spec.name) {
        throw new CapstanError("RUNTIME_ERROR", `node ${this.node}: create ${spec.name} failed: Conflict. The container name "/${spec.name}" is already in use`);
      }
    }
    if (spec.network && !this.networks.has(spec.network.name)) {
      throw new CapstanError("RUNTIME_ERROR", `node ${this.node}: create ${spec.name} failed: network ${spec.network.name} not found`);
    }
    for (const m of spec.mounts ?? []) {
      if (m.type === "volume" && !this.volumes.has(m.source)) this.volumes.set(m.source, {});
    }
    const id = randomBytes(32).toString("hex");
    const ports: PortBinding[] = (spec.ports ?? []).map((p) => ({
      containerPort: p.containerPort,
      protocol: p.protocol ?? "tcp",
      hostIP: p.hostIP ?? "127.0.0.1",
      hostPort: p.hostPort || this.nextPort++,
    }));
    const details: ContainerDetails = {
      id,
      name: spec.name,
      image: spec.image,
      labels: { ...(spec.labels ?? {}) },
      status: "created",
      created: new Date(),
      ports,
      running: false,
      exitCode: null,
      oomKilled: false,
      startedAt: null,
      finishedAt: null,
      networks: spec.network ? [{ name: spec.network.name, aliases: [...(spec.network.aliases ?? [])] }] : [],
      env: { ...(spec.env ?? {}) },
      mounts: (spec.mounts ?? []).map((m) => ({
        type: m.type,
        source: m.type === "tmpfs" ? "" : m.source,
        target: m.target,
        readOnly: m.type === "tmpfs" ? false : (m.readOnly ?? false),
      })),
      resources: { ...(spec.resources?.memoryBytes ? { memoryBytes: spec.resources.memoryBytes } : {}), ...(spec.resources?.nanoCpus ? { nanoCpus: spec.resources.nanoCpus } : {}) },
    };
    const c: FakeContainer = { details, spec: structuredClone(spec), logs: [] };
    this.containers.set(id, c);
    this.emit(c, "create");
    return { id };
  }

  async start(idOrName: string): Promise<void> {
    this.check();
    const c = this.find(idOrName);
    if (c.details.running) return;
    c.details.running = true;
    c.details.status = "running";
    c.details.exitCode = null;
    c.details.startedAt = new Date();
    this.emit(c, "start");
  }

  async stop(idOrName: string): Promise<void> {
    this.check();
    const c = this.find(idOrName);
    if (!c.details.running) return;
    this.emit(c, "kill");
    c.details.running = false;
    c.details.status = "exited";
    c.details.exitCode = 0;
    c.details.finishedAt = new Date();
    this.emit(c, "die", 0);
    this.emit(c, "stop");
  }

  async remove(idOrName: string, options: { force?: boolean } = {}): Promise<void> {
    this.check();
    let c: FakeContainer;
    try {
      c = this.find(idOrName);
    } catch {
      return;
    }
    if (c.details.running) {
      if (!options.force) {
        throw new CapstanError("RUNTIME_ERROR", `node ${this.node}: remove ${idOrName} failed: cannot remove a running container, stop it first or force`);
      }
      c.details.running = false;
      this.emit(c, "kill");
      this.emit(c, "die", 137);
    }
    this.containers.delete(c.details.id);
    this.emit(c, "destroy");
  }

  async exec(idOrName: string, command: string[]): Promise<ExecResult> {
    this.check();
    const c = this.find(idOrName);
    if (!c.details.running) throw new CapstanError("RUNTIME_ERROR", `node ${this.node}: exec in ${idOrName} failed: container ${c.details.id} is not running`);
    return this.execHandler(structuredClone(c.details), command);
  }

  async logs(idOrName: string, options: { tail?: number } = {}): Promise<string> {
    this.check();
    const lines = this.find(idOrName).logs;
    const picked = options.tail !== undefined ? lines.slice(-options.tail) : lines;
    return picked.map((l) => `${l}\n`).join("");
  }

  async followLogs(idOrName: string, onLine: (line: string) => void, options: { tail?: number } = {}): Promise<EventSubscription> {
    this.check();
    const c = this.find(idOrName);
    const start = options.tail !== undefined ? Math.max(0, c.logs.length - options.tail) : 0;
    let seen = start;
    for (const l of c.logs.slice(start)) onLine(l);
    seen = c.logs.length;
    const timer = setInterval(() => {
      while (seen < c.logs.length) onLine(c.logs[seen++] ?? "");
    }, 20);
    return { close: () => clearInterval(timer) };
  }

  subscribe(onEvent: (event: RuntimeEvent) => void): EventSubscription {
    this.listeners.add(onEvent);
    return { close: () => this.listeners.delete(onEvent) };
  }

  async ensureNetwork(name: string, labels: Record<string, string> = {}): Promise<void> {
    this.check();
    if (!this.networks.has(name)) this.networks.set(name, { ...labels });
  }

  async removeNetwork(name: string): Promise<void> {
    this.check();
    for (const c of this.containers.values()) {
      if (c.details.networks.some((n) => n.name === name)) {
        throw new CapstanError("RUNTIME_ERROR", `node ${this.node}: remove network ${name} failed: network has active endpoints`);
      }
    }
    this.networks.delete(name);
  }

  async listNetworks(selector?: Record<string, string>): Promise<{ name: string; labels: Record<string, string> }[]> {
    this.check();
    return [...this.networks].filter(([, l]) => matchesSelector(l, selector)).map(([name, labels]) => ({ name, labels: { ...labels } }));
  }

  async connectNetwork(idOrName: string, network: string, aliases: string[]): Promise<void> {
    this.check();
    const c = this.find(idOrName);
    if (!this.networks.has(network)) throw new CapstanError("RUNTIME_ERROR", `node ${this.node}: connect ${idOrName} to ${network} failed: network ${network} not found`);
    if (c.details.networks.some((n) => n.name === network)) {
      throw new CapstanError("RUNTIME_ERROR", `node ${this.node}: connect ${idOrName} to ${network} failed: endpoint already exists in network ${network}`);
    }
    c.details.networks.push({ name: network, aliases: [...aliases] });
  }

  async disconnectNetwork(idOrName: string, network: string): Promise<void> {
    this.check();
    const c = this.find(idOrName);
    c.details.networks = c.details.networks.filter((n) => n.name !== network);
  }

  async networkMembers(network: string): Promise<{ id: string; name: string }[]> {
    this.check();
    // As the engine, which lists endpoints: only running containers have one.
    return [...this.containers.values()].filter((c) => c.details.running && c.details.networks.some((n) => n.name === network)).map((c) => ({ id: c.details.id, name: c.details.name }));
  }

  async ensureVolume(name: string, labels: Record<string, string> = {}): Promise<void> {
    this.check();
    if (!this.volumes.has(name)) this.volumes.set(name, { ...labels });
  }

  async removeVolume(name: string): Promise<void> {
    this.check();
    for (const c of this.containers.values()) {
      if (c.details.mounts.some((m) => m.type === "volume" && m.source === name)) {
        throw new CapstanError("RUNTIME_ERROR", `node ${this.node}: remove volume ${name} failed: volume is in use`);
      }
    }
    this.volumes.delete(name);
  }

  async listVolumes(selector?: Record<string, string>): Promise<{ name: string; labels: Record<string, string> }[]> {
    this.check();
    return [...this.volumes].filter(([, l]) => matchesSelector(l, selector)).map(([name, labels]) => ({ name, labels: { ...labels } }));
  }

  async imagePresent(ref: string): Promise<boolean> {
    this.check();
    return this.images.has(normalizeRef(ref));
  }
}

function summary(d: ContainerDetails): ContainerSummary {
  return { id: d.id, name: d.name, image: d.image, labels: { ...d.labels }, status: d.status, created: d.created, ports: d.ports.map((p) => ({ ...p })) };
}

/** `web` and `web:latest` name the same image, as Docker treats them. */
function normalizeRef(ref: string): string {
  const lastSlash = ref.lastIndexOf("/");
  return ref.slice(lastSlash + 1).includes(":") || ref.includes("@") ? ref : `${ref}:latest`;
}
