import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applicationsError, loadApplications } from "../../../src/application/index.js";
import type { Problem } from "../../../src/errors.js";
import { formatProblem } from "../../../src/errors.js";
import { applicationFile } from "../../fixtures/applications/app.js";

const roots: string[] = [];
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "capstan-apps-"));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

const CHARTS = { "charts/web/Chart.yaml": "name: web\n", "charts/worker/Chart.yaml": "name: worker\n", "envs/prod/web.yaml": "replicas: 3\n" };

const app = applicationFile;

async function problems(files: Record<string, string>): Promise<Problem[]> {
  const result = await loadApplications(tree({ ...CHARTS, ...files }));
  if (result.ok) throw new Error("expected problems");
  return result.errors;
}

describe("loading Applications", () => {
  it("loads every application under apps/ with Argo CD-like defaults filled in", async () => {
    const root = tree({
      ...CHARTS,
      "apps/web.yaml": `apiVersion: capstan.dev/v1alpha1
kind: Application
metadata:
  name: web
spec:
  source:
    path: charts/web
    targetRevision: main
    valueFiles: [envs/prod/web.yaml]
    values:
      replicas: 5
  destination:
    namespace: prod
    nodeSelector: { disk: ssd }
  syncPolicy:
    automated: { prune: true }
  dependsOn: [worker]
`,
      "apps/worker.yml": app("worker").replace("charts/web", "charts/worker"),
    });
    const result = await loadApplications(root);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.map((a) => a.metadata.name)).toEqual(["web", "worker"]);
    const [web, worker] = result.value;
    expect(web?.spec).toEqual({
      project: "default",
      source: { repoURL: "", path: "charts/web", targetRevision: "main", valueFiles: ["envs/prod/web.yaml"], values: { replicas: 5 } },
      destination: { namespace: "prod", nodeSelector: { disk: "ssd" } },
      syncPolicy: { automated: { prune: true, selfHeal: false }, autoRollback: true, revisionHistoryLimit: 10 },
      dependsOn: ["worker"],
    });
    expect(web?.origin).toEqual({ file: "apps/web.yaml", line: 1 });
    expect(worker?.spec.source.targetRevision).toBe("HEAD");
    expect(worker?.spec.destination.namespace).toBe("default");
    expect(worker?.spec.syncPolicy.automated).toBeNull();
  });

  it("reads several applications from one file and inline values given as a YAML string", async () => {
    const root = tree({
      ...CHARTS,
      "apps/all.yaml": `${app("a", "    values: |\n      image:\n        tag: v2\n")}---\n${app("b", '    repoURL: "."\n')}`,
    });
    const result = await loadApplications(root);
    expect(result.ok && result.value.map((a) => [a.metadata.name, a.origin.line, a.spec.source.values, a.spec.source.repoURL])).toEqual([
      ["a", 1, { image: { tag: "v2" } }, ""],
      ["b", 12, {}, ""],
    ]);
  });

  it("honours a configured apps path", async () => {
    const root = tree({ ...CHARTS, "deploy/apps/web.yaml": app("web") });
    const result = await loadApplications(root, { appsPath: "deploy/apps" });
    expect(result.ok && result.value[0]?.origin.file).toBe("deploy/apps/web.yaml");
  });

  it("reports every problem at once with file, line and field", async () => {
    const errors = await problems({
      "apps/web.yaml": `apiVersion: capstan.dev/v1alpha1
kind: Application
metadata:
  name: Web_App
spec:
  source:
    path: charts/web
    valuesFiles: [x.yaml]
    helm: {}
  syncPolicy:
    revisionHistoryLimit: ten
`,
      "apps/worker.yaml": `apiVersion: capstan.dev/v1
kind: Application
metadata:
  name: worker
spec:
  source: {}
`,
    });
    expect(errors.map(formatProblem)).toEqual([
      'apps/web.yaml:8:5: spec.source.valuesFiles: unknown field "valuesFiles" (did you mean valueFiles?)',
      'apps/web.yaml:9:5: spec.source.helm: unknown field "helm" (put valueFiles and values directly under spec.source)',
      "apps/web.yaml:11:27: spec.syncPolicy.revisionHistoryLimit: must be a number, not string",
      'apps/worker.yaml:1:13: apiVersion: must be "capstan.dev/v1alpha1"',
      "apps/worker.yaml:6:11: spec.source.path: is required",
    ]);
  });

  it("explains fields that Argo CD Applications have and Capstan does not", async () => {
    const errors = await problems({
      "apps/web.yaml": `apiVersion: capstan.dev/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
spec:
  project: default
  source:
    path: charts/web
  destination:
    server: https://kubernetes.default.svc
`,
    });
    expect(errors.map(formatProblem)).toEqual([
      'apps/web.yaml:5:3: metadata.namespace: unknown field "namespace" (Applications have no namespace of their own; the objects go to spec.destination.namespace)',
      'apps/web.yaml:11:5: spec.destination.server: unknown field "server" (Capstan deploys to its configured nodes; choose them with spec.destination.nodeSelector)',
    ]);
  });

  it("refuses names that are not DNS-1123 labels", async () => {
    const errors = await problems({ "apps/web.yaml": app("Web_App") });
    expect(errors.map(formatProblem)).toEqual([
      `apps/web.yaml:4:9: metadata.name: "Web_App" is not a valid name (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
    ]);
  });

  it("refuses two applications with the same name, naming the other place at each", async () => {
    const errors = await problems({ "apps/a.yaml": app("web"), "apps/b.yaml": `# second\n${app("web")}` });
    expect(errors.map(formatProblem)).toEqual([
      'apps/a.yaml:4:9: metadata.name: application "web" is defined again in apps/b.yaml:2 (names must be unique)',
      'apps/b.yaml:5:9: metadata.name: application "web" is already defined in apps/a.yaml:1 (names must be unique)',
    ]);
  });

  it("refuses unknown and cyclic dependencies", async () => {
    const errors = await problems({
      "apps/a.yaml": app("a", "  dependsOn: [b, ghost]\n"),
      "apps/b.yaml": app("b", "  dependsOn: [c]\n"),
      "apps/c.yaml": app("c", "  dependsOn: [a]\n"),
    });
    expect(errors.map(formatProblem)).toEqual([
      'apps/a.yaml:8:18: spec.dependsOn[1]: unknown application "ghost" (known: a, b, c)',
      "apps/c.yaml:8:15: spec.dependsOn[0]: dependsOn forms a cycle: a → b → c → a (remove one of these dependencies)",
    ]);
  });

  it("refuses chart paths and value files outside the repository without revealing where they point", async () => {
    const root = tree({
      ...CHARTS,
      "apps/web.yaml": app("web", "    valueFiles: [../../etc/passwd, /etc/shadow, envs/link.yaml]\n"),
    });
    symlinkSync("/etc/hostname", join(root, "envs/link.yaml"));
    const result = await loadApplications(root);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(formatProblem)).toEqual([
      'apps/web.yaml:8:18: spec.source.valueFiles[0]: path "../../etc/passwd" is outside the repository: it climbs out of the repository with \'..\' (PATH_OUTSIDE_REPO; use a path relative to the repository root)',
      'apps/web.yaml:8:36: spec.source.valueFiles[1]: path "/etc/shadow" is outside the repository: it is absolute (PATH_OUTSIDE_REPO; use a path relative to the repository root)',
    ]);
    const fixed = tree({ ...CHARTS, "apps/web.yaml": app("web", "    valueFiles: [envs/link.yaml]\n") });
    symlinkSync("/etc/hostname", join(fixed, "envs/link.yaml"));
    const again = await loadApplications(fixed);
    expect(again.ok).toBe(false);
    if (again.ok) return;
    const text = again.errors.map(formatProblem).join("\n");
    expect(text).toContain("spec.source.valueFiles[0]: path \"envs/link.yaml\" is outside the repository: a symlink points outside");
    expect(text).not.toContain("/etc/hostname");
    expect(applicationsError(again.errors).code).toBe("PATH_OUTSIDE_REPO");
  });

  it("reports a chart path or value file that does not exist", async () => {
    const errors = await problems({ "apps/web.yaml": app("web", "    valueFiles: [envs/dev/web.yaml]\n").replace("charts/web", "charts/api") });
    expect(errors.map(formatProblem)).toEqual([
      'apps/web.yaml:7:11: spec.source.path: "charts/api" does not exist in the repository',
      'apps/web.yaml:8:18: spec.source.valueFiles[0]: "envs/dev/web.yaml" does not exist in the repository',
    ]);
    expect(applicationsError(errors).code).toBe("APPLICATION_INVALID");
  });

  it("reports invalid YAML with its line", async () => {
    const errors = await problems({ "apps/web.yaml": "apiVersion: [unclosed\nkind: Application\n" });
    expect(errors[0]?.file).toBe("apps/web.yaml");
    expect(errors[0]?.line).toBeGreaterThan(0);
    expect(errors[0]?.message).toMatch(/^invalid YAML: /);
  });

  it("refuses URLs and revisions git would misread", async () => {
    const errors = await problems({ "apps/web.yaml": app("web", "    repoURL: ext::sh -c id\n    targetRevision: main..dev\n") });
    expect(errors.map(formatProblem)).toEqual([
      `apps/web.yaml:8:14: spec.source.repoURL: repository URL "ext::sh -c id" refused: the 'ext::' remote-helper form can run arbitrary commands (use https://, ssh://, git@host:path, git://, file:// or a local path)`,
      `apps/web.yaml:9:21: spec.source.targetRevision: "main..dev" is not a valid git revision: it contains '..'`,
    ]);
  });

  it("says where to point --apps-path when the directory is missing", async () => {
    const result = await loadApplications(tree(CHARTS));
    expect(result.ok || result.errors.map(formatProblem)).toEqual([
      "apps: no such directory in the repository (create it, or point --apps-path at the directory holding Application files)",
    ]);
  });
});
