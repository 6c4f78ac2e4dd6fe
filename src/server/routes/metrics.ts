/** `/metrics` for Prometheus and `/healthz` for supervisors. */
import type { FastifyInstance, onRequestHookHandler } from "fastify";
import type { PrometheusMetrics } from "../metrics.js";

export function metricsRoutes(app: FastifyInstance, metrics: PrometheusMetrics, readGuard: onRequestHookHandler[]): void {
  app.get("/metrics", { onRequest: readGuard }, async (_req, reply) => reply.type(metrics.contentType).send(await metrics.text()));
  app.get("/healthz", async () => ({ status: "ok" }));
}
