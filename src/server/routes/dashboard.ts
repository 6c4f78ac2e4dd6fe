/**
 * The dashboard's static files, read once at start-up into memory: a fixed set of small files,
 * served by exact name, so no request path ever reaches the file system.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import type { FastifyInstance } from "fastify";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
};

interface StaticFile {
  body: Buffer;
  type: string;
}

function collect(dir: string, root: string, out: Map<string, StaticFile>): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      collect(path, root, out);
      continue;
    }
    const type = TYPES[extname(entry)];
    if (type) out.set(`/${relative(root, path).split(sep).join("/")}`, { body: readFileSync(path), type });
  }
}

export function dashboardRoutes(app: FastifyInstance, dir: string): void {
  const files = new Map<string, StaticFile>();
  collect(dir, dir, files);
  const index = files.get("/index.html");
  for (const [path, file] of files) {
    app.get(path, async (_req, reply) => reply.type(file.type).header("cache-control", "no-cache").send(file.body));
  }
  if (index) app.get("/", async (_req, reply) => reply.type(index.type).header("cache-control", "no-cache").send(index.body));
}
