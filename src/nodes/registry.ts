import { stat } from "node:fs/promises";
import type { NodeConfig } from "../config/index.js";
import { systemClock, type Clock } from "../controllers/clock.js";
import { CapstanError } from "../errors.js";
import { DockerRuntime } from "../runtime/docker.js";
import type { ContainerRuntime } from "../runtime/types.js";
import { DEFAULT_RESERVE, allocatable, memoryBytes } from "../scheduler/snapshot.js";
import type { ResourceAmounts, SchedulingNode } from "../scheduler/types.js";
import { nodesFile, readStoredNodes, writeStoredNodes, type StoredNodes } from "./state.js";

export interface NodeCapacity extends ResourceAmounts {
  /** Engine version, when the engine answered. */
  engineVersion?: string;
  /** Where the figures came from: the engine's info, the configuration, or both. */
  source: "engine" | "config" | "engine+config";
}

export interface NodeRegistryOptions {
  /** The configured nodes (`configuredNodes(config)`: the local engine when none are configured). */
  nodes: NodeConfig[];
  stateDir: string;
  runtimeFor?: (node: NodeConfig) => ContainerRuntime;
  /** Kept back on every node for the engine and Capstan (default 100m CPU, 256Mi memory). */
  reserve?: ResourceAmounts;
  clock?: Clock;
}

export function defaultRuntimeFor(node: NodeConfig): ContainerRuntime {
  return new DockerRuntime({ node: node.name, address: node.address, tlsCertPath: node.tlsCertPath, requestTimeoutMs: 10_000 });
}

/**
 * The nodes Capstan places pods on: their configuration, a runtime each, capacity (from the
 * engine's info unless the configuration sets it) minus the reserve, and cordon state, which is
 * kept in `<stateDir>/nodes.json` so `capstan cordon` outlives the process.
 */
export class NodeRegistry {
  private readonly configs: NodeConfig[];
  private readonly runtimes = new Map<string, ContainerRuntime>();
  private readonly capacities = new Map<string, NodeCapacity>();
  private stored: StoredNodes;
  readonly reserve: ResourceAmounts;
  private readonly clock: Clock;
  private readonly listeners = new Set<(node: string) => void>();
  /** What nodes.json looked like when `reloadIfChanged` last read it. */
  private seenFile: string | undefined;

  private constructor(private readonly options: NodeRegistryOptions, stored: StoredNodes) {
    if (options.nodes.length === 0) throw new CapstanError("CONFIG_INVALID", "no nodes configured");
    this.configs = options.nodes;
    this.stored = stored;
    this.reserve = options.reserve ?? DEFAULT_RESERVE;
    this.clock = options.clock ?? systemClock;
    const runtimeFor = options.runtimeFor ?? defaultRuntimeFor;
    for (const n of this.configs) this.runtimes.set(n.name, runtimeFor(n));
  }

  static async open(options: NodeRegistryOptions): Promise<NodeRegistry> {
    const registry = new NodeRegistry(options, await readStoredNodes(options.stateDir));
    await registry.recordFirstSeen();
    return registry;
  }

  private async recordFirstSeen(): Promise<void> {
    let changed = false;
    for (const n of this.configs) {
      const s = (this.stored.nodes[n.name] ??= {});
      if (!s.firstSeen) {
        s.firstSeen = new Date(this.clock.now()).toISOString();
        changed = true;
      }
    }
    if (changed) await this.save();
  }

  private async save(): Promise<void> {
    await writeStoredNodes(this.options.stateDir, this.stored);
  }

