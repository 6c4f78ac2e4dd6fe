import { createHash } from "node:crypto";
import { createConnection, createServer, type Server, type Socket } from "node:net";

export interface Endpoint {
  /** Stable identity, e.g. the pod name. */
  id: string;
  host: string;
  port: number;
}

export interface ProxyOptions {
  /** Where the proxy listens; 127.0.0.1 unless the node config says otherwise. */
  host: string;
  port: number;
  sessionAffinity?: "None" | "ClientIP";
  /** Kubernetes' default ClientIP affinity timeout is 10800 s. */
  affinityTimeoutMs?: number;
  /** Tries per client connection when an endpoint refuses (it may have just gone away). */
  connectAttempts?: number;
  connectTimeoutMs?: number;
  now?: () => number;
}

interface EndpointState extends Endpoint {
  active: number;
  draining: boolean;
  drainWaiters: (() => void)[];
}

export interface ProxyStats {
  connections: number;
  failed: number;
  retried: number;
  perEndpoint: Record<string, number>;
}

const RETRYABLE = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ETIMEDOUT", "EPIPE"]);

/**
 * A TCP proxy for one Service port: balances over Ready endpoints only, round-robin (or sticky by
 * client IP), retries a connection an endpoint refused on the next one, and drains an endpoint
 * (no new connections, open ones finish) before its pod is stopped.
 */
export class ServiceProxy {
  private readonly server: Server;
  private endpoints: EndpointState[] = [];
  private cursor = 0;
  private readonly affinity = new Map<string, { id: string; until: number }>();
  private readonly sockets = new Set<Socket>();
  readonly stats: ProxyStats = { connections: 0, failed: 0, retried: 0, perEndpoint: {} };

  constructor(private readonly options: ProxyOptions) {
    this.server = createServer({ pauseOnConnect: true }, (client) => this.accept(client));
  }

  /** Resolves with the bound port (useful when asked for port 0). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        this.server.off("listening", onListening);
        reject(
          err.code === "EADDRINUSE"
            ? Object.assign(new Error(`${this.options.host}:${this.options.port} is already in use (nodePort clash)`), { code: "PORT_IN_USE" })
            : err,
        );
      };
      const onListening = (): void => {
        this.server.off("error", onError);
        const addr = this.server.address();
        resolve(typeof addr === "object" && addr ? addr.port : this.options.port);
      };
      this.server.once("error", onError);
      this.server.once("listening", onListening);
      this.server.listen(this.options.port, this.options.host);
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Replaces the set of Ready endpoints; endpoints no longer listed stop taking new connections at once. */
  setEndpoints(endpoints: Endpoint[]): void {
    const next: EndpointState[] = [];
    for (const e of endpoints) {
      const existing = this.endpoints.find((x) => x.id === e.id);
      if (existing && existing.host === e.host && existing.port === e.port) {
        existing.draining = false;
        next.push(existing);
      } else {
        next.push({ ...e, active: 0, draining: false, drainWaiters: [] });
      }
    }
    for (const old of this.endpoints) {
      if (!next.includes(old)) {
        old.draining = true;
        if (old.active > 0) next.push(old);
        else old.drainWaiters.splice(0).forEach((w) => w());
      }
    }
    this.endpoints = next;
  }

  /** Takes one endpoint out of rotation and resolves when its open connections have finished (or the timeout passed). */
  drain(id: string, timeoutMs: number): Promise<void> {
    const ep = this.endpoints.find((e) => e.id === id);
    if (!ep) return Promise.resolve();
    ep.draining = true;
    if (ep.active === 0) {
      this.endpoints = this.endpoints.filter((e) => e !== ep);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      ep.drainWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  readyEndpoints(): Endpoint[] {
    return this.endpoints.filter((e) => !e.draining).map(({ id, host, port }) => ({ id, host, port }));
  }

  activeConnections(id: string): number {
    return this.endpoints.find((e) => e.id === id)?.active ?? 0;
  }

  private pick(clientIP: string, exclude: Set<string>): EndpointState | undefined {
    const ready = this.endpoints.filter((e) => !e.draining && !exclude.has(e.id));
    if (ready.length === 0) return undefined;
    if (this.options.sessionAffinity === "ClientIP") {
      const now = (this.options.now ?? Date.now)();
      const sticky = this.affinity.get(clientIP);
      const chosen = sticky && sticky.until > now ? ready.find((e) => e.id === sticky.id) : undefined;
      const ep = chosen ?? ready[hashIndex(clientIP, ready.length)] ?? ready[0];
      if (ep) this.affinity.set(clientIP, { id: ep.id, until: now + (this.options.affinityTimeoutMs ?? 10_800_000) });
      return ep;
    }
    this.cursor = (this.cursor + 1) % ready.length;
    return ready[this.cursor];
  }

  private accept(client: Socket): void {
    this.stats.connections++;
    this.sockets.add(client);
    client.on("close", () => this.sockets.delete(client));
    client.on("error", () => client.destroy());
    const tried = new Set<string>();
    const attempts = this.options.connectAttempts ?? 3;
    const clientIP = client.remoteAddress ?? "";

    const attempt = (): void => {
      const ep = this.pick(clientIP, tried);
      if (!ep || tried.size >= attempts) {
        this.stats.failed++;
        // A reset, not a clean close: HTTP clients treat a clean close before any response as a
        // stale keep-alive socket and retry the request, forever when no endpoint ever comes.
        client.resetAndDestroy();
        return;
      }
      tried.add(ep.id);
      ep.active++;
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        ep.active--;
        if (ep.draining && ep.active === 0) {
          this.endpoints = this.endpoints.filter((e) => e !== ep);
          ep.drainWaiters.splice(0).forEach((w) => w());
        }
      };
      const upstream = createConnection({ host: ep.host, port: ep.port });
      upstream.setNoDelay(true);
      const timer = setTimeout(() => upstream.destroy(Object.assign(new Error("connect timeout"), { code: "ETIMEDOUT" })), this.options.connectTimeoutMs ?? 2_000);
      let connected = false;
      upstream.once("connect", () => {
        connected = true;
        clearTimeout(timer);
        this.stats.perEndpoint[ep.id] = (this.stats.perEndpoint[ep.id] ?? 0) + 1;
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.on("error", (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        release();
        if (!connected && RETRYABLE.has(err.code ?? "")) {
          this.stats.retried++;
          attempt();
          return;
        }
        client.destroy();
      });
      upstream.on("close", () => {
        release();
        if (connected) client.end();
      });
      client.on("close", () => {
        if (connected) upstream.destroy();
      });
    };
    attempt();
  }
}

function hashIndex(key: string, n: number): number {
  return createHash("sha1").update(key).digest().readUInt32BE(0) % n;
}
