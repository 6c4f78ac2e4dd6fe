import { parseArgs } from "node:util";
import { configuredNodes, loadConfig, type NodeConfig } from "../../config/index.js";
import { CapstanError } from "../../errors.js";
import { containerPods, defaultRuntimeFor, NO_USAGE, NodeRegistry, nodeUsage, readStoredNodes, type StoredNodes } from "../../nodes/index.js";
import { LABEL, MANAGED_BY_VALUE } from "../../runtime/labels.js";
import type { ContainerRuntime, ContainerSummary } from "../../runtime/types.js";
import { daemonApi, findDaemon, type DaemonEndpoint, type DaemonNodeAnswer } from "../client.js";
import { formatData, formatTable, parseOutputFormat } from "../printers.js";
import type { Command, CommandContext } from "../types.js";

export interface NodeOptions {
  config?: string;
  stateDir: string;
  runtimeFor?: (node: NodeConfig) => ContainerRuntime;
  now?: () => number;
}

export interface NodeRow {
  name: string;
  /** Ready, NotReady, with `,SchedulingDisabled` when cordoned. */
  status: string;
  ready: boolean;
  unschedulable: boolean;
  /** Millicores the pods on the node request; null when the node could not be asked. */
  cpuRequestedMillis: number | null;
  cpuAllocatableMillis: number | null;
  memoryRequestedBytes: number | null;
  memoryAllocatableBytes: number | null;
  pods: number | null;
  engine: string | null;
  /** The engine's address in the configuration; null when the configuration read here does not list the node. */
  address: string | null;
  firstSeen: string | null;
  error?: string;
}

/** Where `get nodes` took its rows: the running daemon, or the configuration's engines asked now. */
export type NodeSource = "daemon" | "config";

export interface NodeList {
  source: NodeSource;
  /** The daemon's URL when the rows are its own. */
  daemon?: string;
  nodes: NodeRow[];
}

async function openRegistry(options: NodeOptions): Promise<NodeRegistry> {
  const config = await loadConfig(options.config);
  return NodeRegistry.open({ nodes: configuredNodes(config), stateDir: options.stateDir, runtimeFor: options.runtimeFor ?? defaultRuntimeFor });
}

/** A pod is its namespace and pod label; a container without them stands for itself. */
function podKey(c: ContainerSummary): string {
  const pod = c.labels[LABEL.pod];
  return pod ? `${c.labels[LABEL.namespace] ?? ""}/${pod}` : `container/${c.name}`;
}

async function capstanContainers(rt: ContainerRuntime): Promise<ContainerSummary[]> {
  return rt.list({ [LABEL.managedBy]: MANAGED_BY_VALUE });
}

function address(node: NodeConfig): string {
  return node.address ?? "DOCKER_HOST or the default socket";
}

/**
 * The nodes of the configuration, each asked now (no daemon needed): readiness is a ping, cordons
 * come from the state directory, capacity from the registry as the scheduler reads it, and the
 * requests of Capstan's pods from the pod template each container carries.
 */
export async function listNodes(options: NodeOptions): Promise<NodeRow[]> {
  const registry = await openRegistry(options);
  return Promise.all(
    registry.names().map(async (name): Promise<NodeRow> => {
      const rt = registry.runtime(name);
      const unschedulable = registry.isCordoned(name);
      const row: NodeRow = {
        name,
        status: "",
        ready: false,
        unschedulable,
        cpuRequestedMillis: null,
        cpuAllocatableMillis: null,
        memoryRequestedBytes: null,
        memoryAllocatableBytes: null,
        pods: null,
        engine: null,
        address: address(registry.config(name)),
        firstSeen: registry.firstSeen(name)?.toISOString() ?? null,
      };
      try {
        await rt.ping();
        row.ready = true;
        const cap = await registry.capacity(name);
        const alloc = await registry.allocatable(name);
        row.cpuAllocatableMillis = alloc.cpuMillis;
        row.memoryAllocatableBytes = alloc.memoryBytes;
        row.engine = cap.engineVersion ? `docker ${cap.engineVersion}` : null;
        const used = nodeUsage(containerPods(name, await capstanContainers(rt))).get(name) ?? NO_USAGE;
        row.cpuRequestedMillis = used.cpuMillis;
        row.memoryRequestedBytes = used.memoryBytes;
        row.pods = used.pods;
      } catch (err) {
        row.error = (err as Error).message;
        try {
          const alloc = await registry.allocatable(name);
          row.cpuAllocatableMillis = alloc.cpuMillis;
          row.memoryAllocatableBytes = alloc.memoryBytes;
        } catch {
          // the engine is the only source of capacity for this node
        }
      }
      row.status = `${row.ready ? "Ready" : "NotReady"}${unschedulable ? ",SchedulingDisabled" : ""}`;
      return row;
    }),
  );
}

