import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/index.js";
import { startDaemon, type RunningDaemon } from "../../../src/daemon/index.js";
import { makeRepo, removeDir, tempDir } from "../../helpers/git.js";
import { served, until } from "./fixture.js";

/**
 * The daemon scheduling an application over three real engines (this machine's and node-4/node-5
 * from scripts/nodes.sh) from a --config file's nodes, and replacing the pods of an engine that dies.
 */
const root = join(import.meta.dirname, "../../..");
const sock = (n: number) => `unix:///run/capstan-nodes/node-${n}/docker.sock`;

describe("the daemon over several Docker engines", () => {
  const stateDir = tempDir("capstan-daemon-");
  const repo = makeRepo();
  const id = Math.random().toString(16).slice(2, 8);
  const app = `dnodes-${id}`;
  const nodePort = 30000 + Math.floor(Math.random() * 2700);
  const labels = { "capstan-test": `daemon-nodes-${id}` };
  let d: RunningDaemon | undefined;

  afterAll(async () => {
    execFileSync("bash", [join(root, "scripts/nodes.sh"), "up", "5"], { stdio: "ignore" }); // a stopped engine back for later files
    await d?.stop();
    for (const host of [undefined, sock(4), sock(5)]) {
      const env = { ...process.env, ...(host ? { DOCKER_HOST: host } : {}) };
      const ids = execFileSync("docker", ["ps", "-aq", "--filter", `label=capstan-test=${labels["capstan-test"]}`], { encoding: "utf8", env }).split("\n").filter(Boolean);
      if (ids.length > 0) execFileSync("docker", ["rm", "-f", ...ids], { stdio: "ignore", env });
      // The namespace's networks too: an engine has room for only a few dozen.
      const nets = execFileSync("docker", ["network", "ls", "-q", "--filter", `name=^capstan-${app}`], { encoding: "utf8", env }).split("\n").filter(Boolean);
      if (nets.length > 0) execFileSync("docker", ["network", "rm", ...nets], { stdio: "ignore", env });
    }
    await removeDir(stateDir);
    await removeDir(repo.path);
  }, 60_000);

  it("spreads required anti-affinity replicas one per node, serves them through the NodePort, and replaces a dead engine's pod on another node", async () => {
    execFileSync("bash", [join(root, "scripts/nodes.sh"), "up", "5"], { stdio: "ignore" });
    repo.commit(
      {
        "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
        "charts/web/values.yaml": "replicas: 2\n",
        "charts/web/templates/all.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector: {matchLabels: {app: web}}
              topologyKey: kubernetes.io/hostname
      containers:
        - name: web
          image: capstan-demo/web:v1
          ports: [{name: http, containerPort: 8080}]
          readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 8080, targetPort: http, nodePort: ${nodePort}}]
`,
        [`apps/${app}.yaml`]: `apiVersion: capstan.dev/v1alpha1
kind: Application
metadata: {name: ${app}}
spec:
  source: {path: charts/web, targetRevision: main}
  destination: {namespace: ${app}}
  syncPolicy: {automated: {prune: true, selfHeal: true}}
`,
      },
      "two replicas",
    );
    const config = parseConfig(`nodes:\n  - name: local\n  - name: node-4\n    address: ${sock(4)}\n  - name: node-5\n    address: ${sock(5)}\n`, "capstan.yaml");
    d = await startDaemon({ stateDir, repo: repo.path, port: 0, poll: "0 0 1 1 *", labels, config, nodeHealth: { periodMs: 500, gracePeriodMs: 2_000, evictionTimeoutMs: 3_000 } });
    const running = d;
    const ready = () => running.daemon.pods.list({ app }).filter((p) => p.ready && !p.terminating);
    const first = await until("two ready replicas", async () => (ready().length === 2 ? ready() : null), 60_000);
    expect(new Set(first.map((p) => p.node)).size).toBe(2);
    // The proxy follows readiness a moment after the pod layer reports it.
    expect(await until("web v1 served through the NodePort", async () => (await served(nodePort)) === "web v1", 10_000)).toBe(true);

    // The engine of a node holding a replica dies: after the grace period and eviction timeout its
    // pod is given up and a replacement runs on the node that had none.
    const lost = first.find((p) => p.node !== "local") ?? first[0];
    const dead = lost?.node ?? "";
    const free = ["local", "node-4", "node-5"].find((n) => !first.some((p) => p.node === n));
    execFileSync("bash", [join(root, "scripts/nodes.sh"), "stop", dead], { stdio: "ignore" });
    const started = Date.now();
    const moved = await until("the lost replica replaced on the free node", async () => {
      const r = ready();
      return r.length === 2 && !r.some((p) => p.node === dead) && r.some((p) => p.node === free) ? r : null;
    }, 30_000, 200);
    const failoverMs = Date.now() - started;
    expect(failoverMs).toBeLessThan(30_000);
    expect(moved.some((p) => p.name === lost?.name && p.node === dead)).toBe(false);
    // The proxy follows readiness a moment after the pod layer reports it.
    expect(await until("web v1 served through the NodePort", async () => (await served(nodePort)) === "web v1", 10_000)).toBe(true);

    // The engine comes back; four replicas want four nodes: three run, one per node, and the
    // fourth stays Pending in the scheduler's words.
    execFileSync("bash", [join(root, "scripts/nodes.sh"), "up", "5"], { stdio: "ignore" });
    await until(`${dead} Ready again`, async () => running.daemon.nodeHealth.isReady(dead), 30_000);
    repo.commit({ "charts/web/values.yaml": "replicas: 4\n" }, "four replicas");
    const three = await until("three ready replicas", async () => (ready().length === 3 ? ready() : null), 60_000);
    expect(new Set(three.map((p) => p.node))).toEqual(new Set(["local", "node-4", "node-5"]));
    const pending = await until("a Pending fourth replica", async () => running.daemon.pods.list({ app }).find((p) => p.phase === "Pending" && p.reason === "Unschedulable") ?? null, 30_000);
    expect(pending.message).toMatch(/^0\/3 nodes are available: 3 node\(s\) didn't match pod anti-affinity rules/);
    // Stopping while that sync still waits for health does not wait it out.
    const stopping = Date.now();
    await running.stop();
    d = undefined;
    expect(Date.now() - stopping).toBeLessThan(10_000);
  }, 240_000);
});
