/** Read-only routes under /api/v1: what the dashboard and `capstan get` show. */
import type { FastifyInstance } from "fastify";
import type { DaemonView, DiffTarget } from "../view.js";
import { appParams, diffQuery, eventsQuery, historyQuery, logsQuery, podParams } from "./schemas.js";

interface NameParams {
  name: string;
}

export function readRoutes(app: FastifyInstance, view: DaemonView): void {
  app.get("/apps", async () => view.listApps());

  app.get<{ Params: NameParams }>("/apps/:name", { schema: { params: appParams } }, async (req) => view.getApp(req.params.name));

  app.get<{ Params: NameParams; Querystring: { limit: number } }>(
    "/apps/:name/history",
    { schema: { params: appParams, querystring: historyQuery } },
    async (req) => view.history(req.params.name, req.query.limit),
  );

  app.get<{ Params: NameParams; Querystring: { since?: string; limit: number } }>(
    "/apps/:name/events",
    { schema: { params: appParams, querystring: eventsQuery } },
    async (req) => {
      // An unknown application is a 404, not an empty list.
      await view.getApp(req.params.name);
      return view.events({ app: req.params.name, since: req.query.since, limit: req.query.limit });
    },
  );

  app.get<{ Querystring: { since?: string; limit: number } }>("/events", { schema: { querystring: eventsQuery } }, async (req) =>
    view.events({ since: req.query.since, limit: req.query.limit }),
  );

  app.get<{ Params: NameParams; Querystring: { revision?: number } }>(
    "/apps/:name/diff",
    { schema: { params: appParams, querystring: diffQuery } },
    async (req) => {
      const against: DiffTarget = req.query.revision === undefined ? "git" : { revision: req.query.revision };
      return view.diff(req.params.name, against);
    },
  );

  app.get<{ Params: NameParams & { pod: string }; Querystring: { tail: number } }>(
    "/apps/:name/pods/:pod/logs",
    { schema: { params: podParams, querystring: logsQuery } },
    async (req, reply) => {
      const text = await view.podLogs(req.params.name, req.params.pod, req.query.tail);
      return reply.type("text/plain; charset=utf-8").send(text);
    },
  );

  app.get("/nodes", async () => view.nodes());
}