/** A daemon's answer for one node as a `get nodes` row; cordons and ages it does not send come from the state directory. */
function daemonRow(v: DaemonNodeAnswer, stored: StoredNodes, configured: readonly NodeConfig[]): NodeRow {
  const unschedulable = typeof v.unschedulable === "boolean" ? v.unschedulable : Boolean(stored.nodes[v.name]?.unschedulable);
  const cfg = configured.find((n) => n.name === v.name);
  return {
    name: v.name,
    status: `${v.status}${unschedulable ? ",SchedulingDisabled" : ""}`,
    ready: v.status === "Ready",
    unschedulable,
    cpuRequestedMillis: v.cpu.requested,
    cpuAllocatableMillis: v.cpu.allocatable,
    memoryRequestedBytes: v.memory.requested,
    memoryAllocatableBytes: v.memory.allocatable,
    pods: v.pods,
    engine: v.engineVersion ? `docker ${v.engineVersion}` : null,
    address: cfg ? address(cfg) : null,
    firstSeen: typeof v.firstSeen === "string" ? v.firstSeen : (stored.nodes[v.name]?.firstSeen ?? null),
  };
}

/** The running daemon's nodes, as its API gives them (`GET /api/v1/nodes`). */
export async function daemonNodes(d: DaemonEndpoint, options: NodeOptions): Promise<NodeRow[]> {
  const [views, stored, config] = await Promise.all([daemonApi.nodes(d), readStoredNodes(options.stateDir), loadConfig(options.config)]);
  return views.map((v) => daemonRow(v, stored, configuredNodes(config)));
}

/**
 * What `capstan get nodes` shows: the nodes of the daemon holding the state directory, which is
 * what it schedules on; without one, the configuration's nodes, each asked now.
 */
export async function getNodes(options: NodeOptions): Promise<NodeList> {
  const d = findDaemon(options.stateDir);
  if (d) return { source: "daemon", daemon: d.url, nodes: await daemonNodes(d, options) };
  return { source: "config", nodes: await listNodes(options) };
}

export async function cordonNode(options: NodeOptions & { node: string }): Promise<boolean> {
  return (await openRegistry(options)).cordon(options.node);
}

export async function uncordonNode(options: NodeOptions & { node: string }): Promise<boolean> {
  return (await openRegistry(options)).uncordon(options.node);
}

export interface DrainResult {
  cordoned: boolean;
  evicted: string[];
  /** DaemonSet pods left in place (--ignore-daemonsets). */
  ignored: string[];
}

/**
 * Cordons the node, then stops and removes Capstan's pods on it, as `kubectl drain`: pods of
 * DaemonSets stop the drain unless `ignoreDaemonSets`, in which case they stay. The pods'
 * controllers recreate them on other nodes at their next sync.
 */
export async function drainNode(
  options: NodeOptions & { node: string; ignoreDaemonSets?: boolean; gracePeriodSeconds?: number; log?: (line: string) => void },
): Promise<DrainResult> {
  const log = options.log ?? (() => {});
  const registry = await openRegistry(options);
  const cordoned = await registry.cordon(options.node);
  log(`node/${options.node} ${cordoned ? "cordoned" : "already cordoned"}`);
  const rt = registry.runtime(options.node);
  const containers = await capstanContainers(rt);
  const pods = new Map<string, ContainerSummary[]>();
  for (const c of containers) {
    const key = podKey(c);
    pods.set(key, [...(pods.get(key) ?? []), c]);
  }
  const daemonPods = [...pods].filter(([, cs]) => cs.some((c) => c.labels[LABEL.ownerKind] === "DaemonSet")).map(([k]) => k);
  if (daemonPods.length > 0 && !options.ignoreDaemonSets) {
    throw new CapstanError("USAGE", `cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${daemonPods.sort().join(", ")}`);
  }
  if (daemonPods.length > 0) log(`Warning: ignoring DaemonSet-managed Pods: ${daemonPods.sort().join(", ")}`);
  const evicted: string[] = [];
  for (const [key, cs] of [...pods].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (daemonPods.includes(key)) continue;
    log(`evicting pod ${key}`);
    for (const c of cs) {
      if (c.status === "running" || c.status === "restarting" || c.status === "paused") await rt.stop(c.id, { graceSeconds: options.gracePeriodSeconds ?? 30 });
      await rt.remove(c.id, { force: true });
    }
    log(`pod/${key.slice(key.indexOf("/") + 1)} evicted`);
    evicted.push(key);
  }
  log(`node/${options.node} drained`);
  return { cordoned, evicted, ignored: daemonPods };
}

function cpuText(m: number | null): string {
  return m === null ? "?" : `${m}m`;
}
function memText(b: number | null): string {
  return b === null ? "?" : `${Math.floor(b / 1024 ** 2)}Mi`;
}

