/**
 * The HTTP server: JSON API, webhook, event stream, metrics and the dashboard, over a DaemonView.
 * It reads and asks; it never applies anything itself.
 */
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyInstance, type FastifyServerOptions, type onRequestHookHandler } from "fastify";
import { isLoopbackHost, requireLoopbackHost, requireToken } from "./auth.js";
import { errorHandler, sendError } from "./errors.js";
import { PrometheusMetrics } from "./metrics.js";
import { actionRoutes } from "./routes/actions.js";
import { dashboardRoutes } from "./routes/dashboard.js";
import { metricsRoutes } from "./routes/metrics.js";
import { readRoutes } from "./routes/reads.js";
import { webhookRoutes } from "./routes/webhook.js";
import { EventStreams } from "./sse.js";
import type { DaemonView } from "./view.js";

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 7420;
/** Largest API request body: actions carry a few fields at most. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

export interface ServerOptions {
  view: DaemonView;
  /** The API token (the daemon reads it from `<stateDir>/token`). */
  token: string;
  /** Default 127.0.0.1. Beyond loopback, reads need the token too. */
  host?: string;
  /** Default 7420; 0 picks a free port. */
  port?: number;
  /** Where the daemon reports its figures; a fresh registry when absent. */
  metrics?: PrometheusMetrics;
  /** The dashboard's files (default: src/server/dashboard beside this module). */
  dashboardDir?: string;
  /** Event stream heartbeat (default 15 s). */
  heartbeatMs?: number;
  /** Largest request body of the API, in bytes (default 64 KiB); the webhook has its own cap. */
  bodyLimit?: number;
  /** Fastify's logger option (default off: the daemon logs its own lines). */
  logger?: FastifyServerOptions["logger"];
}

export interface BuiltServer {
  app: FastifyInstance;
  metrics: PrometheusMetrics;
  streams: EventStreams;
}

/** Where the dashboard lives: beside this module in the source tree, or in src/ when running from dist/. */
export function defaultDashboardDir(): string {
  const candidates = [new URL("./dashboard/", import.meta.url), new URL("../../src/server/dashboard/", import.meta.url)];
  for (const c of candidates) {
    const path = fileURLToPath(c);
    if (existsSync(path)) return path;
  }
  return fileURLToPath(candidates[0]!);
}

const SECURITY_HEADERS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

/** Builds the fastify instance without listening (tests use `app.inject`). */
export function buildServer(options: ServerOptions): BuiltServer {
  if (!options.token) throw new Error("buildServer: the API token is empty");
  const host = options.host ?? DEFAULT_HOST;
  const loopback = isLoopbackHost(host);
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Hijacked event streams are ended in preClose; anything else left open is cut at close.
    forceCloseConnections: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", useDefaults: true, allErrors: false } },
  });
  const metrics = options.metrics ?? new PrometheusMetrics();
  const streams = new EventStreams(options.view, { heartbeatMs: options.heartbeatMs ?? 15_000 });
  const actionGuard = requireToken(options.token);
  const readGuard: onRequestHookHandler[] = loopback ? [] : [actionGuard];

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, { code: "NOT_FOUND", message: `no route ${req.method} ${req.url.split("?")[0]}` }));
  if (loopback) app.addHook("onRequest", requireLoopbackHost());
  app.addHook("onSend", async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(k)) reply.header(k, v);
    return payload;
  });
  app.addHook("preClose", async () => streams.closeAll());

  app.register(
    async (api) => {
      api.register(async (reads) => {
        for (const guard of readGuard) reads.addHook("onRequest", guard);
        readRoutes(reads, options.view);
        reads.get("/stream", async (req, reply) => streams.handle(req, reply, SECURITY_HEADERS));
      });
      api.register(async (actions) => {
        actions.addHook("onRequest", actionGuard);
        actionRoutes(actions, options.view);
      });
    },
    { prefix: "/api/v1" },
  );
  app.register(async (hooks) => webhookRoutes(hooks, options.view, metrics));
  metricsRoutes(app, metrics, readGuard);
  dashboardRoutes(app, options.dashboardDir ?? defaultDashboardDir());
  return { app, metrics, streams };
}

export interface RunningServer {
  /** `http://127.0.0.1:7420` */
  url: string;
  port: number;
  app: FastifyInstance;
  metrics: PrometheusMetrics;
  close(): Promise<void>;
}

/** Builds the server and listens; `close()` ends event streams and stops listening. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const built = buildServer(options);
  const host = options.host ?? DEFAULT_HOST;
  await built.app.listen({ host, port: options.port ?? DEFAULT_PORT });
  const address = built.app.server.address() as AddressInfo;
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    port: address.port,
    app: built.app,
    metrics: built.metrics,
    close: () => built.app.close(),
  };
}
