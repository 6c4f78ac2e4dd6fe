import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { renderApplication } from "../../../src/application/render.js";
import type { Application } from "../../../src/application/index.js";
import { CapstanError } from "../../../src/errors.js";
import { createRenderPool } from "../../../src/render/index.js";
import type { RenderPool } from "../../../src/render/index.js";

const repoRoot = resolve(import.meta.dirname, "../../..");

const roots: string[] = [];
const pools: RenderPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
afterAll(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "capstan-render-pool-"));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function chart(name: string, templates: Record<string, string>, values = ""): Record<string, string> {
  const files: Record<string, string> = {
    [`charts/${name}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`,
    [`charts/${name}/values.yaml`]: values,
  };
  for (const [file, text] of Object.entries(templates)) files[`charts/${name}/templates/${file}`] = text;
  return files;
}

function app(name: string, path: string, source: { values?: Record<string, unknown>; valueFiles?: string[] } = {}): Application {
  return {
    apiVersion: "capstan.dev/v1alpha1",
    kind: "Application",
    metadata: { name, labels: {}, annotations: {}, finalizers: [] },
    spec: {
      project: "default",
      source: { repoURL: "", path, targetRevision: "HEAD", valueFiles: source.valueFiles ?? [], values: source.values ?? {} },
      destination: { namespace: "prod", nodeSelector: {} },
      syncPolicy: { automated: null, autoRollback: false, revisionHistoryLimit: 10 },
      dependsOn: [],
    },
    origin: { file: `apps/${name}.yaml`, line: 1 },
  } as Application;
}

function pool(options: Parameters<typeof createRenderPool>[0] = {}): RenderPool {
  const p = createRenderPool(options);
  pools.push(p);
  return p;
}

async function failure(p: Promise<unknown>): Promise<CapstanError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CapstanError);
    return e as CapstanError;
  }
  throw new Error("expected the render to fail");
}

