import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadApplications, renderInputDigest } from "../../../src/application/index.js";
import type { Application } from "../../../src/application/index.js";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

const BASE: Record<string, string> = {
  "apps/web.yaml": `apiVersion: capstan.dev/v1alpha1
kind: Application
metadata: { name: web }
spec:
  source: { path: charts/web, valueFiles: [envs/prod/web.yaml] }
`,
  "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
  "charts/web/templates/cm.yaml": "kind: ConfigMap\n",
  "envs/prod/web.yaml": "replicas: 3\n",
  "README.md": "hello\n",
};

async function digest(changes: Record<string, string> = {}, link = false): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), "capstan-digest-"));
  roots.push(root);
  for (const [path, content] of Object.entries({ ...BASE, ...changes })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  if (link) symlinkSync(join(root, "README.md"), join(root, "charts/web/templates/linked.txt"));
  const apps = await loadApplications(root);
  if (!apps.ok) throw new Error(JSON.stringify(apps.errors));
  return renderInputDigest(root, apps.value[0] as Application);
}

describe("render input digest", () => {
  it("is equal for trees that differ only outside the chart and value files", async () => {
    expect(await digest({ "README.md": "changed\n" })).toBe(await digest());
  });

  it("changes with a chart file, a value file or the Application spec", async () => {
    const base = await digest();
    expect(await digest({ "charts/web/templates/cm.yaml": "kind: ConfigMap\n# edit\n" })).not.toBe(base);
    expect(await digest({ "envs/prod/web.yaml": "replicas: 4\n" })).not.toBe(base);
    expect(await digest({ "apps/web.yaml": `${BASE["apps/web.yaml"]}  destination: { namespace: prod }\n` })).not.toBe(base);
  });

  it("follows symlinks inside the chart, so a change to the linked file counts", async () => {
    const linked = await digest({}, true);
    expect(await digest({ "README.md": "changed\n" }, true)).not.toBe(linked);
  });
});
