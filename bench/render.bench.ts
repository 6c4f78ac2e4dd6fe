/**
 * Rendering off the event loop: 1,000 applications (charts/web, distinct inline values) rendered
 * on the calling thread and through a render pool of 2 workers; and reading a values file of
 * 43,000 keys (the yaml library's own duplicate-key check made that minutes).
 * Run: npx tsx bench/render.bench.ts
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { renderApplication } from "../src/application/render.js";
import type { Application } from "../src/application/index.js";
import { parseValuesYaml } from "../src/chart/index.js";
import { createRenderPool } from "../src/render/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const app = (i: number): Application =>
  ({
    apiVersion: "capstan.dev/v1alpha1",
    kind: "Application",
    metadata: { name: `app-${i}`, labels: {}, annotations: {}, finalizers: [] },
    spec: {
      project: "default",
      source: {
        repoURL: "",
        path: "charts/web",
        targetRevision: "HEAD",
        valueFiles: [],
        values: { replicaCount: (i % 5) + 1, image: { tag: `v${(i % 3) + 1}` }, config: { GREETING: `hello ${i}`, INDEX: String(i) } },
      },
      destination: { namespace: "bench", nodeSelector: {} },
      syncPolicy: { automated: null, autoRollback: false, revisionHistoryLimit: 10 },
      dependsOn: [],
    },
    origin: { file: `apps/app-${i}.yaml`, line: 1 },
  }) as Application;

const apps = Array.from({ length: 1000 }, (_, i) => app(i));
const charts = new Map();
for (let i = 0; i < 100; i++) await renderApplication(root, app(i), { charts });

let t0 = performance.now();
for (const a of apps) await renderApplication(root, a, { charts });
const inThread = (performance.now() - t0) / 1000;

const pool = createRenderPool({ size: 2 });
await Promise.all(apps.slice(0, 100).map((a) => pool.renderApplication(root, a)));
t0 = performance.now();
await Promise.all(apps.map((a) => pool.renderApplication(root, a)));
const pooled = (performance.now() - t0) / 1000;
await pool.close();
console.log(
  `render: 1000 apps of charts/web: ${inThread.toFixed(3)} s on the calling thread, ${pooled.toFixed(3)} s through a pool of 2 workers (ratio ${(pooled / inThread).toFixed(2)}; the event loop stays free)`,
);

const text = `${Array.from({ length: 43_000 }, (_, i) => `key-${i}: "value ${"x".repeat(80)} ${i}"`).join("\n")}\n`;
t0 = performance.now();
const keys = Object.keys(parseValuesYaml(text, "values.yaml")).length;
console.log(`render: values file of ${keys} keys (${(text.length / 1048576).toFixed(1)} MiB) read in ${((performance.now() - t0) / 1000).toFixed(2)} s (goal <= 5 s)`);