const configMap = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  k: v\n`;
const loopForever = "{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}\n";

describe("rendering in worker threads", () => {
  test("a worker idle past idleMs ends, and the next render starts one again", async () => {
    const p = pool({ idleMs: 200 });
    const web = app("web", "charts/web");
    await p.renderApplication(repoRoot, web);
    expect(p.workers()).toBe(1);
    const deadline = Date.now() + 10_000;
    while (p.workers() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(p.workers()).toBe(0);
    expect((await p.renderApplication(repoRoot, web)).objects.length).toBeGreaterThan(0);
    expect(p.workers()).toBe(1);
  });


  test("renders what renderApplication renders on the calling thread", async () => {
    const web = app("web", "charts/web", { values: { replicaCount: 3 } });
    const expected = await renderApplication(repoRoot, web);
    const got = await pool().renderApplication(repoRoot, web);
    expect(got).toEqual(expected);
    expect(got.objects.find((o) => o.kind === "Deployment")?.file).toBe("charts/web/templates/deployment.yaml");
  });

  test("a chart's errors come back with the same code, message and problems as on the calling thread", async () => {
    const root = repo(chart("bad", { "cm.yaml": '{{ required "set .Values.name" .Values.name }}\n' }));
    const bad = app("bad", "charts/bad");
    const direct = await failure(renderApplication(root, bad));
    const viaPool = await failure(pool().renderApplication(root, bad));
    expect({ code: viaPool.code, message: viaPool.message, problems: viaPool.problems }).toEqual({
      code: direct.code,
      message: direct.message,
      problems: direct.problems,
    });
    expect(viaPool.code).toBe("CHART_RENDER_FAILED");
  });

  test("a template that loops is stopped at the budget with RENDER_TIMEOUT, while the event loop and the other worker keep going", async () => {
    const root = repo({ ...chart("loop", { "loop.yaml": loopForever }), ...chart("ok", { "cm.yaml": configMap("ok") }) });
    const p = pool({ size: 2, timeoutMs: 1500 });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 50);
    try {
      const looping = failure(p.renderApplication(root, app("loop", "charts/loop")));
      const ok = await p.renderApplication(root, app("ok", "charts/ok"));
      expect(ok.objects.map((o) => o.key)).toEqual(["prod/ConfigMap/ok"]);
      const e = await looping;
      expect(e.code).toBe("RENDER_TIMEOUT");
      expect(e.message).toBe(
        "rendering charts/loop took longer than the 1.5s budget; the template may loop (a range over a huge count, or a template that includes itself), so it was stopped",
      );
    } finally {
      clearInterval(ticker);
    }
    expect(ticks).toBeGreaterThan(10);
    // The terminated worker is replaced when needed.
    expect((await p.renderApplication(root, app("ok", "charts/ok"))).objects).toHaveLength(1);
  });

  test("renders wait for a free worker when all are busy", async () => {
    const root = repo(chart("ok", { "cm.yaml": configMap("ok") }));
    const p = pool({ size: 1 });
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => p.renderApplication(root, app(`ok${i}`, "charts/ok"))));
    expect(results.map((r) => r.objects.length)).toEqual([1, 1, 1, 1, 1]);
  });

  test("output past the cap is refused with RENDER_TOO_LARGE naming the chart and the template", async () => {
    const root = repo(chart("big", { "big.yaml": "{{ range until 2000 }}# padding padding padding\n{{ end }}" }));
    const e = await failure(pool({ maxOutputBytes: 10_000 }).renderApplication(root, app("big", "charts/big")));
    expect(e.code).toBe("RENDER_TOO_LARGE");
    expect(e.message).toBe(
      "charts/big: rendered output passed the 9.8 KiB limit in charts/big/templates/big.yaml; a template may loop or repeat a large value",
    );
  });

  test("a values file over the cap is refused with VALUES_TOO_LARGE naming the file", async () => {
    const root = repo({ ...chart("ok", { "cm.yaml": configMap("ok") }), "envs/prod/ok.yaml": `pad: "${"x".repeat(3 * 1024 * 1024)}"\n` });
    const e = await failure(pool({ maxValuesBytes: 1024 * 1024 }).renderApplication(root, app("ok", "charts/ok", { valueFiles: ["envs/prod/ok.yaml"] })));
    expect(e.code).toBe("VALUES_TOO_LARGE");
    expect(e.message).toBe("envs/prod/ok.yaml is 3 MiB; the limit is 1 MiB");
  });

  test("inline values over the cap are refused with VALUES_TOO_LARGE naming the Application", async () => {
    const root = repo(chart("ok", { "cm.yaml": configMap("ok") }));
    const e = await failure(pool({ maxValuesBytes: 1024 }).renderApplication(root, app("ok", "charts/ok", { values: { pad: "x".repeat(4096) } })));
    expect(e.code).toBe("VALUES_TOO_LARGE");
    expect(e.message).toBe("apps/ok.yaml: spec.source.values is 4 KiB; the limit is 1 KiB");
  });

  test("a template that builds values past the worker's heap is stopped with RENDER_TOO_LARGE", async () => {
    const root = repo(chart("hog", { "hog.yaml": '{{ $d := dict }}{{ range $i := until 100000000 }}{{ $_ := set $d (toString $i) (list $i $i $i) }}{{ end }}\n' }));
    const e = await failure(pool({ maxMemoryMb: 32, timeoutMs: 60_000 }).renderApplication(root, app("hog", "charts/hog")));
    expect(e.code).toBe("RENDER_TOO_LARGE");
    expect(e.message).toMatch(/^rendering charts\/hog needed more than 32 MiB of memory, so it was stopped/);
  }, 60_000);

  test("each worker keeps loaded charts by tree root and path, unless told the trees may change", async () => {
    const root = repo(chart("ok", { "cm.yaml": configMap("first") }));
    const cached = pool({ size: 1 });
    const fresh = pool({ size: 1, cacheCharts: false });
    const names = async (p: RenderPool): Promise<string[]> => (await p.renderApplication(root, app("ok", "charts/ok"))).objects.map((o) => o.name);
    expect([await names(cached), await names(fresh)]).toEqual([["first"], ["first"]]);
    writeFileSync(join(root, "charts/ok/templates/cm.yaml"), configMap("second"));
    expect([await names(cached), await names(fresh)]).toEqual([["first"], ["second"]]);
  });

  test("close rejects renders still waiting and any asked for later", async () => {
    const root = repo(chart("loop", { "loop.yaml": loopForever }));
    const p = pool({ size: 1, timeoutMs: 60_000 });
    const outcome = (r: Promise<unknown>): Promise<string> => r.then(() => "rendered", (e: Error) => e.message);
    const running = outcome(p.renderApplication(root, app("loop", "charts/loop")));
    const waiting = outcome(p.renderApplication(root, app("loop2", "charts/loop")));
    await new Promise((r) => setTimeout(r, 100));
    await p.close();
    expect(await running).toBe("the render pool is closed");
    expect(await waiting).toBe("the render pool is closed");
    expect(await outcome(p.renderApplication(root, app("late", "charts/loop")))).toBe("the render pool is closed");
  });
});
