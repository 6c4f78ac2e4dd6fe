import type { PodIntent, PodManager, PodStatus } from "../controllers/pods/types.js";
import type { CapstanError} from "../errors.js";
import { type Problem } from "../errors.js";
import type { Service } from "../manifest/index.js";
import { LABEL, MANAGED_BY_VALUE } from "../runtime/labels.js";
import type { ContainerRuntime } from "../runtime/types.js";
import { serviceEndpoints, untranslatedMessage, type PodEndpointSource, type ServiceEndpoints } from "./endpoints.js";
import { assignNodePorts, type NodePortAssignment } from "./nodeports.js";
import { ServiceProxy } from "./proxy.js";

/** Short Service names resolve on the namespace's service network; `name.namespace` on the shared one. */
export const serviceNetworkName = (namespace: string): string => `capstan-${namespace}-svc`;
export const SHARED_SERVICE_NETWORK = "capstan-services";

export interface ServiceControllerOptions {
  pods: PodManager;
  runtimes: Map<string, ContainerRuntime>;
  /** Where NodePort proxies listen. */
  proxyHost?: string;
  /** Serve NodePort/LoadBalancer Services (the daemon does; a one-shot sync does not). */
  serveProxies?: boolean;
  /** How long a pod's open connections may take to finish before it is stopped. */
  drainTimeoutMs?: number;
  onWarning?: (problem: Problem) => void;
  /** Extra labels on the per-namespace service networks it makes (tests mark their run); the shared network is left unmarked. */
  labels?: Record<string, string>;
}

export interface ServiceStatus extends ServiceEndpoints {
  app: string;
  nodePorts: { port: number; nodePort: number; listening: boolean; error?: string }[];
}

interface PodShape {
  labels: Record<string, string>;
  ports: { name?: string; containerPort: number }[];
}

/**
 * Keeps Services in step with Ready pods: NodePort proxies balance over Ready endpoints, DNS
 * aliases follow readiness, and a pod leaves every Service (drained) before it is stopped.
 */
export class ServiceController {
  private readonly services = new Map<string, { app: string; service: Service }>();
  private readonly shapes = new Map<string, PodShape>();
  private readonly proxies = new Map<string, { proxy: ServiceProxy; error?: string; listening: boolean }>();
  /** Per container: which Service aliases it carries on each service network. */
  private readonly aliasState = new Map<string, Map<string, string[]>>();
  private nodePorts: NodePortAssignment[] = [];
  /** Pods being drained or deleted: they stay out of every Service even while the pod layer still reports them Ready. */
  private readonly leaving = new Set<string>();
  private readonly unsubscribe: () => void;
  /** Endpoint warnings of the last pass (each is reported when it starts to hold). */
  private standing = new Set<string>();
  private syncing: Promise<void> = Promise.resolve();
  private dirty = false;
  /** A full pass has run (see reconcileOnce). */
  private passed = false;
  readonly pods: PodManager;

  constructor(private readonly options: ServiceControllerOptions) {
    this.unsubscribe = options.pods.onChange(() => this.schedule());
    this.pods = this.decorate(options.pods);
  }

  /** Declares an application's Services; returns problems (port clashes, out of range) without applying the bad ones. */
  async setServices(app: string, services: Service[]): Promise<Problem[]> {
    const touched = new Set<string>();
    for (const [key, entry] of this.services) {
      if (entry.app !== app) continue;
      this.services.delete(key);
      touched.add(entry.service.metadata.namespace ?? "default");
    }
    for (const s of services) this.services.set(`${s.metadata.namespace ?? "default"}/${s.metadata.name}`, { app, service: s });
    for (const s of services) touched.add(s.metadata.namespace ?? "default");
    // The pod layer reports a foreign container answering to a Service's name as drift.
    for (const ns of touched) this.options.pods.setServiceNames?.(ns, this.serviceNamesIn(ns));
    const all = [...this.services.values()].map((e) => e.service);
    const { assignments, problems } = assignNodePorts(all, this.nodePorts);
    this.nodePorts = assignments;
    problems.push(...services.flatMap(untranslatedPorts));
    for (const namespace of new Set(all.map((s) => s.metadata.namespace ?? "default"))) await this.ensureServiceNetworks(namespace);
    // A pass can trip over a container going away under it (removed by hand, say); the Services are
    // declared all the same, and the next pod change runs the pass again.
    await this.reconcile().catch((err: unknown) => this.warn({ message: `services: ${(err as Error).message}`, severity: "warning" }));
    return problems;
  }

