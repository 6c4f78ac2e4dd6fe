import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { diffRevisions } from "../../../src/cli/commands/diff.js";
import { FakeGitSource } from "../../../src/source/fake.js";

const EXAMPLE = join(import.meta.dirname, "../../../repo-example");
const URL = "https://git.example.com/acme/deploy.git";
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function exampleFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(EXAMPLE, path)] = readFileSync(path, "utf8");
    }
  };
  walk(EXAMPLE);
  return out;
}

function source(): FakeGitSource {
  const dir = mkdtempSync(join(tmpdir(), "capstan-fake-trees-"));
  dirs.push(dir);
  return new FakeGitSource(dir);
}

describe("diffing two revisions", () => {
  it("compares each application with the branch it tracks when no base is given", async () => {
    const git = source();
    const files = exampleFiles();
    git.commit(URL, "main", files);
    // worker tracks the "stable" branch, where it runs one replica.
    git.commit(URL, "stable", { ...files, "apps/worker.yaml": files["apps/worker.yaml"]!.replace("replicaCount: 2", "replicaCount: 1") });
    const pr = { ...files };
    pr["apps/worker.yaml"] = files["apps/worker.yaml"]!.replace("targetRevision: main", "targetRevision: stable");
    const sha = git.commit(URL, "feature", pr);
    git.setRef(URL, "refs/pull/9/head", sha);

    const report = await diffRevisions({ repo: URL, apps: "all", revision: "pull/9/head", source: git });
    expect(report.apps.map((a) => [a.name, a.base?.ref])).toEqual([["worker", "stable"]]);
    const worker = report.apps[0]?.result;
    expect(worker?.changed[0]?.rollout).toBe("Deployment worker: scaled 1 → 2, no pods replaced");
  });

  it("shows every object as added when the base has no apps directory yet", async () => {
    const git = source();
    git.commit(URL, "main", { "README.md": "empty so far\n" });
    git.commit(URL, "first-apps", exampleFiles());
    const report = await diffRevisions({ repo: URL, apps: "all", revision: "first-apps", source: git });
    expect(report.apps.map((a) => [a.name, a.errors, a.result?.added.map((o) => o.key)])).toEqual([
      ["web", [], ["demo/ConfigMap/web", "demo/Deployment/web", "demo/Service/web"]],
      ["worker", [], ["demo/Deployment/worker"]],
    ]);
  });

  it("names unknown applications with near names", async () => {
    const git = source();
    git.commit(URL, "main", exampleFiles());
    await expect(diffRevisions({ repo: URL, apps: ["workr"], revision: "main", source: git })).rejects.toMatchObject({
      code: "APPLICATION_NOT_FOUND",
      message: expect.stringContaining('no application "workr" (did you mean "worker"?)'),
    });
  });
});