  /** Called with the node's name when its cordon state changes (here, or in nodes.json by another process). Returns unsubscribe. */
  onChange(listener: (node: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(node: string): void {
    for (const l of this.listeners) l(node);
  }

  /**
   * Reads nodes.json again: `capstan cordon`/`uncordon`/`drain` run in their own process. Nodes
   * whose cordon state changed are reported to the `onChange` listeners.
   */
  async reload(): Promise<string[]> {
    const before = new Map(this.configs.map((n) => [n.name, this.isCordoned(n.name)]));
    this.stored = await readStoredNodes(this.options.stateDir);
    const changed = this.configs.filter((n) => before.get(n.name) !== this.isCordoned(n.name)).map((n) => n.name);
    for (const n of changed) this.changed(n);
    return changed;
  }

  /**
   * `reload()` when nodes.json changed since it was last looked at (its inode, size or mtime):
   * one `stat` instead of a read and parse, for callers that look before every placement.
   */
  async reloadIfChanged(): Promise<string[]> {
    const seen = await stat(nodesFile(this.options.stateDir)).then(
      (s) => `${s.ino}:${s.size}:${s.mtimeMs}`,
      () => "absent",
    );
    if (seen === this.seenFile) return [];
    this.seenFile = seen;
    return this.reload();
  }

  names(): string[] {
    return this.configs.map((n) => n.name);
  }

  /** The node pods go to when nothing else decides: the first configured. */
  defaultNode(): string {
    return this.configs[0]!.name;
  }

  config(name: string): NodeConfig {
    const c = this.configs.find((n) => n.name === name);
    if (!c) throw new CapstanError("USAGE", `node ${JSON.stringify(name)} is not configured (nodes: ${this.names().join(", ")})`);
    return c;
  }

  runtime(name: string): ContainerRuntime {
    this.config(name);
    return this.runtimes.get(name)!;
  }

  firstSeen(name: string): Date | undefined {
    const s = this.stored.nodes[name]?.firstSeen;
    return s ? new Date(s) : undefined;
  }

  isCordoned(name: string): boolean {
    this.config(name);
    return Boolean(this.stored.nodes[name]?.unschedulable);
  }

  /** The node a claim volume was last seen on or placed on (kept in nodes.json across restarts). */
  claimNode(volume: string): string | undefined {
    return this.stored.claims?.[volume];
  }

  /** Records where a claim volume lives, or forgets it (`undefined`: the volume was deleted). */
  async setClaimNode(volume: string, node: string | undefined): Promise<void> {
    if (this.stored.claims?.[volume] === node) return;
    // Merged into the file's latest content; a cordon made there meanwhile is reported as `reload` does.
    await this.reload();
    const claims = (this.stored.claims ??= {});
    if (node === undefined) delete claims[volume];
    else claims[volume] = node;
    await this.save();
  }

  /** Marks the node unschedulable; returns false when it already was. */
  async cordon(name: string): Promise<boolean> {
    return this.setUnschedulable(name, true);
  }

  /** Makes the node schedulable again; returns false when it already was. */
  async uncordon(name: string): Promise<boolean> {
    return this.setUnschedulable(name, false);
  }

  private async setUnschedulable(name: string, value: boolean): Promise<boolean> {
    this.config(name);
    // Another process may have changed the file since we read it: merge into its latest content.
    this.stored = await readStoredNodes(this.options.stateDir);
    const s = (this.stored.nodes[name] ??= {});
    if (Boolean(s.unschedulable) === value) return false;
    if (value) {
      s.unschedulable = true;
      s.cordonedAt = new Date(this.clock.now()).toISOString();
    } else {
      delete s.unschedulable;
      delete s.cordonedAt;
    }
    s.firstSeen ??= new Date(this.clock.now()).toISOString();
    await this.save();
    this.changed(name);
    return true;
  }

  /**
   * CPU and memory of the node: the configuration's `capacity` where set, the engine's info for
   * the rest. Throws RUNTIME_UNAVAILABLE when the engine is needed and does not answer.
   */
  async capacity(name: string, options: { refresh?: boolean } = {}): Promise<NodeCapacity> {
    const cached = this.capacities.get(name);
    if (cached && !options.refresh) return cached;
    const cfg = this.config(name).capacity;
    const cfgCpu = cfg?.cpus !== undefined ? Math.round(cfg.cpus * 1000) : undefined;
    const cfgMem = cfg?.memory !== undefined ? memoryBytes(cfg.memory) : undefined;
    let result: NodeCapacity;
    if (cfgCpu !== undefined && cfgMem !== undefined) {
      result = { cpuMillis: cfgCpu, memoryBytes: cfgMem, source: "config" };
      try {
        result.engineVersion = (await this.runtime(name).info()).engineVersion;
      } catch {
        // capacity is known without the engine
      }
    } else {
      const info = await this.runtime(name).info();
      result = {
        cpuMillis: cfgCpu ?? Math.round(info.cpus * 1000),
        memoryBytes: cfgMem ?? info.memoryBytes,
        engineVersion: info.engineVersion,
        source: cfgCpu !== undefined || cfgMem !== undefined ? "engine+config" : "engine",
      };
    }
    this.capacities.set(name, result);
    return result;
  }

  /** Capacity minus the reserve. */
  async allocatable(name: string): Promise<ResourceAmounts> {
    return allocatable(await this.capacity(name), this.reserve);
  }

  /**
   * The scheduler's view of every node. `ready` says which nodes answer (from a NodeHealthMonitor,
   * or a fresh ping when absent); a node whose capacity cannot be read has none to offer.
   */
  async schedulingNodes(ready?: (name: string) => boolean): Promise<SchedulingNode[]> {
    return Promise.all(
      this.configs.map(async (cfg): Promise<SchedulingNode> => {
        let isReady: boolean;
        if (ready) isReady = ready(cfg.name);
        else isReady = await this.runtime(cfg.name).ping().then(() => true, () => false);
        let alloc: ResourceAmounts = { cpuMillis: 0, memoryBytes: 0 };
        try {
          alloc = await this.allocatable(cfg.name);
        } catch {
          // unknown capacity: nothing fits until the engine answers
        }
        return {
          name: cfg.name,
          labels: { "kubernetes.io/hostname": cfg.name, ...cfg.labels },
          taints: cfg.taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect })),
          allocatable: alloc,
          unschedulable: this.isCordoned(cfg.name),
          ready: isReady,
        };
      }),
    );
  }
}
