import * as path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { parseTemplateArgs, templateCommand } from "../../../src/cli/commands/template.js";
import type { CommandContext } from "../../../src/cli/types.js";
import { CapstanError } from "../../../src/errors.js";
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
  const code = await templateCommand.run(args, ctx);
  return { code, stdout, stderr };
}

describe("capstan template arguments", () => {
  test("keeps set flags in the order given and fills defaults", () => {
    expect(parseTemplateArgs(["charts/web", "--set", "a=1", "-f", "x.yaml", "--set-string", "b=2", "--set-json", "c=3", "--set", "d=4"])).toEqual({
      chart: "charts/web",
      valueFiles: ["x.yaml"],
      set: [
        { kind: "set", text: "a=1" },
        { kind: "set-string", text: "b=2" },
        { kind: "set-json", text: "c=3" },
        { kind: "set", text: "d=4" },
      ],
      namespace: "default",
      releaseName: "release-name",
      showOnly: [],
      output: "yaml",
    });
  });

  test.each([
    [[], "a CHART path is required"],
    [["a", "b"], "expected one CHART, got a b"],
    [["a", "-o", "toml"], "-o must be yaml or json (got toml)"],
  ])("refuses %j: %s", (args, message) => {
    expect(() => parseTemplateArgs(args)).toThrow(CapstanError);
    expect(() => parseTemplateArgs(args)).toThrow(message);
  });
});

describe("capstan template", () => {
  test("prints each document after its # Source line, in install order", async () => {
    const r = await run(["charts/web", "--release-name", "shop", "--namespace", "prod", "--set", "replicaCount=3"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.match(/^# Source: .*$/gm)).toEqual([
      "# Source: web/templates/configmap.yaml",
      "# Source: web/templates/service.yaml",
      "# Source: web/templates/deployment.yaml",
    ]);
    expect(r.stdout.startsWith("---\n# Source: web/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop-web\n")).toBe(true);
    expect(r.stdout).toContain("  replicas: 3\n");
  });

  test("--show-only picks templates by their path in the chart", async () => {
    const r = await run(["web", "--show-only", "templates/service.yaml"], path.join(repoRoot, "charts"));
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^# Source: .*$/gm)).toEqual(["# Source: web/templates/service.yaml"]);
    const missing = await run(["charts/web", "--show-only", "templates/ingress.yaml"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("error: could not find template templates/ingress.yaml in chart\n");
  });

  test("-o json prints the validated objects with Kubernetes defaults", async () => {
    const r = await run(["charts/web", "-o", "json", "--show-only", "templates/service.yaml"]);
    const [svc] = JSON.parse(r.stdout) as { source: string; object: { spec: unknown; metadata: { namespace: string } } }[];
    expect(svc?.object.metadata.namespace).toBe("default");
    expect(svc?.object.spec).toMatchObject({ type: "ClusterIP", sessionAffinity: "None", ports: [{ port: 80, targetPort: "http", protocol: "TCP" }] });
  });

  test("exits 1 and prints every problem with its file and line, objects in install order", async () => {
    const repo = makeRepo({
      "charts/app/Chart.yaml": chartYaml("app"),
      "charts/app/templates/a.yaml": "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: a\n",
      "charts/app/templates/b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  port: 80\n",
    });
    cleanups.push(repo.cleanup);
    const r = await run(["charts/app"], repo.root);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")).toEqual([
      "error: charts/app: rendered objects are not valid",
      "charts/app/templates/b.yaml:6:9: data.port: must be a string (found a number)",
      'charts/app/templates/a.yaml:2:7: kind: kind "Ingress" is not supported by Capstan (supported kinds: Deployment, StatefulSet, DaemonSet, Job, CronJob, Service, ConfigMap, Secret, PersistentVolumeClaim)',
      "",
    ]);
  });

  test("-f files are read relative to the working directory, later files winning", async () => {
    const repo = makeRepo({
      "charts/app/Chart.yaml": chartYaml("app"),
      "charts/app/values.yaml": "a: chart\nb: chart\n",
      "charts/app/templates/cm.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  a: {{ .Values.a | quote }}\n  b: {{ .Values.b | quote }}\n',
      "envs/prod/one.yaml": "a: one\nb: one\n",
      "envs/prod/two.yaml": "b: two\n",
    });
    cleanups.push(repo.cleanup);
    const r = await run(["../../charts/app", "-f", "one.yaml", "-f", path.join(repo.root, "envs/prod/two.yaml")], path.join(repo.root, "envs/prod"));
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain('  a: "one"\n  b: "two"\n');
    const outside = await run(["../../charts/app", "-f", "../../../x.yaml"], path.join(repo.root, "envs/prod"));
    expect(outside.code).toBe(1);
    expect(outside.stderr).toBe("error: ../../../x.yaml: path resolves outside the repository; use a path inside the repository (symlinks out of it are refused)\n");
  });

  test("refuses a chart path outside the repository", async () => {
    const r = await run(["../../outside"], path.join(repoRoot, "charts"));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: ../../outside: path resolves outside the repository; use a path inside the repository (symlinks out of it are refused)\n");
  });
});
