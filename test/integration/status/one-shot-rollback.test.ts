import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { deleteCommand } from "../../../src/cli/commands/delete.js";
import { syncCommand } from "../../../src/cli/commands/sync.js";
import { DockerRuntime } from "../../../src/runtime/docker.js";
import { LABEL } from "../../../src/runtime/labels.js";
import { runCli } from "../../helpers/cli.js";
import { makeRepo, removeDir, tempDir } from "../../helpers/git.js";

const id = randomBytes(3).toString("hex");
const app = `osr${id}`;
const stateDir = tempDir("capstan-oneshot-");
const repo = makeRepo();
const rt = new DockerRuntime({ node: "local" });

const files = (tag: string): Record<string, string> => ({
  "apps/app.yaml": `apiVersion: capstan.dev/v1alpha1
kind: Application
metadata:
  name: ${app}
spec:
  source:
    path: charts/web
    values:
      tag: ${tag}
  destination:
    namespace: ${app}
  syncPolicy:
    autoRollback: true
`,
  "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
  "charts/web/templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  progressDeadlineSeconds: 4
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: {{ .Values.tag }}
          ports: [{name: http, containerPort: 8080}]
          readinessProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: 1
`,
});

const cli = (...argv: string[]) => runCli(["--state-dir", stateDir, ...argv], { commands: [syncCommand, deleteCommand], env: { HOME: stateDir } });
const images = async () => (await rt.list({ [LABEL.application]: app })).filter((c) => c.status === "running").map((c) => c.image).sort();

afterAll(async () => {
  await cli("delete", "--app", app);
  for (const c of await rt.list({ [LABEL.application]: app })) await rt.remove(c.id, { force: true });
  await removeDir(stateDir);
  await removeDir(repo.path);
});

describe("one-shot capstan sync after an automatic rollback", () => {
  it("syncs the last good commit again with --revision once a broken commit was rolled back", async () => {
    const good = repo.commit(files("capstan-demo/web:v1"), "v1");
    expect((await cli("sync", "--repo", repo.path, "--app", app, "--wait", "--timeout", "60s")).code).toBe(0);
    repo.commit(files("capstan-demo/web:nope"), "broken");
    const broken = await cli("sync", "--repo", repo.path, "--app", app, "--wait", "--timeout", "60s");
    expect(broken.code).toBe(1);
    expect(await images()).toEqual(["capstan-demo/web:v1"]);
    const again = await cli("sync", "--repo", repo.path, "--app", app, "--revision", good.slice(0, 7), "--wait", "--timeout", "60s");
    expect(again.stderr).not.toContain("error");
    expect(again.stdout).toContain(`${app}: Healthy at`);
    expect(again.code).toBe(0);
    expect(await images()).toEqual(["capstan-demo/web:v1"]);
  }, 150_000);
});
