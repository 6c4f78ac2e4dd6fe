import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { c as tarCreate } from "tar";
import { loadChart, readUserValues, resolveInRepo } from "../../../src/chart/index.js";
import { formatProblem } from "../../../src/errors.js";
import { capstanFailure, chartYaml, testRepo } from "../../fixtures/charts/repo.js";

const repo = testRepo;
const failure = capstanFailure;

describe("loading a chart", () => {
  test("reads Chart.yaml, values, templates and the files .Files may see", async () => {
    const root = repo({
      "charts/web/Chart.yaml": chartYaml("web", "description: demo\n"),
      "charts/web/values.yaml": "replicas: 2\nimage:\n  tag: v1\n",
      "charts/web/templates/deployment.yaml": "kind: X\n",
      "charts/web/templates/_helpers.tpl": "{{ define \"x\" }}{{ end }}",
      "charts/web/templates/notes.md": "not a template",
      "charts/web/files/app.conf": "listen 80\n",
      "charts/web/Chart.lock": "lock",
      "charts/web/values.schema.json": "{}",
    });
    const chart = await loadChart(root, "charts/web");
    expect(chart.metadata).toMatchObject({ name: "web", version: "0.1.0", appVersion: "1.0", type: "application", description: "demo" });
    expect(chart.values).toEqual({ replicas: 2, image: { tag: "v1" } });
    expect(chart.templates.map((t) => t.name)).toEqual(["templates/_helpers.tpl", "templates/deployment.yaml"]);
    expect(chart.files.map((f) => f.name)).toEqual(["files/app.conf"]);
    expect(chart.schema).toEqual({});
    expect(chart.warnings.map(formatProblem)).toEqual([
      "warning: charts/web/templates/notes.md: not a template (only .yaml, .yml, .tpl and .txt files in templates/ are rendered); skipped",
    ]);
  });

  test("values files read YAML as Helm does: yes/no are booleans, numbers are float64", async () => {
    const root = repo({ "charts/web/Chart.yaml": chartYaml("web"), "charts/web/values.yaml": "enabled: yes\ncountry: NO\nport: 8080\nmode: 0644\nat: 12:30\n" });
    expect((await loadChart(root, "charts/web")).values).toEqual({ enabled: true, country: false, port: 8080, mode: 420, at: "12:30" });
  });

  test("reports every problem of an invalid Chart.yaml with its line", async () => {
    const root = repo({ "charts/bad/Chart.yaml": "apiVersion: v3\nversion: one\ntype: app\ndependencies:\n  - version: 1.0.0\n" });
    const e = await failure(loadChart(root, "charts/bad"));
    expect(e.code).toBe("CHART_INVALID");
    expect(e.problems.map(formatProblem)).toEqual([
      "charts/bad/Chart.yaml:1:13: apiVersion: apiVersion must be v2 (or v1 for old charts)",
      "charts/bad/Chart.yaml:1:1: name: name is required",
      "charts/bad/Chart.yaml:2:10: version: version must be a semantic version such as 0.1.0",
      "charts/bad/Chart.yaml:3:7: type: type must be application or library",
      "charts/bad/Chart.yaml:5:5: dependencies[0].name: dependencies[0].name is required",
    ]);
  });

  test("an apiVersion v1 chart takes its dependencies from requirements.yaml", async () => {
    const root = repo({
      "charts/old/Chart.yaml": "apiVersion: v1\nname: old\nversion: 1.0.0\n",
      "charts/old/requirements.yaml": "dependencies:\n  - name: db\n    version: 1.x\n    condition: db.enabled\n",
    });
    expect((await loadChart(root, "charts/old")).metadata.dependencies).toEqual([{ name: "db", version: "1.x", condition: "db.enabled" }]);
  });

  test("shows the line of a YAML syntax error in values.yaml", async () => {
    const root = repo({ "charts/web/Chart.yaml": chartYaml("web"), "charts/web/values.yaml": "image:\n  tag: v1\n   bad: indent\n" });
    const e = await failure(loadChart(root, "charts/web"));
    expect(e.code).toBe("VALUES_INVALID");
    expect(formatProblem(e.problems[0]!)).toMatch(/^charts\/web\/values\.yaml:2:8: YAML syntax error: /);
  });

  test("a directory without Chart.yaml is not a chart", async () => {
    const root = repo({ "charts/web/values.yaml": "a: 1\n" });
    const e = await failure(loadChart(root, "charts/web"));
    expect(e.message).toBe("charts/web: Chart.yaml is missing; a chart directory needs Chart.yaml with apiVersion, name and version");
  });

  test(".helmignore hides files from the chart, and hidden files under templates/ are always skipped", async () => {
    const root = repo({
      "charts/web/Chart.yaml": chartYaml("web"),
      "charts/web/.helmignore": "*.bak\nsecret/\n!keep.bak\n",
      "charts/web/a.bak": "x",
      "charts/web/keep.bak": "x",
      "charts/web/secret/key": "x",
      "charts/web/conf/b.txt": "x",
      "charts/web/templates/.draft.yaml": "kind: X\n",
      "charts/web/templates/cm.yaml.bak": "kind: X\n",
      "charts/web/templates/cm.yaml": "kind: X\n",
    });
    const chart = await loadChart(root, "charts/web");
    expect(chart.templates.map((t) => t.name)).toEqual(["templates/cm.yaml"]);
    expect(chart.files.map((f) => f.name).sort()).toEqual([".helmignore", "conf/b.txt", "keep.bak"]);
  });

  test("loads subcharts from directories and from .tgz archives in charts/", async () => {
    const root = repo({
      "charts/web/Chart.yaml": chartYaml("web", "dependencies:\n  - name: db\n    version: 1.0.0\n  - name: cache\n"),
      "charts/web/charts/cache/Chart.yaml": chartYaml("cache"),
      "build/db/Chart.yaml": chartYaml("db"),
      "build/db/values.yaml": "port: 5432\n",
      "build/db/templates/svc.yaml": "kind: Service\n",
    });
    mkdirSync(path.join(root, "charts/web/charts"), { recursive: true });
    await tarCreate({ gzip: true, file: path.join(root, "charts/web/charts/db-1.0.0.tgz"), cwd: path.join(root, "build") }, ["db"]);
    const chart = await loadChart(root, "charts/web");
    const db = chart.dependencies.find((d) => d.metadata.name === "db");
    expect(chart.dependencies.map((d) => d.metadata.name)).toEqual(["cache", "db"]);
    expect(db?.values).toEqual({ port: 5432 });
    expect(db?.templates.map((t) => t.name)).toEqual(["templates/svc.yaml"]);
    expect(db?.dir).toBe("charts/web/charts/db-1.0.0.tgz");
  });
});

