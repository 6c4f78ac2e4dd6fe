import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { c as tarCreate } from "tar";
import { afterEach, describe, expect, test } from "vitest";
import { loadChart, renderChart, sortByInstallOrder, splitDocuments } from "../../../src/chart/index.js";
import type { RenderOptions } from "../../../src/chart/index.js";
import { CapstanError, formatProblem } from "../../../src/errors.js";
import { chartYaml, configMapTemplate, makeRepo } from "../../fixtures/charts/repo.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

const opts: RenderOptions = { releaseName: "demo", namespace: "prod" };

async function render(files: Record<string, string>, chartPath = "charts/app", options: Partial<RenderOptions> = {}) {
  const r = makeRepo(files);
  cleanups.push(r.cleanup);
  const chart = await loadChart(r.root, chartPath);
  return renderChart(chart, { ...opts, ...options });
}

async function renderFailure(files: Record<string, string>, options: Partial<RenderOptions> = {}): Promise<CapstanError> {
  try {
    await render(files, "charts/app", options);
  } catch (e) {
    if (e instanceof CapstanError) return e;
    throw e;
  }
  throw new Error("expected the render to fail");
}

const repoRoot = path.resolve(import.meta.dirname, "../../..");

describe("rendering the example web chart", () => {
  test("prints ConfigMap, Service, Deployment in install order with their sources", async () => {
    const chart = await loadChart(repoRoot, "charts/web");
    const result = renderChart(chart, opts);
    expect(result.documents.map((d) => `${d.source} ${(d.object as { kind: string }).kind}`)).toEqual([
      "web/templates/configmap.yaml ConfigMap",
      "web/templates/service.yaml Service",
      "web/templates/deployment.yaml Deployment",
    ]);
    expect(result.documents[2]?.file).toBe("charts/web/templates/deployment.yaml");
    expect(result.notes).toContain("curl http://demo-web:80/");
  });

  test("the checksum/config annotation follows the ConfigMap's content", async () => {
    const chart = await loadChart(repoRoot, "charts/web");
    const checksum = (layers: RenderOptions["valueLayers"]) => {
      const deployment = renderChart(chart, { ...opts, valueLayers: layers }).documents[2]?.object as {
        spec: { template: { metadata: { annotations: Record<string, string> } } };
      };
      return deployment.spec.template.metadata.annotations["checksum/config"];
    };
    const base = checksum([]);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum([{ replicaCount: 3 }])).toBe(base);
    expect(checksum([{ config: { GREETING: "hi" } }])).not.toBe(base);
  });
});

