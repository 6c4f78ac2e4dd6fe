/** Routes that change state: each asks the daemon to act and answers with the application's summary. */
import type { FastifyInstance } from "fastify";
import type { AppSummary, DaemonView, DeleteResult } from "../view.js";
import { appParams, deleteBody, rollbackBody } from "./schemas.js";

interface NameParams {
  name: string;
}

const SIMPLE_ACTIONS = ["sync", "refresh", "unpin", "suspend", "resume"] as const;

export function actionRoutes(app: FastifyInstance, view: DaemonView): void {
  for (const action of SIMPLE_ACTIONS) {
    app.post<{ Params: NameParams }>(`/apps/:name/${action}`, { schema: { params: appParams } }, async (req): Promise<AppSummary> => view[action](req.params.name));
  }

  app.post<{ Params: NameParams; Body: { volumes?: boolean } | null | undefined }>(
    "/apps/:name/delete",
    { schema: { params: appParams, body: deleteBody } },
    async (req): Promise<DeleteResult> => view.deleteApp(req.params.name, { volumes: req.body?.volumes === true }),
  );

  app.post<{ Params: NameParams; Body: { revision?: string } | null | undefined }>(
    "/apps/:name/rollback",
    { schema: { params: appParams, body: rollbackBody } },
    async (req): Promise<AppSummary> => view.rollback(req.params.name, req.body?.revision),
  );
}
