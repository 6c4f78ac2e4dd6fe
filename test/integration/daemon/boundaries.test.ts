/**
 * What one application's commit can do to another, and to the host, on the real engine: objects
 * stay in the Application's namespace, an object has one owner, and host access comes only from
 * the operator's project in the config file.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/index.js";
import { startDaemon, type RunningDaemon } from "../../../src/daemon/index.js";
import type { HistoryEntry } from "../../../src/server/view.js";
import { makeRepo, removeDir, tempDir, type TestRepo } from "../../helpers/git.js";
import { served, until } from "./fixture.js";

const id = randomBytes(3).toString("hex");
const ns = `bnd-${id}`;
const runLabel = { "capstan-test": `boundaries-${id}` };
const nodePort = 30000 + Math.floor(Math.random() * 2700);

const app = (name: string, chart: string, namespace: string, extra = "") => `apiVersion: capstan.dev/v1alpha1
kind: Application
metadata:
  name: ${name}
spec:
${extra}  source: {path: charts/${chart}}
  destination: {namespace: ${namespace}}
  syncPolicy:
    automated: {prune: true}
`;

const deployment = (name: string, tag: string, extra: { namespace?: string; volumes?: string; mounts?: string } = {}) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${extra.namespace ? `  namespace: ${extra.namespace}\n` : ""}spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: capstan-demo/web:${tag}
          ports: [{name: http, containerPort: 8080}]
          readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
${extra.mounts ?? ""}${extra.volumes ?? ""}`;

const chart = (name: string, templates: Record<string, string>) => ({
  [`charts/${name}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`,
  ...Object.fromEntries(Object.entries(templates).map(([file, text]) => [`charts/${name}/templates/${file}`, text])),
});

describe("boundaries between applications and the host", () => {
  let repo: TestRepo;
  let stateDir: string;
  let hostDir: string;
  let d: RunningDaemon;

  const history = (name: string): Promise<HistoryEntry[]> => d.daemon.view.history(name, 10);
  // The application exists once the daemon has read the commit declaring it.
  const settled = (name: string) => until(`${name} to finish a revision`, async () => ((await history(name).catch(() => [])).find((r) => r.phase !== "Running") ?? null), 60_000, 200);
  const containersOf = (name: string) =>
    execFileSync("docker", ["ps", "-aq", "--filter", `label=capstan.dev/application=${name}`, "--filter", `label=capstan-test=${runLabel["capstan-test"]}`], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);

  beforeAll(async () => {
    repo = makeRepo();
    stateDir = tempDir("capstan-boundaries-");
    hostDir = tempDir("capstan-hostdata-");
    mkdirSync(join(hostDir, "web"), { recursive: true });
    writeFileSync(join(hostDir, "web", "greeting"), "from the host\n");
    const hostMount = {
      mounts: "          volumeMounts: [{name: data, mountPath: /data, readOnly: true}]\n",
      volumes: `      volumes: [{name: data, hostPath: {path: ${hostDir}/web}}]\n`,
    };
    repo.commit(
      {
        ...chart("owner", {
          "deployment.yaml": deployment("web", "v1"),
          "service.yaml": `apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports: [{port: 8080, targetPort: http, nodePort: ${nodePort}}]\n`,
          "configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {owner: a}\n",
        }),
        ...chart("hostpath", { "deployment.yaml": deployment("reader", "v1", hostMount) }),
        [`apps/owner.yaml`]: app("owner", "owner", ns, "  project: shop\n"),
        // The annotation that used to grant host access from Git grants nothing now.
        [`apps/hostpath.yaml`]: app("hostpath", "hostpath", `${ns}-h`).replace("metadata:\n  name: hostpath\n", 'metadata:\n  name: hostpath\n  annotations: {capstan.dev/allow: "hostPath"}\n'),
        [`apps/granted.yaml`]: app("granted", "hostpath", `${ns}-g`, "  project: storage\n"),
      },
      "three applications",
    );
    const config = parseConfig(
      `projects:
  - name: shop
    sourceRepos: [${repo.path}]
    destinations: [{namespace: ${ns}}]
  - name: storage
    sourceRepos: [${repo.path}]
    podSecurity:
      exceptions:
        hostPaths: [${hostDir}]
`,
      "capstan.yaml",
    );
    d = await startDaemon({ stateDir, repo: repo.path, port: 0, poll: "0 0 1 1 *", labels: runLabel, config });
    await until("the owner serving", async () => (await served(nodePort)) === "web v1", 60_000);
    // Once the owner runs, three applications reach for what is its.
    repo.commit(
      {
        // Puts its v2 pods in the owner's namespace with the owner's Service labels.
        ...chart("intruder", { "deployment.yaml": deployment("impostor", "v2", { namespace: ns }) }),
        ...chart("copycat", { "configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {owner: b}\n" }),
        [`apps/intruder.yaml`]: app("intruder", "intruder", `${ns}-x`),
        // Names the owner's namespace as its own destination.
        [`apps/squatter.yaml`]: app("squatter", "intruder", ns),
        // In the owner's project, so it shares the namespace, but not the owner's objects.
        [`apps/copycat.yaml`]: app("copycat", "copycat", ns, "  project: shop\n"),
      },
      "three applications reaching into the owner's namespace",
    );
  }, 90_000);

  afterAll(async () => {
    await d?.stop();
    const ids = execFileSync("docker", ["ps", "-aq", "--filter", `label=capstan-test=${runLabel["capstan-test"]}`], { encoding: "utf8" }).split("\n").filter(Boolean);
    if (ids.length > 0) execFileSync("docker", ["rm", "-f", ...ids], { stdio: "ignore" });
    for (const n of [ns, `${ns}-x`, `${ns}-h`, `${ns}-g`]) for (const net of [`capstan-${n}`, `capstan-${n}-svc`]) execFileSync("sh", ["-c", `docker network rm ${net} >/dev/null 2>&1 || true`]);
    if (stateDir) await removeDir(stateDir);
    if (hostDir) await removeDir(hostDir);
  }, 30_000);

  it("refuses objects in another application's namespace, so they never become its endpoints", async () => {
    const row = await settled("intruder");
    expect(row.phase).toBe("Failed");
    expect(row.reason).toContain(`ProjectDenied: charts/intruder/templates/deployment.yaml: metadata.namespace: Deployment impostor: namespace ${ns} is outside what application intruder may deploy to`);
    expect(containersOf("intruder")).toEqual([]);
    for (let i = 0; i < 10; i++) expect(await served(nodePort)).toBe("web v1");
  });

  it("refuses an Application that names another's namespace as its destination", async () => {
    const row = await settled("squatter");
    expect(row.phase).toBe("Failed");
    expect(row.reason).toContain(`ProjectDenied: apps/squatter.yaml:1: spec.destination.namespace: namespace ${ns} belongs to project shop (its destinations); application squatter of project "default" cannot deploy there`);
    expect(containersOf("squatter")).toEqual([]);
    for (let i = 0; i < 10; i++) expect(await served(nodePort)).toBe("web v1");
  });

  it("refuses an object another application of the same project declares, naming both owners", async () => {
    const row = await settled("copycat");
    expect(row.phase).toBe("Failed");
    expect(row.reason).toContain(`SharedResource: charts/copycat/templates/configmap.yaml: metadata.name: ConfigMap ${ns}/settings is already declared by application owner; application copycat cannot declare it too`);
  });

  it("refuses a hostPath asked for from Git, and mounts it where the operator's project grants it", async () => {
    const refused = await settled("hostpath");
    expect(refused.phase).toBe("Failed");
    expect(refused.reason).toMatch(/ProjectDenied: .*spec\.template\.spec\.volumes\[0\]\.hostPath.*baseline/);
    expect(containersOf("hostpath")).toEqual([]);
    const granted = await settled("granted");
    expect(granted).toMatchObject({ phase: "Succeeded" });
    const [container] = containersOf("granted");
    expect(execFileSync("docker", ["exec", container ?? "", "cat", "/data/greeting"], { encoding: "utf8" })).toBe("from the host\n");
  });
});