  private serviceNamesIn(namespace: string): string[] {
    return [...this.services.values()].filter((e) => (e.service.metadata.namespace ?? "default") === namespace).map((e) => e.service.metadata.name);
  }

  status(): ServiceStatus[] {
    return [...this.services.values()].map(({ app, service }) => {
      const ep = serviceEndpoints(service, this.endpointSources());
      const nodePorts = this.nodePorts
        .filter((a) => a.service === ep.name && a.namespace === ep.namespace)
        .map((a) => {
          const p = this.proxies.get(a.servicePort);
          return { port: a.port, nodePort: a.nodePort, listening: p?.listening ?? false, ...(p?.error ? { error: p.error } : {}) };
        });
      return { ...ep, app, nodePorts };
    });
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.syncing;
    for (const p of this.proxies.values()) await p.proxy.close();
    this.proxies.clear();
  }

  private schedule(): void {
    this.dirty = true;
    this.syncing = this.syncing.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      await this.reconcileOnce().catch((err: unknown) => this.warn({ message: `services: ${(err as Error).message}`, severity: "warning" }));
    });
  }

  /**
   * One level-based pass, queued behind any pass already running: two passes at once would both
   * disconnect and reconnect the same container's service networks and trip over each other.
   */
  reconcile(): Promise<void> {
    return this.serially(() => this.reconcileOnce());
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const pass = this.syncing.then(work);
    this.syncing = pass.catch(() => undefined);
    return pass;
  }

  private endpointSources(pods: readonly PodStatus[] = this.options.pods.list()): PodEndpointSource[] {
    return pods.flatMap((pod) => {
      // A pod adopted after a restart and not yet re-declared by its owner is known by what its container says.
      const shape = this.shapes.get(`${pod.namespace}/${pod.name}`) ?? {
        labels: pod.labels,
        ports: pod.hostPorts.map((h) => ({ ...(h.name ? { name: h.name } : {}), containerPort: h.containerPort })),
      };
      return [
        {
          name: pod.name,
          namespace: pod.namespace,
          labels: shape.labels,
          ready: pod.ready && pod.phase === "Running",
          terminating: pod.terminating || this.leaving.has(`${pod.namespace}/${pod.name}`),
          ports: shape.ports.map((p) => ({ ...p, hostPort: pod.hostPorts.find((h) => h.containerPort === p.containerPort)?.hostPort })),
        },
      ];
    });
  }

  /** Proxies listen where they should and point at Ready endpoints; aliases follow readiness. */
  private async reconcileOnce(): Promise<void> {
    // No Service declared and none served since a full pass: nothing to serve, nothing to undo (a
    // pass lists every pod). The first pass always runs: containers adopted after a restart may
    // carry aliases of Services no longer declared.
    if (this.passed && this.services.size === 0 && this.proxies.size === 0 && !this.holdsAliases()) return;
    const pods = this.options.pods.list();
    const sources = this.endpointSources(pods);
    const wanted = new Set<string>();
    const warnings = new Set<string>();
    for (const { app, service } of this.services.values()) {
      const ep = serviceEndpoints(service, sources);
      // A selector that matches nothing is said once the application has pods in the namespace,
      // not while its first sync has yet to make them (status() shows it all along).
      const early = !pods.some((p) => p.app === app && p.namespace === ep.namespace && !p.terminating);
      for (const warning of ep.warnings) {
        if (early && warning.field === "spec.selector") continue;
        warnings.add(warning.message);
        // Said when it first holds, not on every pass while it does.
        if (!this.standing.has(warning.message)) this.warn(warning);
      }
      for (const port of ep.ports) {
        const assignment = this.nodePorts.find((a) => a.service === ep.name && a.namespace === ep.namespace && a.port === port.port);
        if (!assignment || this.options.serveProxies === false) continue;
        wanted.add(assignment.servicePort);
        let entry = this.proxies.get(assignment.servicePort);
        if (!entry) {
          const proxy = new ServiceProxy({
            host: this.options.proxyHost ?? "127.0.0.1",
            port: assignment.nodePort,
            sessionAffinity: service.spec.sessionAffinity ?? "None",
          });
          entry = { proxy, listening: false };
          this.proxies.set(assignment.servicePort, entry);
          try {
            await proxy.listen();
            entry.listening = true;
          } catch (err) {
            entry.error = (err as Error).message;
            this.warn({ message: `Service ${ep.namespace}/${ep.name}: ${entry.error}`, severity: "warning" });
          }
        }
        entry.proxy.setEndpoints(port.ready.map((r) => ({ id: r.pod, host: r.host, port: r.port })));
      }
    }
    for (const [id, entry] of this.proxies) {
      if (!wanted.has(id)) {
        await entry.proxy.close();
        this.proxies.delete(id);
      }
    }
    this.standing = warnings;
    await this.syncAliases(sources, pods);
    this.passed = true;
  }

  /** Whether a container is known to carry a Service alias (one to take away once no Service is declared). */
  private holdsAliases(): boolean {
    for (const networks of this.aliasState.values()) for (const aliases of networks.values()) if (aliases.length > 0) return true;
    return false;
  }

  private warn(problem: Problem): void {
    this.options.onWarning?.(problem);
  }

  private aliasesFor(pod: PodEndpointSource): Map<string, string[]> {
    const out = new Map<string, string[]>([
      [serviceNetworkName(pod.namespace), []],
      [SHARED_SERVICE_NETWORK, []],
    ]);
    if (!pod.ready || pod.terminating) return out;
    for (const { service } of this.services.values()) {
      const ns = service.metadata.namespace ?? "default";
      const sel = service.spec.selector ?? {};
      if (ns !== pod.namespace || Object.keys(sel).length === 0) continue;
      if (!Object.entries(sel).every(([k, v]) => pod.labels[k] === v)) continue;
      out.get(serviceNetworkName(ns))?.push(service.metadata.name);
      out.get(SHARED_SERVICE_NETWORK)?.push(`${service.metadata.name}.${ns}`);
    }
    for (const list of out.values()) list.sort();
    return out;
  }

  private async syncAliases(sources: PodEndpointSource[], pods: readonly PodStatus[]): Promise<void> {
    const byName = new Map(pods.map((p) => [`${p.namespace}/${p.name}`, p]));
    for (const source of sources) {
      const pod = byName.get(`${source.namespace}/${source.name}`);
      const container = pod?.containerIds[0];
      const runtime = pod ? this.options.runtimes.get(pod.node) : undefined;
      if (!pod || !container || !runtime || pod.phase !== "Running") continue;
      const desired = this.aliasesFor(source);
      let current = this.aliasState.get(container);
      if (!current) {
        current = new Map();
        try {
          const details = await runtime.inspect(container);
          // Only the service networks are this controller's (the pod's own network carries its name and hostname aliases).
          const managed = new Set([serviceNetworkName(source.namespace), SHARED_SERVICE_NETWORK]);
          for (const n of details.networks) {
            if (managed.has(n.name)) current.set(n.name, n.aliases.filter((a) => a !== details.name && a !== source.name && !details.id.startsWith(a)).sort());
          }
        } catch {
          continue;
        }
        this.aliasState.set(container, current);
      }
      for (const [network, aliases] of desired) {
        const have = current.get(network);
        if (have && have.join(",") === aliases.join(",")) continue;
        try {
          await this.ensureNetwork(runtime, network, source.namespace);
          // A drain may have just reconnected it, or the engine may have dropped it: either way, connect afresh.
          if (have) await runtime.disconnectNetwork(container, network).catch((err: Error) => {
            if (!/is not connected/.test(err.message)) throw err;
          });
          await runtime.connectNetwork(container, network, aliases);
          current.set(network, aliases);
        } catch (err) {
          if ((err as CapstanError).code === "CONTAINER_NOT_FOUND") this.aliasState.delete(container);
          else throw err;
        }
      }
    }
  }

  private async ensureServiceNetworks(namespace: string): Promise<void> {
    for (const runtime of this.options.runtimes.values()) {
      await this.ensureNetwork(runtime, serviceNetworkName(namespace), namespace);
      await this.ensureNetwork(runtime, SHARED_SERVICE_NETWORK, namespace);
    }
  }

  private readonly ensured = new Set<string>();
  private async ensureNetwork(runtime: ContainerRuntime, network: string, namespace: string): Promise<void> {
    const key = `${runtime.node}/${network}`;
    if (this.ensured.has(key)) return;
    const labels: Record<string, string> = { [LABEL.managedBy]: MANAGED_BY_VALUE };
    if (network !== SHARED_SERVICE_NETWORK) Object.assign(labels, this.options.labels ?? {}, { [LABEL.namespace]: namespace });
    await runtime.ensureNetwork(network, labels);
    this.ensured.add(key);
  }

  /** Takes the pod out of every Service (proxies stop sending it new connections, aliases go) and waits for its open connections. */
  async drainPod(namespace: string, name: string): Promise<void> {
    const pod = this.options.pods.get(namespace, name);
    // Without this, a reconcile racing the drain (the pod is still Ready until it is stopped) would put it back.
    this.leaving.add(`${namespace}/${name}`);
    const waits: Promise<void>[] = [];
    for (const { proxy } of this.proxies.values()) waits.push(proxy.drain(name, this.options.drainTimeoutMs ?? 5_000));
    const container = pod?.containerIds[0];
    const runtime = pod ? this.options.runtimes.get(pod.node) : undefined;
    // Alias edits take their turn with reconcile passes, which edit the same container's networks.
    await this.serially(async () => {
      const current = container ? this.aliasState.get(container) : undefined;
      if (!container || !runtime || !current) return;
      for (const [network, aliases] of current) {
        if (aliases.length === 0) continue;
        try {
          await runtime.disconnectNetwork(container, network);
          await runtime.connectNetwork(container, network, []);
          current.set(network, []);
        } catch {
          // the container is going away anyway
        }
      }
    });
    await Promise.all(waits);
  }

  private decorate(inner: PodManager): PodManager {
    const remember = (intent: PodIntent): void => {
      this.shapes.set(`${intent.namespace}/${intent.name}`, {
        labels: { ...(intent.template.metadata?.labels ?? {}) },
        ports: (intent.template.spec.containers[0]?.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort })),
      });
    };
    return {
      list: (s) => inner.list(s),
      get: (ns, n) => inner.get(ns, n),
      create: async (intent) => {
        remember(intent);
        const status = await inner.create(intent);
        this.schedule();
        return status;
      },
      delete: async (ns, n, o) => {
        try {
          await this.drainPod(ns, n);
          await inner.delete(ns, n, o);
        } finally {
          this.shapes.delete(`${ns}/${n}`);
          this.leaving.delete(`${ns}/${n}`);
        }
      },
      onChange: (l) => inner.onChange(l),
      onEvent: (l) => inner.onEvent(l),
      events: (ns, n) => inner.events(ns, n),
      resync: () => inner.resync(),
      setSelfHeal: (app, on) => inner.setSelfHeal(app, on),
      strays: (app) => inner.strays(app),
      ...(inner.setServiceNames ? { setServiceNames: (ns: string, names: string[]) => (inner.setServiceNames as (n: string, s: string[]) => void)(ns, names) } : {}),
      ...(inner.evictNode ? { evictNode: (node: string) => (inner.evictNode as (n: string) => Promise<string[]>)(node) } : {}),
      ...(inner.removeStale ? { removeStale: (node: string) => (inner.removeStale as (n: string) => Promise<string[]>)(node) } : {}),
      start: () => inner.start(),
      stop: () => inner.stop(),
    };
  }
}

/**
 * Inside the namespace network a Service name resolves to its Ready pods (DNS aliases), so a
 * connection keeps the port it was made to: a port that differs from its targetPort is translated
 * by the host proxy (NodePort, LoadBalancer) only. Said once per sync, as a warning.
 */
export function untranslatedPorts(service: Service): Problem[] {
  return (service.spec.ports ?? []).flatMap((p, i) => {
    const target = p.targetPort ?? p.port;
    // A named targetPort is checked against the pods it selects (see serviceEndpoints).
    if (typeof target !== "number" || target === p.port) return [];
    return [
      {
        field: `spec.ports[${i}].targetPort`,
        severity: "warning" as const,
        message: untranslatedMessage(service, p.port, target),
      },
    ];
  });
}
