import { createHash } from "node:crypto";
import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { resolveInRepo } from "../source/paths.js";
import type { Application } from "./types.js";

async function hashDir(hash: ReturnType<typeof createHash>, dir: string, rel: string, seen: Set<string>): Promise<void> {
  const entries = (await readdir(dir)).sort();
  for (const name of entries) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined); // follows symlinks, as chart loading does
    if (!info) continue;
    const childRel = rel ? `${rel}/${name}` : name;
    if (info.isDirectory()) {
      const key = `${info.dev}:${info.ino}`;
      if (seen.has(key)) continue;
      seen.add(key);
      hash.update(`d ${childRel}\0`);
      await hashDir(hash, path, childRel, seen);
    } else if (info.isFile()) {
      const data = await readFile(path);
      hash.update(`f ${childRel} ${data.length}\0`);
      hash.update(data);
    }
  }
}

/**
 * A digest of everything an Application's render depends on: its spec and name (release name,
 * namespace, inline values), every file of its chart directory and its value files, read from
 * the tree at `root`. Equal digests render equal manifests, so the diff renders such an
 * application once instead of twice. Chart directory digests are memoized in `cache`.
 */
export async function renderInputDigest(root: string, app: Application, cache = new Map<string, Promise<string>>()): Promise<string> {
  const { source } = app.spec;
  const chartKey = `${root}\0${source.path}`;
  let chart = cache.get(chartKey);
  if (!chart) {
    chart = (async () => {
      const h = createHash("sha256");
      const dir = await resolveInRepo(root, source.path);
      await hashDir(h, dir, "", new Set());
      return h.digest("hex");
    })();
    cache.set(chartKey, chart);
  }
  const h = createHash("sha256");
  h.update(JSON.stringify({ name: app.metadata.name, spec: app.spec }));
  h.update(await chart);
  for (const file of source.valueFiles) {
    const data = await readFile(await resolveInRepo(root, file)).catch(() => Buffer.from("\0missing"));
    h.update(`v ${file} ${data.length}\0`);
    h.update(data);
  }
  return h.digest("hex");
}
