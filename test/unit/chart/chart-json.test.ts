import { afterEach, describe, expect, test } from "vitest";
import { loadChart, renderChart } from "../../../src/chart/index.js";
import { makeRepo } from "../../fixtures/charts/repo.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

async function renderText(template: string): Promise<string> {
  const r = makeRepo({
    "charts/app/Chart.yaml": [
      "apiVersion: v2",
      "name: app",
      "version: 1.2.3",
      "appVersion: v1",
      "maintainers:",
      "  - name: ops",
      "dependencies:",
      "  - name: db",
      "    version: 0.1.0",
      "    repository: ''",
      "",
    ].join("\n"),
    "charts/app/charts/db/Chart.yaml": "apiVersion: v2\nname: db\nversion: 0.1.0\n",
    "charts/app/templates/cm.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  chart: ${template}\n`,
  });
  cleanups.push(r.cleanup);
  const rendered = renderChart(await loadChart(r.root, "charts/app"), { releaseName: "demo", namespace: "prod" });
  const doc = rendered.documents.find((d) => d.source.endsWith("cm.yaml"));
  return ((doc?.object as { data: { chart: string } }).data.chart);
}

describe(".Chart as JSON and YAML", () => {
  test("toJson .Chart uses Helm's lower-case field names and leaves out empty ones", async () => {
    const json = JSON.parse(await renderText("{{ toJson .Chart | squote }}"));
    expect(json).toEqual({
      name: "app",
      version: "1.2.3",
      apiVersion: "v2",
      appVersion: "v1",
      maintainers: [{ name: "ops" }],
      dependencies: [{ name: "db", version: "0.1.0", repository: "", enabled: true }],
      type: "application",
    });
  });

  test("toYaml .Chart prints the same names", async () => {
    const yaml = await renderText("{{ toYaml .Chart | quote }}");
    expect(yaml.split("\n")[0]).toBe("apiVersion: v2");
    expect(yaml).toContain("appVersion: v1");
    expect(yaml).not.toContain("Name:");
  });
});

describe(".Files.Glob in range", () => {
  test("ranges over matching files as path → content, sorted by path", async () => {
    const r = makeRepo({
      "charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
      "charts/app/conf/b.conf": "beta",
      "charts/app/conf/a.conf": "alpha",
      "charts/app/other.txt": "no",
      "charts/app/templates/cm.yaml":
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n{{- range $path, $content := .Files.Glob "conf/*.conf" }}\n  {{ base $path }}: {{ $content | quote }}\n{{- end }}\n',
    });
    cleanups.push(r.cleanup);
    const rendered = renderChart(await loadChart(r.root, "charts/app"), { releaseName: "demo", namespace: "prod" });
    expect(rendered.documents[0]?.text).toContain('data:\n  a.conf: "alpha"\n  b.conf: "beta"');
  });
});
