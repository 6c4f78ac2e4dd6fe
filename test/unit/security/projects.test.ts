import { describe, expect, it } from "vitest";
import { parseApplicationFile } from "../../../src/application/load.js";
import type { Application } from "../../../src/application/types.js";
import { parseConfig } from "../../../src/config/index.js";
import type { CapstanError} from "../../../src/errors.js";
import { formatProblem } from "../../../src/errors.js";
import type { ManifestObject } from "../../../src/manifest/index.js";
import { DEFAULT_PROJECT, namespaceProblems, projectProblems, sharedObjectProblems } from "../../../src/security/index.js";

function application(spec: string): Application {
  const text = `apiVersion: capstan.dev/v1alpha1
kind: Application
metadata:
  name: web
spec:
${spec}`;
  const parsed = parseApplicationFile(text, "apps/web.yaml");
  if (parsed.apps.length !== 1) throw new Error(parsed.problems.map(formatProblem).join("\n"));
  return (parsed.apps[0] as { app: Application }).app;
}

const config = parseConfig(
  `projects:
  - name: team-a
    sourceRepos: ["https://git.example.com/team-a/**"]
    destinations: [{namespace: "team-a-*"}]
  - name: storage
    sourceRepos: ["https://git.example.com/apps.git"]
    podSecurity:
      exceptions:
        hostPaths: [/srv/data]
`,
  "capstan.yaml",
);

const configMap = (name: string, namespace?: string): ManifestObject =>
  ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, ...(namespace ? { namespace } : {}) }, data: {} }) as unknown as ManifestObject;

const deployment = (volumes: unknown[]): ManifestObject =>
  ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "x", volumeMounts: volumes.length ? [{ name: "data", mountPath: "/data" }] : [] }], volumes } },
    },
  }) as unknown as ManifestObject;

const APPS_REPO = "https://git.example.com/apps.git";

const messages = (app: Application, objects: ManifestObject[], declaredIn = APPS_REPO) =>
  projectProblems(
    app,
    declaredIn,
    config,
    objects.map((object) => ({ object, file: "charts/web/templates/x.yaml" })),
  ).map(formatProblem);

