import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadApplicationSet, loadApplications } from "../../../src/application/index.js";
import type { ApplicationSetResult, InvalidApplicationFile } from "../../../src/application/index.js";
import { formatProblem } from "../../../src/errors.js";
import { applicationFile } from "../../fixtures/applications/app.js";

const roots: string[] = [];
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "capstan-apps-"));
  roots.push(root);
  for (const [path, content] of Object.entries({ "charts/web/Chart.yaml": "name: web\n", ...files })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

const app = applicationFile;

async function loadSet(files: Record<string, string>): Promise<Extract<ApplicationSetResult, { ok: true }>> {
  const result = await loadApplicationSet(tree(files));
  if (!result.ok) throw new Error(`expected a set, got ${result.errors.map(formatProblem).join("; ")}`);
  return result;
}

const summary = (f: InvalidApplicationFile) => ({ file: f.file, names: f.names, problems: f.problems.map(formatProblem) });

describe("loading Applications file by file", () => {
  it("fails only the applications of an invalid file and loads the rest", async () => {
    const files = {
      "apps/api.yaml": app("api", "  syncPolicy:\n    revisionHistoryLimit: ten\n"),
      "apps/junk.yaml": "apiVersion: [unclosed\nkind: Application\n",
      "apps/web.yaml": app("web"),
    };
    const set = await loadSet(files);
    expect(set.value.map((a) => a.metadata.name)).toEqual(["web"]);
    expect(set.invalid.map(summary)).toEqual([
      { file: "apps/api.yaml", names: ["api"], problems: ["apps/api.yaml:9:27: spec.syncPolicy.revisionHistoryLimit: must be a number, not string"] },
      { file: "apps/junk.yaml", names: [], problems: [expect.stringMatching(/^apps\/junk\.yaml:\d+:\d+: invalid YAML: /)] },
    ]);

    // All or nothing for those who want it: every problem of every file, and no applications.
    const all = await loadApplications(tree(files));
    expect(all.ok).toBe(false);
    if (!all.ok) expect(all.errors.map((p) => p.file)).toEqual(["apps/api.yaml", "apps/junk.yaml"]);
  });

  it("reads the names a broken file declares, so their last good definitions can be kept", async () => {
    const set = await loadSet({
      "apps/api.yaml": `${app("api")}    valueFiles: [unclosed\n---\n${app("worker", "  bogus: true\n")}`,
      "apps/web.yaml": app("web"),
    });
    expect(set.value.map((a) => a.metadata.name)).toEqual(["web"]);
    expect(set.invalid.map((f) => [f.file, f.names])).toEqual([["apps/api.yaml", ["api", "worker"]]]);
    // The valid-looking document in the same file does not load either: a half-edited file applies nothing.
    expect(set.invalid[0]?.problems.length).toBeGreaterThanOrEqual(2);
  });

  it("does not call a dependency unknown when only its file is invalid", async () => {
    const set = await loadSet({
      "apps/api.yaml": app("api", "  destination:\n    namespace: Not_A_Label\n"),
      "apps/web.yaml": app("web", "  dependsOn: [api]\n"),
    });
    expect(set.value.map((a) => a.metadata.name)).toEqual(["web"]);
    expect(set.value[0]?.spec.dependsOn).toEqual(["api"]);
    expect(set.invalid.map(summary)).toEqual([
      { file: "apps/api.yaml", names: ["api"], problems: ['apps/api.yaml:9:16: spec.destination.namespace: "Not_A_Label" is not a valid namespace (a DNS-1123 label such as "prod")'] },
    ]);
  });

  it("fails every file defining a name twice, so neither definition replaces the running one", async () => {
    const set = await loadSet({ "apps/a.yaml": app("web"), "apps/b.yaml": app("web"), "apps/c.yaml": app("api") });
    expect(set.value.map((a) => a.metadata.name)).toEqual(["api"]);
    expect(set.invalid.map(summary)).toEqual([
      { file: "apps/a.yaml", names: ["web"], problems: ['apps/a.yaml:4:9: metadata.name: application "web" is defined again in apps/b.yaml:1 (names must be unique)'] },
      { file: "apps/b.yaml", names: ["web"], problems: ['apps/b.yaml:4:9: metadata.name: application "web" is already defined in apps/a.yaml:1 (names must be unique)'] },
    ]);
  });

  it("fails the file of an application with an unknown dependency, a cycle or a missing chart, and no other", async () => {
    const set = await loadSet({
      "apps/a.yaml": app("a", "  dependsOn: [ghost]\n"),
      "apps/b.yaml": app("b", "  dependsOn: [c]\n"),
      "apps/c.yaml": app("c", "  dependsOn: [b]\n"),
      "apps/d.yaml": app("d").replace("charts/web", "charts/gone"),
      "apps/e.yaml": app("e", "  dependsOn: [a, b]\n"),
    });
    expect(set.value.map((a) => a.metadata.name)).toEqual(["b", "e"]);
    expect(set.invalid.map(summary)).toEqual([
      { file: "apps/a.yaml", names: ["a"], problems: ['apps/a.yaml:8:15: spec.dependsOn[0]: unknown application "ghost" (known: a, b, c, d, e)'] },
      { file: "apps/c.yaml", names: ["c"], problems: ["apps/c.yaml:8:15: spec.dependsOn[0]: dependsOn forms a cycle: b → c → b (remove one of these dependencies)"] },
      { file: "apps/d.yaml", names: ["d"], problems: ['apps/d.yaml:7:11: spec.source.path: "charts/gone" does not exist in the repository'] },
    ]);
  });

  it("still refuses the whole load when the apps directory is missing", async () => {
    const result = await loadApplicationSet(tree({}));
    expect(result.ok).toBe(false);
  });
});

describe("credentials in an Application's repoURL", () => {
  const withURL = (url: string) => ({ "apps/web.yaml": app("web", `    repoURL: ${url}\n`) });

  it.each([
    ["https://deploy:s3cr3t@git.example.com/acme/charts.git", "a user name and password", "https://git.example.com/ with username and passwordFile or passwordEnv"],
    ["https://deploy-bot@git.example.com/acme/charts.git", "a user name", "https://git.example.com/ with username and passwordFile or passwordEnv"],
    ["http://x-access-token:ghp_abc@git.internal:8080/charts.git", "a user name and password", "http://git.internal:8080/ with username and passwordFile or passwordEnv"],
    ["ssh://git:hunter2@git.example.com/acme/charts.git", "a user name and password", "ssh://git.example.com/ with sshKeyPath"],
  ])("refuses %s, naming the file, line and field and pointing at the config file's credentials", async (url, what, suggestion) => {
    const set = await loadSet(withURL(url));
    expect(set.value).toEqual([]);
    const text = set.invalid.flatMap((f) => f.problems).map(formatProblem);
    expect(text).toHaveLength(1);
    expect(text[0]).toMatch(/^apps\/web\.yaml:8:14: spec\.source\.repoURL: /);
    expect(text[0]).toContain(`carries ${what} in the URL; credentials do not belong in Git`);
    expect(text[0]).toContain(`credentials: section of the Capstan config file, e.g. url: ${suggestion})`);
    for (const secret of ["s3cr3t", "ghp_abc", "hunter2", "deploy-bot@", "deploy:"]) expect(text[0]).not.toContain(secret);
  });

  it.each(["git@github.com:acme/charts.git", "ssh://git@git.example.com/acme/charts.git", "https://git.example.com/acme/charts.git"])(
    "accepts %s: an ssh login name is no secret",
    async (url) => {
      const set = await loadSet(withURL(url));
      expect(set.invalid).toEqual([]);
      expect(set.value[0]?.spec.source.repoURL).toBe(url);
    },
  );
});

describe("an Application file that is hostile YAML", () => {
  it("refuses an alias bomb in one line naming the file, without expanding it", async () => {
    const { parseApplicationFile } = await import("../../../src/application/load.js");
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 9; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`);
    const parsed = parseApplicationFile(`apiVersion: capstan.dev/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n  source:\n    path: charts/web\n    values:\n${bomb.map((l) => `      ${l}`).join("\n")}\n`, "apps/web.yaml");
    expect(parsed.apps).toEqual([]);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatchObject({ file: "apps/web.yaml" });
    expect(parsed.problems[0]?.message).toMatch(/^invalid YAML: aliases expand this document past 200000 values/);
    expect(parsed.problems[0]?.message).not.toContain("\n");
  });
});

describe("an Application file too large to read on the daemon's event loop", () => {
  it("is refused by its size, naming the file and the limit, while the others load", async () => {
    const big = `${app("big")}# ${"x".repeat(2 * 1024 * 1024)}\n`;
    const set = await loadSet({ "apps/big.yaml": big, "apps/web.yaml": app("web") });
    expect(set.value.map((a) => a.metadata.name)).toEqual(["web"]);
    expect(set.invalid.map(summary)).toEqual([{ file: "apps/big.yaml", names: [], problems: ["apps/big.yaml: is 2 MiB; the limit for an Application file is 1 MiB (keep values in valueFiles)"] }]);
  });
});
