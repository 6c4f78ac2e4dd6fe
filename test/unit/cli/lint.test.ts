import * as path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { lintCommand, parseLintArgs } from "../../../src/cli/commands/lint.js";
import type { CommandContext } from "../../../src/cli/types.js";
import { chartYaml, makeRepo } from "../../fixtures/charts/repo.js";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

async function run(args: string[], cwd = repoRoot) {
  let stdout = "";
  let stderr = "";
  const ctx: CommandContext = {
    io: { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env: {}, cwd, isTTY: false },
    global: { stateDir: "/nonexistent" },
  };
  const code = await lintCommand.run(args, ctx);
  return { code, stdout, stderr };
}

describe("capstan lint", () => {
  test.each(["web", "worker", "cache", "agent", "report"])("the example chart %s passes", async (name) => {
    const r = await run([`charts/${name}`]);
    expect(r.stdout).toBe(`==> Linting charts/${name}\n\n1 chart(s) linted, 0 chart(s) failed (0 error(s), 0 warning(s))\n`);
    expect(r.code).toBe(0);
  });

  test("reports structure, schema, render and object findings together and exits 1", async () => {
    const repo = makeRepo({
      "charts/app/Chart.yaml": chartYaml("application"),
      "charts/app/values.yaml": "port: 80\n",
      "charts/app/values.schema.json": JSON.stringify({ type: "object", properties: { port: { type: "string" } } }),
      "charts/app/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  port: {{ .Values.port }}\n",
      "charts/app/templates/dep.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  selector:\n    matchLabels:\n      app: a\n  template:\n    metadata:\n      labels:\n        app: a\n    spec:\n      serviceAccountName: app\n      containers:\n        - name: app\n          image: busybox:1\n",
      "charts/app/templates/readme.md": "hi",
    });
    cleanups.push(repo.cleanup);
    const r = await run(["charts/app"], repo.root);
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n")).toEqual([
      "==> Linting charts/app",
      '[WARNING] Chart.yaml: name: chart name "application" differs from its directory "app"; Helm expects them to match',
      "[WARNING] templates/readme.md: not a template (only .yaml, .yml, .tpl and .txt files in templates/ are rendered); skipped",
      "[ERROR] values.schema.json: port: must be string (found number)",
      "[ERROR] templates/cm.yaml:6:9: data.port: must be a string (found a number)",
      "[WARNING] templates/dep.yaml:14:7: spec.template.spec.serviceAccountName: has no effect on Docker and is ignored",
      "",
      "1 chart(s) linted, 1 chart(s) failed (2 error(s), 3 warning(s))",
      "",
    ]);
  });

  test("--strict fails on warnings", async () => {
    const repo = makeRepo({
      "charts/app/Chart.yaml": chartYaml("app"),
      "charts/app/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n",
      "charts/app/templates/notes.md": "x",
    });
    cleanups.push(repo.cleanup);
    expect((await run(["charts/app"], repo.root)).code).toBe(0);
    expect((await run(["charts/app", "--strict"], repo.root)).code).toBe(1);
  });

  test("a template error is shown with the template's file, line and column", async () => {
    const repo = makeRepo({
      "charts/app/Chart.yaml": chartYaml("app"),
      "charts/app/templates/cm.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ required "name is required" .Values.name }}\n',
    });
    cleanups.push(repo.cleanup);
    const r = await run(["charts/app"], repo.root);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\[ERROR\] templates\/cm\.yaml:4:\d+: .*name is required$/m);
  });

  test("arguments: the chart, value files, set flags and --strict", () => {
    expect(parseLintArgs(["charts/web", "-f", "a.yaml", "--set", "x=1", "--strict"])).toEqual({
      chart: "charts/web",
      valueFiles: ["a.yaml"],
      set: [{ kind: "set", text: "x=1" }],
      namespace: "default",
      releaseName: "release-name",
      strict: true,
    });
  });

  test("refuses what pod security would refuse at sync, and --project takes the exception from the config file", async () => {
    const repo = makeRepo({
      "charts/app/Chart.yaml": chartYaml("app"),
      "charts/app/templates/dep.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  selector:\n    matchLabels:\n      app: a\n  template:\n    metadata:\n      labels:\n        app: a\n    spec:\n      hostIPC: true\n      containers:\n        - name: app\n          image: busybox:1\n",
      "capstan.yaml": "projects:\n  - name: ipc\n    podSecurity:\n      exceptions: {hostIPC: true}\n",
    });
    cleanups.push(repo.cleanup);
    const refused = await run(["charts/app"], repo.root);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('[ERROR] templates/dep.yaml: spec.template.spec.hostIPC: Deployment app: violates PodSecurity "baseline:latest": host namespaces (hostIPC=true)');
    const ctx: CommandContext = { io: { stdout: () => {}, stderr: () => {}, env: {}, cwd: repo.root, isTTY: false }, global: { stateDir: "/nonexistent", config: path.join(repo.root, "capstan.yaml") } };
    expect(await lintCommand.run(["charts/app", "--project", "ipc"], ctx)).toBe(0);
  });
});