describe("projects", () => {
  it("keeps an application of the default project to its own destination namespace", () => {
    const app = application("  source: {path: charts/web}\n  destination: {namespace: shop}\n");
    expect(messages(app, [configMap("a"), configMap("b", "shop")])).toEqual([]);
    expect(messages(app, [configMap("settings", "payments")])).toEqual([
      'charts/web/templates/x.yaml: metadata.namespace: ConfigMap settings: namespace payments is outside what application web may deploy to in project "default": its destination namespace shop (remove metadata.namespace, or ask the operator to add the namespace to the project\'s destinations)',
    ]);
  });

  it("lets a project's destinations widen where objects may go, and refuses a destination outside them", () => {
    const teamA = "https://git.example.com/team-a/apps.git";
    const inside = application("  project: team-a\n  source: {path: charts/web, repoURL: https://git.example.com/team-a/charts.git}\n  destination: {namespace: team-a-prod}\n");
    expect(messages(inside, [configMap("a", "team-a-staging")], teamA)).toEqual([]);
    expect(messages(inside, [configMap("a", "team-b-prod")], teamA).join("\n")).toContain("namespace team-b-prod is outside");
    const outside = application("  project: team-a\n  source: {path: charts/web}\n  destination: {namespace: prod}\n");
    expect(messages(outside, [], teamA)).toEqual([
      'apps/web.yaml:1: spec.destination.namespace: namespace prod is not permitted in project "team-a" (destinations: team-a-*)',
    ]);
  });

  it("refuses a chart repository the project does not list, and by default any but the declaring one", () => {
    const app = application("  project: team-a\n  source: {path: charts/web, repoURL: https://git.example.com/team-b/charts.git}\n  destination: {namespace: team-a-prod}\n");
    expect(messages(app, [], "https://git.example.com/team-a/apps.git")).toEqual([
      'apps/web.yaml:1: spec.source.repoURL: repository https://git.example.com/team-b/charts.git is not permitted in project "team-a" (sourceRepos: https://git.example.com/team-a/**); the operator lists repositories in the project\'s sourceRepos',
    ]);
    // Another team's repository, which the operator's credentials would open, is out of the default project's reach.
    const borrowing = application("  source: {path: charts/web, repoURL: https://git.example.com/team-a/private.git}\n");
    expect(messages(borrowing, [])).toEqual([
      `apps/web.yaml:1: spec.source.repoURL: repository https://git.example.com/team-a/private.git is not permitted in project "default" (sourceRepos: by default only the declaring repository ${APPS_REPO}); the operator lists repositories in the project's sourceRepos`,
    ]);
    expect(messages(application("  source: {path: charts/web, repoURL: https://git.example.com/apps}\n"), [])).toEqual([]);
  });

  it("lets only repositories a project lists name it, so a commit cannot choose the project with the widest grants", () => {
    const app = application("  project: storage\n  source: {path: charts/web}\n");
    expect(messages(app, [])).toEqual([]);
    expect(messages(app, [], "https://git.example.com/team-b/apps.git")).toEqual([
      'apps/web.yaml:1: spec.project: project "storage" does not list https://git.example.com/team-b/apps.git in its sourceRepos, so Applications of that repository cannot name it; the operator lists repositories in the project\'s sourceRepos in the Capstan config file',
      'apps/web.yaml:1: spec.source.repoURL: repository https://git.example.com/team-b/apps.git is not permitted in project "storage" (sourceRepos: https://git.example.com/apps.git); the operator lists repositories in the project\'s sourceRepos',
    ]);
  });

  it("keeps a namespace to the project whose applications deploy there first, and a project's destinations to that project", () => {
    const web = application("  source: {path: charts/web}\n  destination: {namespace: shop}\n");
    const owners = new Map([["shop", "project storage"], ["web", "project default"]]);
    const problems = (ns: string[]) => namespaceProblems(web, DEFAULT_PROJECT, config, ns, (n) => owners.get(n)).map(formatProblem);
    expect(problems(["shop"])).toEqual([
      'apps/web.yaml:1: spec.destination.namespace: namespace shop belongs to project storage; application web of project "default" cannot deploy there (choose another namespace, or ask the operator to put both in one project)',
    ]);
    expect(problems(["team-a-prod"]).join("\n")).toContain("namespace team-a-prod belongs to project team-a (its destinations)");
    // Applications of one project share its namespaces, as several Argo CD applications share one.
    expect(problems(["web", "fresh"])).toEqual([]);
    // A project takes the namespaces its destinations name, whoever deployed there before.
    const teamA = application("  project: team-a\n  source: {path: charts/web}\n  destination: {namespace: team-a-prod}\n");
    owners.set("team-a-prod", "project default");
    const teamAProject = config.projects.find((p) => p.name === "team-a");
    if (!teamAProject) throw new Error("team-a is configured");
    expect(namespaceProblems(teamA, teamAProject, config, ["team-a-prod"], (n) => owners.get(n))).toEqual([]);
  });

  it("names an unknown project with the ones the config defines", () => {
    const app = application("  project: ops\n  source: {path: charts/web}\n");
    expect(messages(app, [])).toEqual([
      'apps/web.yaml:1: spec.project: project "ops" is not defined in the Capstan config file (projects: default, team-a, storage); the operator defines projects there',
    ]);
  });

  it("grants a hostPath only through the project's exceptions in the config file", () => {
    const data = [{ name: "data", hostPath: { path: "/srv/data/web" } }];
    const plain = application("  source: {path: charts/web}\n");
    expect(messages(plain, [deployment(data)]).join("\n")).toContain("spec.template.spec.volumes[0].hostPath");
    const storage = application("  project: storage\n  source: {path: charts/web}\n");
    expect(messages(storage, [deployment(data)])).toEqual([]);
    expect(messages(storage, [deployment([{ name: "data", hostPath: { path: "/srv/data/../../etc" } }])]).join("\n")).toContain("hostPath");
  });

  it("refuses an object another application already declares, naming both", () => {
    const owners = new Map([["shop/ConfigMap/settings", "payments"]]);
    expect(sharedObjectProblems("web", [{ key: "shop/ConfigMap/settings", file: "charts/web/templates/cm.yaml" }, { key: "shop/ConfigMap/own" }], (k) => owners.get(k)).map(formatProblem)).toEqual([
      "charts/web/templates/cm.yaml: metadata.name: ConfigMap shop/settings is already declared by application payments; application web cannot declare it too (SharedResource: rename it, or remove it from one of the two)",
    ]);
  });

  it("refuses a config whose project or credentials are malformed, naming line and field", () => {
    const problems = (text: string) => {
      try {
        parseConfig(text, "capstan.yaml");
        return [];
      } catch (err) {
        return (err as CapstanError).problems.map((p) => `${p.line}:${p.field}:${p.message}`);
      }
    };
    expect(problems("projects:\n  - name: a\n  - name: a\n")).toEqual(["3:projects[1].name:duplicate project name a"]);
    expect(problems("projects:\n  - name: a\n    podSecurity: {level: lax}\n")[0]).toMatch(/^3:projects\[0\]\.podSecurity\.level:Invalid enum value/);
    expect(problems("credentials:\n  - url: https://u:p@git.example.com/\n    passwordEnv: T\n")).toEqual([
      "2:credentials[0].url:must not hold a user name or password; use username and passwordFile/passwordEnv",
    ]);
    expect(problems("credentials:\n  - url: https://git.example.com/\n")).toEqual(["2:credentials[0]:give exactly one of passwordFile, passwordEnv or sshKeyPath"]);
  });
});