describe("the render root", () => {
  test(".Release, .Chart and .Capabilities carry Helm's fields", async () => {
    const result = await render({
      "charts/app/Chart.yaml": chartYaml("app", "description: the app\n"),
      "charts/app/templates/cm.yaml": configMapTemplate(
        "app",
        [
          '  release: "{{ .Release.Name }}/{{ .Release.Namespace }}/{{ .Release.Revision }}/{{ .Release.IsInstall }}/{{ .Release.IsUpgrade }}/{{ .Release.Service }}"',
          '  chart: "{{ .Chart.Name }}-{{ .Chart.Version }}-{{ .Chart.AppVersion }}-{{ .Chart.Description }}-{{ .Chart.APIVersion }}-{{ .Chart.Type }}"',
          '  kube: "{{ .Capabilities.KubeVersion.Major }}.{{ .Capabilities.KubeVersion.Minor }}"',
          '  apis: "{{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.APIVersions.Has "apps/v1/Deployment" }} {{ .Capabilities.APIVersions.Has "batch/v1/CronJob" }} {{ .Capabilities.APIVersions.Has "networking.k8s.io/v1/Ingress" }}"',
          '  template: "{{ .Template.Name }} {{ .Template.BasePath }}"',
          '  revisionType: "{{ printf "%T" .Release.Revision }}"',
        ].join("\n") + "\n",
      ),
    }, "charts/app", { revision: 4, isUpgrade: true });
    expect((result.documents[0]?.object as { data: unknown }).data).toEqual({
      release: "demo/prod/4/false/true/Capstan",
      chart: "app-0.1.0-1.0-the app-v2-application",
      kube: "1.30",
      apis: "true true true false",
      template: "app/templates/cm.yaml app/templates",
      revisionType: "int",
    });
  });

  test(".Files reads the chart's other files: Get, Lines, Glob, AsConfig and AsSecrets", async () => {
    const result = await render({
      "charts/app/Chart.yaml": chartYaml("app"),
      "charts/app/values.yaml": "a: 1\n",
      "charts/app/conf/app.ini": "[main]\nport = 80\n",
      "charts/app/conf/extra.ini": "x = 1\n",
      "charts/app/conf/nested/deep.ini": "deep\n",
      "charts/app/templates/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: files
data:
  get: {{ .Files.Get "conf/app.ini" | quote }}
  missing: {{ .Files.Get "nope" | quote }}
  lines: {{ .Files.Lines "conf/app.ini" | join "|" | quote }}
  values: {{ .Files.Get "values.yaml" | quote }}
  template: {{ .Files.Get "templates/cm.yaml" | quote }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: as-config
data:
  {{- (.Files.Glob "conf/*.ini").AsConfig | nindent 2 }}
---
apiVersion: v1
kind: Secret
metadata:
  name: as-secret
data:
  {{- (.Files.Glob "conf/**.ini").AsSecrets | nindent 2 }}
`,
    });
    const [secret, files, asConfig] = result.documents.map((d) => d.object as { data: Record<string, string> });
    expect(files?.data).toEqual({ get: "[main]\nport = 80\n", missing: "", lines: "[main]|port = 80", values: "", template: "" });
    expect(asConfig?.data).toEqual({ "app.ini": "[main]\nport = 80\n", "extra.ini": "x = 1\n" });
    expect(secret?.data).toEqual({
      "app.ini": Buffer.from("[main]\nport = 80\n").toString("base64"),
      "extra.ini": Buffer.from("x = 1\n").toString("base64"),
      "deep.ini": Buffer.from("deep\n").toString("base64"),
    });
  });

  test("partials are parsed, not rendered; NOTES.txt is rendered apart; empty documents are dropped", async () => {
    const result = await render({
      "charts/app/Chart.yaml": chartYaml("app"),
      "charts/app/templates/_helpers.tpl": '{{ define "app.name" }}app-{{ .Release.Name }}{{ end }}',
      "charts/app/templates/cm.yaml": `---\n# only a comment\n---\n\n---\n${configMapTemplate('{{ include "app.name" . }}', "  a: b\n")}---\n`,
      "charts/app/templates/off.yaml": "{{- if false }}\nkind: Nothing\n{{- end }}\n",
      "charts/app/templates/NOTES.txt": "Installed {{ .Release.Name }}.",
    });
    expect(result.documents.map((d) => [d.source, d.index, (d.object as { metadata: { name: string } }).metadata.name])).toEqual([
      ["app/templates/cm.yaml", 1, "app-demo"],
    ]);
    expect(result.notes).toBe("Installed demo.");
  });
});

describe("kubeVersion", () => {
  test("a chart whose kubeVersion constraint the target does not meet is refused", async () => {
    const files = (c: string) => ({ "charts/app/Chart.yaml": chartYaml("app", `kubeVersion: "${c}"\n`), "charts/app/templates/cm.yaml": configMapTemplate("a", "  a: b\n") });
    expect((await render(files(">=1.25.0-0"))).documents).toHaveLength(1);
    expect((await render(files(">= 1.20, < 2.0"))).documents).toHaveLength(1);
    const e = await renderFailure(files(">=1.99.0"));
    expect(e.problems.map(formatProblem)).toEqual([
      "charts/app/Chart.yaml: kubeVersion: chart requires kubeVersion >=1.99.0, which is incompatible with the Kubernetes version Capstan presents (v1.30.0)",
    ]);
  });
});

describe("Helm hooks", () => {
  test("test hooks are skipped and other hooks applied as ordinary objects, each with a warning", async () => {
    const hooked = (name: string, hook: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  annotations:\n    "helm.sh/hook": ${hook}\n`;
    const result = await render({
      "charts/app/Chart.yaml": chartYaml("app"),
      "charts/app/templates/tests/test-connection.yaml": hooked("test", "test"),
      "charts/app/templates/migrate.yaml": hooked("migrate", "pre-install,pre-upgrade"),
    });
    expect(result.documents.map((d) => d.source)).toEqual(["app/templates/migrate.yaml"]);
    expect(result.warnings.map(formatProblem)).toEqual([
      'warning: charts/app/templates/migrate.yaml:1: metadata.annotations.helm.sh/hook: hook "pre-install,pre-upgrade" is applied as an ordinary object: Capstan has no hook phases',
      'warning: charts/app/templates/tests/test-connection.yaml:1: metadata.annotations.helm.sh/hook: test hook "test" skipped: Capstan does not run helm test',
    ]);
  });
});

describe("subcharts", () => {
  const files = {
    "charts/app/Chart.yaml": chartYaml("app", "dependencies:\n  - name: db\n    condition: db.enabled\n  - name: lib\n"),
    "charts/app/values.yaml": "global:\n  env: prod\ndb:\n  enabled: true\n  user: app\n",
    "charts/app/templates/_helpers.tpl": '{{ define "db.owner" }}parent{{ end }}',
    "charts/app/templates/cm.yaml": configMapTemplate("app", '  lib: {{ include "lib.greet" . | quote }}\n'),
    "charts/app/charts/db/Chart.yaml": chartYaml("db"),
    "charts/app/charts/db/values.yaml": "user: root\nport: 5432\n",
    "charts/app/charts/db/templates/_helpers.tpl": '{{ define "db.owner" }}db{{ end }}',
    "charts/app/charts/db/templates/cm.yaml": configMapTemplate(
      "db",
      '  values: "{{ .Values.user }}:{{ .Values.port }}:{{ .Values.global.env }}"\n  chart: "{{ .Chart.Name }} {{ .Template.Name }} {{ .Template.BasePath }}"\n  owner: {{ include "db.owner" . | quote }}\n',
    ),
    "charts/app/charts/lib/Chart.yaml": chartYaml("lib", "type: library\n"),
    "charts/app/charts/lib/templates/_lib.tpl": '{{ define "lib.greet" }}hello from lib{{ end }}',
    "charts/app/charts/lib/templates/cm.yaml": configMapTemplate("from-library", "  a: b\n"),
  };

  test("render with their own values, the parent's section and globals, named by full path", async () => {
    const result = await render(files);
    const db = result.documents.find((d) => d.source === "app/charts/db/templates/cm.yaml");
    expect(db?.file).toBe("charts/app/charts/db/templates/cm.yaml");
    expect((db?.object as { data: unknown }).data).toEqual({
      values: "app:5432:prod",
      chart: "db app/charts/db/templates/cm.yaml app/charts/db/templates",
      // The parent's definition is parsed last, so it wins, as in Helm.
      owner: "parent",
    });
  });

  test("a library chart lends its definitions and renders nothing itself", async () => {
    const result = await render(files);
    expect(result.documents.map((d) => d.source)).toEqual(["app/charts/db/templates/cm.yaml", "app/templates/cm.yaml"]);
    expect((result.documents[1]?.object as { data: unknown }).data).toEqual({ lib: "hello from lib" });
  });

  test(".Subcharts gives the parent each subchart's values and chart", async () => {
    const result = await render({
      ...files,
      "charts/app/templates/cm.yaml": configMapTemplate("app", '  db: "{{ .Subcharts.db.Values.port }} {{ .Subcharts.db.Chart.Name }}"\n'),
    });
    expect((result.documents[1]?.object as { data: unknown }).data).toEqual({ db: "5432 db" });
  });

  test("an aliased subchart from a .tgz renders under its alias, once per alias", async () => {
    const r = makeRepo({
      "charts/app/Chart.yaml": chartYaml("app", "dependencies:\n  - name: db\n    alias: primary\n  - name: db\n    alias: replica\n"),
      "charts/app/values.yaml": "replica:\n  role: replica\n",
      "build/db/Chart.yaml": chartYaml("db"),
      "build/db/values.yaml": "role: primary\n",
      "build/db/templates/cm.yaml": configMapTemplate("{{ .Chart.Name }}", "  role: {{ .Values.role }}\n  source: {{ .Template.Name }}\n"),
    });
    cleanups.push(r.cleanup);
    mkdirSync(path.join(r.root, "charts/app/charts"), { recursive: true });
    await tarCreate({ gzip: true, file: path.join(r.root, "charts/app/charts/db-0.1.0.tgz"), cwd: path.join(r.root, "build") }, ["db"]);
    const result = renderChart(await loadChart(r.root, "charts/app"), opts);
    expect(result.documents.map((d) => [d.file, d.object])).toEqual([
      [
        "charts/app/charts/db-0.1.0.tgz/templates/cm.yaml",
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "primary" }, data: { role: "primary", source: "app/charts/primary/templates/cm.yaml" } },
      ],
      [
        "charts/app/charts/db-0.1.0.tgz/templates/cm.yaml",
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "replica" }, data: { role: "replica", source: "app/charts/replica/templates/cm.yaml" } },
      ],
    ]);
  });

  test("a false condition leaves the subchart out", async () => {
    const result = await render(files, "charts/app", { valueLayers: [{ db: { enabled: false } }] });
    expect(result.documents.map((d) => d.source)).toEqual(["app/templates/cm.yaml"]);
  });

  test("a library chart cannot be rendered on its own", async () => {
    const r = makeRepo(files);
    cleanups.push(r.cleanup);
    const lib = await loadChart(r.root, "charts/app/charts/lib");
    expect(() => renderChart(lib, opts)).toThrow("charts/app/charts/lib: library charts are not installable; use it as a dependency of an application chart");
  });
});

describe("render errors name the file, line and column", () => {
  test("a template that fails to execute", async () => {
    const e = await renderFailure({
      "charts/app/Chart.yaml": chartYaml("app"),
      "charts/app/templates/cm.yaml": configMapTemplate("x", "  a: {{ .Values.image.tag | upper }}\n"),
    });
    expect(e.code).toBe("CHART_RENDER_FAILED");
    expect(e.problems.map(formatProblem)).toEqual([
      expect.stringMatching(/^charts\/app\/templates\/cm\.yaml:6:\d+: executing "app\/templates\/cm\.yaml" at <\.Values\.image\.tag>: nil pointer evaluating interface \{\}\.tag$/),
    ]);
  });

  test("a required value that is missing shows its message", async () => {
    const e = await renderFailure({
      "charts/app/Chart.yaml": chartYaml("app"),
      "charts/app/templates/cm.yaml": configMapTemplate("x", '  tag: {{ required "image.tag is required: set it in values.yaml" .Values.tag }}\n'),
    });
    expect(e.problems).toHaveLength(1);
    expect(formatProblem(e.problems[0]!)).toMatch(/^charts\/app\/templates\/cm\.yaml:6:\d+: .*image\.tag is required: set it in values\.yaml$/);
  });

  test("a template that does not parse", async () => {
    const e = await renderFailure({
      "charts/app/Chart.yaml": chartYaml("app"),
      "charts/app/templates/a.yaml": "ok: {{ .Values.a }}\n",
      "charts/app/templates/b.yaml": "a: 1\nb: {{ if .Values.x }}\n",
    });
    expect(e.code).toBe("TEMPLATE_PARSE_FAILED");
    expect(e.problems.map(formatProblem)).toEqual([expect.stringMatching(/^charts\/app\/templates\/b\.yaml:\d+(:\d+)?: .*unexpected EOF/)]);
  });

  test("rendered output that is not YAML, with the line in the rendered file", async () => {
    const e = await renderFailure({
      "charts/app/Chart.yaml": chartYaml("app"),
      "charts/app/templates/cm.yaml": `${configMapTemplate("x", "  a: b\n")}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n`,
    });
    expect(e.problems.map(formatProblem)).toEqual([expect.stringMatching(/^charts\/app\/templates\/cm\.yaml:11:\d+: rendered YAML does not parse: /)]);
  });

  test("every schema violation is reported, with its path", async () => {
    const e = await renderFailure(
      {
        "charts/app/Chart.yaml": chartYaml("app"),
        "charts/app/values.yaml": "replicas: 1\nimage:\n  tag: v1\n",
        "charts/app/values.schema.json": JSON.stringify({
          $schema: "https://json-schema.org/draft/2020-12/schema",
          type: "object",
          required: ["image", "name"],
          properties: {
            replicas: { type: "integer", minimum: 1 },
            image: { type: "object", properties: { tag: { type: "string" } }, additionalProperties: false },
            mode: { enum: ["a", "b"] },
          },
        }),
        "charts/app/templates/cm.yaml": configMapTemplate("x", "  a: b\n"),
      },
      { valueLayers: [{ replicas: 0n, image: { tag: 5, extra: true }, mode: "c" }] },
    );
    expect(e.code).toBe("VALUES_INVALID");
    expect(e.problems.map(formatProblem).sort()).toEqual([
      'charts/app/values.schema.json: image.extra: is not allowed by values.schema.json (additionalProperties is false)',
      "charts/app/values.schema.json: image.tag: must be string (found number)",
      'charts/app/values.schema.json: mode: must be one of ["a","b"]',
      "charts/app/values.schema.json: name: is required by values.schema.json but not set",
      "charts/app/values.schema.json: replicas: must be >= 1",
    ]);
  });
});

describe("values.schema.json across loads", () => {
  test("a schema with an $id validates every time its chart is loaded again", async () => {
    const r = makeRepo({
      "charts/app/Chart.yaml": chartYaml("app"),
      "charts/app/values.yaml": "port: 80\n",
      "charts/app/values.schema.json": JSON.stringify({ $id: "https://example.com/app.schema.json", type: "object", properties: { port: { type: "integer" } } }),
      "charts/app/templates/cm.yaml": configMapTemplate("app", "  a: b\n"),
    });
    cleanups.push(r.cleanup);
    for (let i = 0; i < 3; i++) {
      const chart = await loadChart(r.root, "charts/app");
      expect(renderChart(chart, opts).documents).toHaveLength(1);
      expect(() => renderChart(chart, { ...opts, valueLayers: [{ port: "x" }] })).toThrow("values do not match values.schema.json");
    }
  });
});

describe("output", () => {
  test("documents split on --- at a line start, trimmed, empty ones dropped, with the line each starts on", () => {
    expect(splitDocuments("\n\na: 1\n---\n\n---\nb: 2\n  ---\nc: 3\n--- \nd: 4")).toEqual([
      { text: "a: 1", line: 3 },
      // As with Helm's pattern, the blanks after one `---` are taken with it, so the next `---` stays in the text.
      { text: "---\nb: 2\n  ---\nc: 3", line: 6 },
      { text: "d: 4", line: 11 },
    ]);
  });

  test("objects are sorted in Helm's install order, unknown kinds last by name", () => {
    const kinds = ["Widget", "Deployment", "CronJob", "Service", "Apple", "ConfigMap", "Secret", "Namespace", "StatefulSet", "DaemonSet", "Job", "PersistentVolumeClaim", "Deployment"];
    const sorted = sortByInstallOrder(kinds.map((k, i) => ({ k, i })), (x) => x.k).map((x) => `${x.k}${x.i}`);
    expect(sorted).toEqual([
      "Namespace7",
      "Secret6",
      "ConfigMap5",
      "PersistentVolumeClaim11",
      "Service3",
      "DaemonSet9",
      "Deployment1",
      "Deployment12",
      "StatefulSet8",
      "Job10",
      "CronJob2",
      "Apple4",
      "Widget0",
    ]);
  });
});

describe("the render cache", () => {
  const deterministic = {
    "charts/app/Chart.yaml": chartYaml("app"),
    "charts/app/templates/cm.yaml": configMapTemplate("app", "  v: {{ .Values.v | quote }}\n"),
  };

  test("the same inputs give the same frozen result; other inputs render afresh", async () => {
    const r = makeRepo(deterministic);
    cleanups.push(r.cleanup);
    const chart = await loadChart(r.root, "charts/app");
    const a = renderChart(chart, { ...opts, valueLayers: [{ v: 1n }] });
    expect(renderChart(chart, { ...opts, valueLayers: [{ v: 1n }] })).toBe(a);
    expect(Object.isFrozen(a.documents[0]?.object)).toBe(true);
    const b = renderChart(chart, { ...opts, valueLayers: [{ v: "1" }] });
    expect(b).not.toBe(a);
    expect(renderChart(chart, { ...opts, valueLayers: [{ v: 1n }], cache: false })).not.toBe(a);
    expect(renderChart(chart, { ...opts, valueLayers: [{ v: 1n }], revision: 2 })).not.toBe(a);
  });

  test("a chart using random values or time renders afresh every time", async () => {
    const r = makeRepo({
      "charts/app/Chart.yaml": chartYaml("app"),
      "charts/app/templates/cm.yaml": configMapTemplate("app", "  password: {{ randAlphaNum 24 | quote }}\n"),
    });
    cleanups.push(r.cleanup);
    const chart = await loadChart(r.root, "charts/app");
    const password = () => (renderChart(chart, opts).documents[0]?.object as { data: { password: string } }).data.password;
    expect(password()).not.toBe(password());
  });
});
