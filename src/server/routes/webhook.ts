/**
 * `POST /api/webhook`: the raw body goes to the daemon untouched (signatures are computed over the
 * exact bytes), whatever its content type, capped at 1 MiB.
 */
import type { FastifyInstance } from "fastify";
import type { DaemonView, MetricsSink } from "../view.js";

export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

export async function webhookRoutes(app: FastifyInstance, view: DaemonView, metrics: MetricsSink): Promise<void> {
  // The daemon counts what it judged; bodies refused here never reach it, so they are counted here.
  app.addHook("onResponse", async (_req, reply) => {
    if (reply.statusCode === 413 || reply.statusCode === 415) metrics.webhookRequest("invalid");
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));
  app.post("/api/webhook", { bodyLimit: WEBHOOK_BODY_LIMIT }, async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const result = await view.handleWebhook(req.headers, body);
    return reply.code(result.status).send(result.body);
  });
}
