/**
 * The port every controller uses to reach a Docker engine (one node). The real adapter is
 * `DockerRuntime` (dockerode); `FakeRuntime` keeps the same contract in memory for unit tests.
 */

export interface NodeInfo {
  /** Capstan's name for the node (not the engine's hostname). */
  name: string;
  cpus: number;
  memoryBytes: number;
  engineVersion: string;
  os: string;
  arch: string;
}

export interface PortBinding {
  containerPort: number;
  protocol: "tcp" | "udp";
  /** Host address; Capstan publishes on 127.0.0.1 unless told otherwise. */
  hostIP: string;
  /** 0 (or absent in a spec) asks the engine for a free port. */
  hostPort: number;
}

export type Mount =
  | { type: "volume"; source: string; target: string; readOnly?: boolean }
  /** Only read-only binds of files Capstan generated (ConfigMap/Secret files). */
  | { type: "bind"; source: string; target: string; readOnly: true }
  /** A host path that the operator's project granted (pod security admitted it before the pod was made). */
  | { type: "hostPath"; source: string; target: string; readOnly: boolean }
  | { type: "tmpfs"; target: string; sizeBytes?: number };

export interface ContainerSpec {
  name: string;
  image: string;
  /** Replaces the image's entrypoint (Kubernetes `command`). */
  command?: string[];
  /** Replaces the image's cmd (Kubernetes `args`). */
  args?: string[];
  env?: Record<string, string>;
  labels?: Record<string, string>;
  workingDir?: string;
  user?: string;
  ports?: { containerPort: number; protocol?: "tcp" | "udp"; hostPort?: number; hostIP?: string }[];
  mounts?: Mount[];
  /** The container's hostname (Docker's default is the short container id). */
  hostname?: string;
  network?: { name: string; aliases?: string[] };
  resources?: { nanoCpus?: number; memoryBytes?: number };
  stopSignal?: string;
  stopGraceSeconds?: number;
  readOnlyRootFilesystem?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  /** Only what the operator's project granted reaches these (pod security refuses them otherwise). */
  privileged?: boolean;
  pidMode?: "host";
  ipcMode?: "host";
  /** `allowPrivilegeEscalation: false`: setuid binaries gain nothing (Docker's no-new-privileges). */
  noNewPrivileges?: boolean;
}

export type ContainerStatus = "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  status: ContainerStatus;
  created: Date;
  ports: PortBinding[];
}

export interface ContainerDetails extends ContainerSummary {
  running: boolean;
  exitCode: number | null;
  oomKilled: boolean;
  startedAt: Date | null;
  finishedAt: Date | null;
  networks: { name: string; aliases: string[] }[];
  env: Record<string, string>;
  mounts: { type: string; source: string; target: string; readOnly: boolean }[];
  /** Limits the engine enforces now (HostConfig Memory / NanoCpus; `docker update` changes them); absent = none. */
  resources: { memoryBytes?: number; nanoCpus?: number };
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** `update` follows `docker update` (limits changed), `rename` follows `docker rename`. */
export type RuntimeEventAction = "create" | "start" | "die" | "stop" | "kill" | "destroy" | "oom" | "health_status" | "update" | "rename" | "other";

export interface RuntimeEvent {
  node: string;
  containerId: string;
  containerName: string;
  action: RuntimeEventAction;
  labels: Record<string, string>;
  exitCode?: number;
  time: Date;
}

export interface EventSubscription {
  close(): void;
}

export interface LogOptions {
  tail?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
}

export interface ContainerRuntime {
  readonly node: string;
  ping(): Promise<void>;
  info(): Promise<NodeInfo>;
  /** Containers whose labels match every key=value of the selector (stopped ones included). */
  list(selector?: Record<string, string>): Promise<ContainerSummary[]>;
  inspect(idOrName: string): Promise<ContainerDetails>;
  /** Never pulls: a missing image is IMAGE_NOT_FOUND at once. */
  create(spec: ContainerSpec): Promise<{ id: string }>;
  start(idOrName: string): Promise<void>;
  /** SIGTERM (or the spec's stop signal), then kill after the grace period. */
  stop(idOrName: string, options?: { graceSeconds?: number }): Promise<void>;
  remove(idOrName: string, options?: { force?: boolean; volumes?: boolean }): Promise<void>;
  exec(idOrName: string, command: string[], options?: { timeoutMs?: number }): Promise<ExecResult>;
  logs(idOrName: string, options?: LogOptions): Promise<string>;
  followLogs(idOrName: string, onLine: (line: string) => void, options?: LogOptions): Promise<EventSubscription>;
  /** Events of containers carrying Capstan's managed-by label; reconnects after an engine restart. */
  subscribe(onEvent: (event: RuntimeEvent) => void, onError?: (error: Error) => void): EventSubscription;
  ensureNetwork(name: string, labels?: Record<string, string>): Promise<void>;
  removeNetwork(name: string): Promise<void>;
  listNetworks(selector?: Record<string, string>): Promise<{ name: string; labels: Record<string, string> }[]>;
  connectNetwork(idOrName: string, network: string, aliases: string[]): Promise<void>;
  disconnectNetwork(idOrName: string, network: string): Promise<void>;
  /** Containers attached to the network (any owner); [] when the network does not exist. */
  networkMembers(network: string): Promise<{ id: string; name: string }[]>;
  ensureVolume(name: string, labels?: Record<string, string>): Promise<void>;
  removeVolume(name: string): Promise<void>;
  listVolumes(selector?: Record<string, string>): Promise<{ name: string; labels: Record<string, string> }[]>;
  imagePresent(ref: string): Promise<boolean>;
}