describe("paths stay inside the repository", () => {
  test("a symlink out of the repository is refused without naming its target", async () => {
    const outside = repo({ "secret.txt": "top secret" });
    const root = repo({ "charts/web/Chart.yaml": chartYaml("web") });
    symlinkSync(path.join(outside, "secret.txt"), path.join(root, "charts/web/leak.txt"));
    const e = await failure(loadChart(root, "charts/web"));
    expect(e.code).toBe("PATH_OUTSIDE_REPO");
    expect(e.message).not.toContain(outside);
    expect(e.message).toBe("charts/web/leak.txt: path resolves outside the repository; use a path inside the repository (symlinks out of it are refused)");
  });

  test("a symlinked chart directory pointing outside is refused, whether or not its target exists", async () => {
    const root = repo({ "README.md": "x" });
    symlinkSync("/etc", path.join(root, "etc-chart"));
    symlinkSync("/nonexistent/chart", path.join(root, "ghost"));
    for (const p of ["etc-chart", "ghost", "ghost/values.yaml"]) {
      const e = await failure(loadChart(root, p));
      expect(e.code).toBe("PATH_OUTSIDE_REPO");
      expect(e.message).not.toMatch(/\/etc|nonexistent/);
    }
  });

  test("symlinks that stay inside the repository are followed", async () => {
    const root = repo({ "shared/web/Chart.yaml": chartYaml("web"), "shared/web/values.yaml": "a: 1\n" });
    symlinkSync("shared/web", path.join(root, "charts"));
    const chart = await loadChart(root, "charts");
    expect(chart.values).toEqual({ a: 1 });
  });

  test("`..` cannot climb out of the repository", async () => {
    const root = repo({ "charts/web/Chart.yaml": chartYaml("web") });
    const e = await failure(loadChart(root, "charts/../../outside"));
    expect(e.code).toBe("PATH_OUTSIDE_REPO");
    expect(e.message).toBe("charts/../../outside: path resolves outside the repository; use a path inside the repository (symlinks out of it are refused)");
    const v = await failure(() => readUserValues(root, { valueFiles: ["../../../etc/passwd"] }, { chartDir: "charts/web" }));
    expect(v.code).toBe("PATH_OUTSIDE_REPO");
  });

  test("--set-file reads inside the repository only", () => {
    const root = repo({ "charts/web/Chart.yaml": chartYaml("web"), "conf/app.ini": "port = 80\n" });
    expect(readUserValues(root, { set: [{ kind: "set-file", text: "config=conf/app.ini" }] }, { chartDir: "charts/web" })).toEqual({
      config: "port = 80\n",
    });
    expect(() => readUserValues(root, { set: [{ kind: "set-file", text: "config=../../etc/passwd" }] }, { chartDir: "charts/web" })).toThrow(
      "../../etc/passwd: path resolves outside the repository",
    );
  });

  test("an absolute path means repository-relative", async () => {
    const root = repo({ "charts/web/Chart.yaml": chartYaml("web"), "etc/passwd": "repo file\n" });
    expect((await loadChart(root, "/charts/web")).metadata.name).toBe("web");
    expect(await resolveInRepo(root, "/etc/passwd")).toBe(path.join(root, "etc/passwd"));
  });

  test("value files resolve against the chart directory, -f files against the working directory", () => {
    const root = repo({
      "charts/web/Chart.yaml": chartYaml("web"),
      "charts/web/values-prod.yaml": "a: 1\nb: 1\n",
      "envs/prod/web.yaml": "b: 2\nc: 2\n",
    });
    writeFileSync(path.join(root, "envs/prod/extra.yaml"), "c: 3\n");
    const values = readUserValues(
      root,
      { valueFiles: ["values-prod.yaml", "../../envs/prod/web.yaml"], files: ["extra.yaml"], set: [{ kind: "set", text: "d=4" }] },
      { chartDir: "charts/web", cwd: "envs/prod" },
    );
    expect(values).toEqual({ a: 1, b: 2, c: 3, d: 4n });
  });
});
