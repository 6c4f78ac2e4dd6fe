import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { deleteCommand } from "../../../src/cli/commands/delete.js";
import { planCommand } from "../../../src/cli/commands/plan.js";
import { syncCommand } from "../../../src/cli/commands/sync.js";
import { DockerRuntime } from "../../../src/runtime/docker.js";
import { LABEL } from "../../../src/runtime/labels.js";
import { runCli } from "../../helpers/cli.js";
import { makeRepo, removeDir, tempDir } from "../../helpers/git.js";

const id = randomBytes(3).toString("hex");
const app = `cli${id}`;
const stateDir = tempDir("capstan-cli-sync-");
const repo = makeRepo();
const rt = new DockerRuntime({ node: "local" });
const commands = [planCommand, syncCommand, deleteCommand];

const files = (tag: string, replicas = 2): Record<string, string> => ({
  "apps/app.yaml": `apiVersion: capstan.dev/v1alpha1
kind: Application
metadata:
  name: ${app}
spec:
  source:
    path: charts/web
    values:
      tag: ${tag}
      replicas: ${replicas}
  destination:
    namespace: ${app}
`,
  "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
  "charts/web/templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {{ .Values.replicas }}
  progressDeadlineSeconds: 4
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: web
          image: capstan-demo/web:{{ .Values.tag }}
          ports: [{name: http, containerPort: 8080}]
          readinessProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: 1
`,
});

const cli = (...argv: string[]) => runCli(["--state-dir", stateDir, ...argv], { commands, env: { HOME: stateDir } });
const images = async () => (await rt.list({ [LABEL.application]: app })).map((c) => c.image).sort();

afterAll(async () => {
  await cli("delete", "--app", app);
  for (const c of await rt.list({ [LABEL.application]: app })) await rt.remove(c.id, { force: true });
  await removeDir(stateDir);
  await removeDir(repo.path);
});

describe("capstan plan, sync and delete on the real engine", () => {
  it("plan shows the pods to create (exit 1), sync --wait exits 0 once healthy, and plan then finds no change (exit 0)", async () => {
    repo.commit(files("v1"));
    const plan = await cli("plan", "--repo", repo.path, "--app", app);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain("Rollout preview");
    expect(plan.stdout).toMatch(/start web-[a-z0-9]{10}-[a-z0-9]{5}, web-/);

    const sync = await cli("sync", "--repo", repo.path, "--app", app, "--wait", "--timeout", "60s");
    expect(sync.stderr).not.toContain("error");
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain(`${app}: Healthy at`);
    expect(await images()).toEqual(["capstan-demo/web:v1", "capstan-demo/web:v1"]);

    const again = await cli("plan", "--repo", repo.path, "--app", app);
    expect(again.stdout).toContain("No changes");
    expect(again.code).toBe(0);
  });

  it("plan previews a v2 rollout in batches; sync --wait of a never-ready image exits 1 with the reason and v1 is back", async () => {
    repo.commit(files("v2"));
    const plan = await cli("plan", "--repo", repo.path, "--app", app, "-o", "json");
    expect(plan.code).toBe(1);
    const report = JSON.parse(plan.stdout) as { rollouts: { batches: { create: string[]; delete: string[] }[] }[] };
    const batches = report.rollouts[0]?.batches ?? [];
    expect(batches.flatMap((b) => b.create)).toHaveLength(2);
    expect(batches.flatMap((b) => b.delete)).toHaveLength(2);
    expect(batches.every((b) => b.create.length <= 1)).toBe(true);

    repo.commit(files("broken"));
    const sync = await cli("sync", "--repo", repo.path, "--app", app, "--wait", "--timeout", "60s");
    expect(sync.code).toBe(1);
    expect(sync.stdout).toContain("Failed at");
    expect(sync.stdout).toContain("ProgressDeadlineExceeded");
    expect(sync.stdout).toContain("rolled back to");
    expect(await images()).toEqual(["capstan-demo/web:v1", "capstan-demo/web:v1"]);
  });

  it("delete removes every container and the namespace network", async () => {
    const del = await cli("delete", "--app", app);
    expect(del.code).toBe(0);
    expect(del.stdout).toContain("network capstan-" + app + " removed");
    expect(await rt.list({ [LABEL.application]: app })).toEqual([]);
    expect((await rt.listNetworks()).map((n) => n.name)).not.toContain(`capstan-${app}`);
  });
});
