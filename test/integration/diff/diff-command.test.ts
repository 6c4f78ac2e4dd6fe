import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffCommand, parseDiffArgs } from "../../../src/cli/commands/diff.js";
import { main } from "../../../src/cli/main.js";
import type { CliIO } from "../../../src/cli/types.js";
import { makeRepo, removeDir, tempDir } from "../../helpers/git.js";
import type { TestRepo } from "../../helpers/git.js";

const EXAMPLE = join(import.meta.dirname, "../../../repo-example");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const dirs: string[] = [];
let repo: TestRepo;
let stateDir: string;

async function diff(...args: string[]): Promise<Run> {
  return diffWith({}, ...args);
}

async function diffWith(tty: { isTTY?: boolean; env?: Record<string, string> }, ...args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    env: tty.env ?? {},
    cwd: repo.path,
    isTTY: tty.isTTY ?? false,
  };
  const code = await diffCommand.run(args, { io, global: { stateDir } });
  return { code, stdout, stderr };
}

const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-db
stringData:
  password: {{ .Values.dbPassword | quote }}
`;

beforeAll(() => {
  const path = tempDir("capstan-diff-repo-");
  dirs.push(path);
  cpSync(EXAMPLE, path, { recursive: true });
  repo = makeRepo(path);
  stateDir = tempDir("capstan-diff-state-");
  dirs.push(stateDir);
  repo.commit({ "charts/web/templates/secret.yaml": SECRET, "charts/web/values.yaml": null }, "example repository");
  // values.yaml is re-added with a secret value so the chart has something to hide.
  repo.commit({ "charts/web/values.yaml": `${readExample("charts/web/values.yaml")}dbPassword: hunter2-base\n` }, "db password");

  repo.branch("release-v2");
  repo.switchTo("release-v2");
  const prod = readExample("envs/prod/web.yaml").replace("tag: v1", "tag: v2");
  const pr = repo.commit(
    {
      "envs/prod/web.yaml": prod,
      "charts/web/values.yaml": `${readExample("charts/web/values.yaml")}dbPassword: hunter2-rotated\n`,
    },
    "web: v2 and a new db password",
  );
  repo.setRef("refs/pull/12/head", pr);

  repo.switchTo("main");
  repo.branch("broken");
  repo.switchTo("broken");
  repo.commit({ "charts/web/templates/broken.yaml": "kind: ConfigMap\n{{ .Values.nope.deeper }\n" }, "broken template");
  repo.branch("broken-too");
  repo.switchTo("broken-too");
  repo.commit({ "charts/web/templates/broken.yaml": null, "charts/web/templates/values-typo.yaml": "kind: ConfigMap\nx: {{ required \"set typo\" .Values.typo }}\n" }, "another break");
  repo.switchTo("main");

  repo.branch("privileged");
  repo.switchTo("privileged");
  repo.commit({ "charts/web/templates/deployment.yaml": readExample("charts/web/templates/deployment.yaml").replace(/(\n\s+)containers:/, "$1hostPID: true$1containers:") }, "see the host's processes");
  repo.switchTo("main");

  repo.branch("more-apps");
  repo.switchTo("more-apps");
  repo.commit(
    {
      "apps/api.yaml": readExample("apps/worker.yaml").replace("name: worker", "name: api"),
      "apps/worker.yaml": null,
    },
    "add api, remove worker",
  );
  repo.switchTo("main");
});

function readExample(file: string): string {
  return readFileSync(join(EXAMPLE, file), "utf8");
}

afterAll(async () => {
  for (const d of dirs) await removeDir(d);
});

describe("capstan diff", () => {
  it("shows the change a pull request makes to the tracked branch, with rollout impact, and exits 1", async () => {
    const run = await diff("--repo", repo.path, "--all", "--revision", "pull/12/head");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("===== Application web: main (");
    expect(run.stdout).toContain("→ pull/12/head (");
    expect(run.stdout).toContain("Deployment web: 3 pods will be replaced (image capstan-demo/web:v1 → v2), rolling 1 at a time");
    expect(run.stdout).toContain("-          image: capstan-demo/web:v1\n+          image: capstan-demo/web:v2\n");
    expect(run.stdout).not.toContain("Application worker");
    expect(run.stdout).not.toContain("hunter2");
    expect(run.stdout).toMatch(/\+ {2}password: \(redacted hmac:[0-9a-f]{12}\)/);
  });

  it("exits 0 and says so when the revision renders the same as the base", async () => {
    const run = await diff("--repo", repo.path, "--all", "--revision", "main");
    expect(run).toEqual({ code: 0, stdout: "No differences.\n", stderr: "" });
  });

  it("prints a markdown pull-request comment and JSON with merge patches", async () => {
    const md = await diff("--repo", repo.path, "--app", "web", "--revision", "pull/12/head", "-o", "markdown");
    expect(md.code).toBe(1);
    expect(md.stdout).toMatch(/\| web \| `main \([0-9a-f]{7}\)` → `pull\/12\/head \([0-9a-f]{7}\)` \| 0 \| 2 \| 0 \|/);
    expect(md.stdout).toContain("<details><summary>Deployment demo/web (changed)</summary>");
    const json = await diff("--repo", repo.path, "--app", "web", "--revision", "pull/12/head", "-o", "json");
    const parsed = JSON.parse(json.stdout);
    const deployment = parsed.applications[0].changed.find((c: { key: string }) => c.key === "demo/Deployment/web");
    expect(deployment.mergePatch.spec.template.spec.containers[0].image).toBe("capstan-demo/web:v2");
    expect(json.stdout).not.toContain("hunter2");
  });

  it("compares against an explicit base and shows applications added and removed", async () => {
    const run = await diff("--repo", repo.path, "--all", "--base", "main", "--revision", "more-apps");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("===== Application api:");
    expect(run.stdout).toContain("Deployment api-worker: 2 pods will be created");
    expect(run.stdout).toContain("===== Application worker:");
    expect(run.stdout).toContain("Deployment worker: 2 pods will be deleted");
    expect(run.stdout).not.toContain("Application web:");
  });

  it("names the broken side and file, still rendering the other side, and exits 2", async () => {
    const run = await diff("--repo", repo.path, "--app", "web", "--revision", "broken");
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("error (revision): revision (broken): charts/web: templates do not parse");
    expect(run.stdout).toContain("charts/web/templates/broken.yaml");
    expect(run.stdout).not.toContain("error (base)");
    expect(run.stdout).toContain("base (main) rendered 4 objects");
  });

  it("shows a pull request what pod security will refuse at sync, on that side, and exits 2", async () => {
    const run = await diff("--repo", repo.path, "--app", "web", "--revision", "privileged", "-o", "markdown");
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('application web is outside its project "default"');
    expect(run.stdout).toContain('charts/web/templates/deployment.yaml: spec.template.spec.hostPID: Deployment web: violates PodSecurity "baseline:latest": host namespaces (hostPID=true)');
  });

  it("reports both sides when both fail to render", async () => {
    const run = await diff("--repo", repo.path, "--app", "web", "--base", "broken", "--revision", "broken-too");
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("error (base): base (broken): charts/web:");
    expect(run.stdout).toContain("error (revision): revision (broken-too): charts/web:");
    expect(run.stdout).toContain("charts/web/templates/values-typo.yaml");
  });

  it("suggests near names for an unknown application or revision and exits 2", async () => {
    const app = await diff("--repo", repo.path, "--app", "wbe", "--revision", "main");
    expect(app.code).toBe(2);
    expect(app.stderr).toContain('error: no application "wbe" (did you mean "web"?)');
    const rev = await diff("--repo", repo.path, "--all", "--revision", "release-v3");
    expect(rev.code).toBe(2);
    expect(rev.stderr).toContain("did you mean 'release-v2'?");
  });

  it("colours the diff on a terminal unless NO_COLOR is set", async () => {
    const tty = await diffWith({ isTTY: true }, "--app", "web", "--revision", "pull/12/head");
    expect(tty.stdout).toContain("\x1b[32m+          image: capstan-demo/web:v2\x1b[0m");
    const plain = await diffWith({ isTTY: true, env: { NO_COLOR: "1" } }, "--app", "web", "--revision", "pull/12/head");
    expect(plain.stdout).not.toContain("\x1b[");
    expect(plain.code).toBe(1);
  });

  it("runs through the CLI entry point with the global --state-dir", async () => {
    let stdout = "";
    const io: CliIO = { stdout: (s) => void (stdout += s), stderr: () => undefined, env: {}, cwd: repo.path, isTTY: false };
    const code = await main(["--state-dir", stateDir, "diff", "--app", "web", "--revision", "pull/12/head", "-o", "json"], io, [diffCommand]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).differences).toBe(true);
  });

  it("explains missing arguments", () => {
    expect(() => parseDiffArgs(["--all"])).toThrow("--revision is required");
    expect(() => parseDiffArgs(["--revision", "main"])).toThrow("name an application with --app NAME, or use --all");
    expect(() => parseDiffArgs(["--revision", "main", "--all", "--app", "x"])).toThrow("either --app NAME or --all");
    expect(parseDiffArgs(["--revision", "main", "--app", "a", "--app", "b", "-o", "markdown"])).toMatchObject({ apps: ["a", "b"], format: "markdown", repo: "." });
  });
});