/** kubectl's short ages: 45s, 12m, 5h, 3d. */
export function age(from: string | null, now: number): string {
  if (!from) return "<unknown>";
  const s = Math.max(0, Math.floor((now - Date.parse(from)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 120 * 60) return `${Math.floor(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

function options(ctx: CommandContext, extra: Partial<NodeOptions>): NodeOptions {
  return { stateDir: ctx.global.stateDir, ...(ctx.global.config ? { config: ctx.global.config } : {}), ...extra };
}

/** `capstan get nodes`; the `get` command of the CLI can delegate here for the `nodes` resource. */
export async function runGetNodes(args: string[], ctx: CommandContext, extra: Partial<NodeOptions> = {}): Promise<number> {
  const { values } = parseArgs({ args, options: { output: { type: "string", short: "o" } }, strict: true });
  const format = parseOutputFormat(values.output, ["table", "json", "yaml"] as const, "table");
  const opts = options(ctx, extra);
  const list = await getNodes(opts);
  const rows = list.nodes;
  if (list.source === "config") {
    const what = opts.config ? `the configuration ${opts.config}` : "the default configuration (the local engine)";
    ctx.io.stderr(`no daemon holds ${opts.stateDir}: showing the nodes of ${what}, asked now\n`);
  }
  if (format !== "table") {
    ctx.io.stdout(formatData(list, format));
    for (const r of rows) if (r.error) ctx.io.stderr(`warning: ${r.name}: ${r.error}\n`);
    return 0;
  }
  const now = (extra.now ?? Date.now)();
  ctx.io.stdout(
    formatTable(rows, [
      { header: "name", value: (r) => r.name },
      { header: "status", value: (r) => r.status },
      { header: "cpu", value: (r) => `${cpuText(r.cpuRequestedMillis)}/${cpuText(r.cpuAllocatableMillis)}` },
      { header: "memory", value: (r) => `${memText(r.memoryRequestedBytes)}/${memText(r.memoryAllocatableBytes)}` },
      { header: "pods", value: (r) => (r.pods === null ? "?" : String(r.pods)) },
      { header: "engine", value: (r) => r.engine ?? "-" },
      { header: "age", value: (r) => age(r.firstSeen, now) },
    ]),
  );
  for (const r of rows) if (r.error) ctx.io.stderr(`warning: ${r.name}: ${r.error}\n`);
  return 0;
}

export const getNodesCommand: Command = {
  name: "get",
  summary: "List resources (nodes: status, capacity, pods, engine)",
  usage: "capstan get nodes [-o table|json|yaml]",
  async run(args, ctx) {
    const [resource, ...rest] = args;
    if (resource !== "nodes" && resource !== "node" && resource !== "no") {
      throw new CapstanError("USAGE", `capstan get: unknown resource ${JSON.stringify(resource ?? "")} (use: capstan get nodes)`);
    }
    return runGetNodes(rest, ctx);
  },
};

function nodeArg(name: string, args: string[]): { node: string; values: Record<string, string | boolean | undefined> } {
  const { values, positionals } = parseArgs({
    args,
    options: { "ignore-daemonsets": { type: "boolean" }, "grace-period": { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new CapstanError("USAGE", `capstan ${name} needs exactly one node name`);
  return { node: positionals[0] as string, values };
}

export const cordonCommand: Command = {
  name: "cordon",
  summary: "Mark a node unschedulable: new pods go elsewhere, running pods stay",
  usage: "capstan cordon NODE",
  async run(args, ctx) {
    const { node } = nodeArg("cordon", args);
    const changed = await cordonNode({ ...options(ctx, {}), node });
    ctx.io.stdout(`node/${node} ${changed ? "cordoned" : "already cordoned"}\n`);
    return 0;
  },
};

export const uncordonCommand: Command = {
  name: "uncordon",
  summary: "Mark a node schedulable again",
  usage: "capstan uncordon NODE",
  async run(args, ctx) {
    const { node } = nodeArg("uncordon", args);
    const changed = await uncordonNode({ ...options(ctx, {}), node });
    ctx.io.stdout(`node/${node} ${changed ? "uncordoned" : "already uncordoned"}\n`);
    return 0;
  },
};

export const drainCommand: Command = {
  name: "drain",
  summary: "Cordon a node and remove Capstan's pods from it; their controllers place them elsewhere",
  usage: "capstan drain NODE [--ignore-daemonsets] [--grace-period SECONDS]",
  async run(args, ctx) {
    const { node, values } = nodeArg("drain", args);
    const grace = values["grace-period"] === undefined ? undefined : Number(values["grace-period"]);
    if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) throw new CapstanError("USAGE", `--grace-period ${String(values["grace-period"])}: must be a whole number of seconds`);
    const result = await drainNode({
      ...options(ctx, {}),
      node,
      ignoreDaemonSets: Boolean(values["ignore-daemonsets"]),
      ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
      log: (line) => ctx.io.stdout(`${line}\n`),
    });
    if (result.evicted.length > 0) ctx.io.stdout("Their controllers place the evicted pods on other nodes at the next sync.\n");
    return 0;
  },
};

/** The node commands, for the CLI's command list. */
export const nodeCommands: Command[] = [getNodesCommand, cordonCommand, uncordonCommand, drainCommand];
