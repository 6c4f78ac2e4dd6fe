/** A small GitOps repository for daemon tests: one web application on capstan-demo/web, its own namespace and NodePort. */
import { createHmac, randomBytes } from "node:crypto";
import { execFileSync, spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo, type TestRepo } from "../../helpers/git.js";

export interface WebFixture {
  repo: TestRepo;
  app: string;
  namespace: string;
  nodePort: number;
  runLabel: Record<string, string>;
  /** Commits a new image tag (v1, v2, v3, broken); returns the SHA. */
  deploy(tag: string, message?: string): string;
  cleanup(): void;
}

const CHART = {
  "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
  "charts/web/templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  progressDeadlineSeconds: {{ .Values.deadline }}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: capstan-demo/web:{{ .Values.tag }}
          ports: [{name: http, containerPort: 8080}]
          readinessProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: 1
`,
  "charts/web/templates/service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector: {app: web}
  ports:
    - {name: http, port: 80, targetPort: http, nodePort: {{ .Values.nodePort }}}
`,
};

export function webFixture(prefix: string, options: { historyLimit?: number } = {}): WebFixture {
  const id = randomBytes(3).toString("hex");
  const app = `${prefix}-${id}`;
  const namespace = `${prefix}-${id}`;
  const nodePort = 30000 + Math.floor(Math.random() * 2700);
  const repo = makeRepo();
  const values = (tag: string) => `tag: ${tag}\nnodePort: ${nodePort}\ndeadline: 6\n`;
  repo.commit({
    ...CHART,
    "charts/web/values.yaml": values("v1"),
    [`apps/${app}.yaml`]: `apiVersion: capstan.dev/v1alpha1
kind: Application
metadata:
  name: ${app}
spec:
  source:
    path: charts/web
    targetRevision: main
  destination:
    namespace: ${namespace}
  syncPolicy:
    automated: {prune: true, selfHeal: true}
    autoRollback: true
    revisionHistoryLimit: ${options.historyLimit ?? 10}
`,
  }, "web v1");
  const runLabel = { "capstan-test": `daemon-${id}` };
  return {
    repo,
    app,
    namespace,
    nodePort,
    runLabel,
    deploy: (tag, message) => repo.commit({ "charts/web/values.yaml": values(tag) }, message ?? `web ${tag}`),
    cleanup() {
      const ids = execFileSync("docker", ["ps", "-aq", "--filter", `label=capstan-test=${runLabel["capstan-test"]}`], { encoding: "utf8" }).split("\n").filter(Boolean);
      if (ids.length > 0) execFileSync("docker", ["rm", "-f", ...ids], { stdio: "ignore" });
      for (const net of [`capstan-${namespace}`, `capstan-${namespace}-svc`]) {
        try {
          const nets = execFileSync("docker", ["network", "ls", "-q", "--filter", `name=^${net}$`], { encoding: "utf8" }).split("\n").filter(Boolean);
          if (nets.length > 0) execFileSync("docker", ["network", "rm", ...nets], { stdio: "ignore" });
        } catch {
          /* still in use by a container being removed: left for the engine's prune */
        }
      }
    },
  };
}

/** What `GET /` answers through the Service's NodePort proxy, or null when nothing serves yet. */
export async function served(port: number): Promise<string | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
    return res.ok ? (await res.text()).trim() : null;
  } catch {
    return null;
  }
}

export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number, stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last as T;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

export function githubSignature(secret: string, body: Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

const CLI_ENTRY = join(import.meta.dirname, "cli-entry.ts");

/** `capstan daemon` on the fixture's repository as its own process (no polling; the watch notices commits). */
export function spawnDaemon(fx: WebFixture, stateDir: string, stdio: StdioOptions = "ignore"): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", CLI_ENTRY, "--state-dir", stateDir, "daemon", "--repo", fx.repo.path, "--listen", "127.0.0.1:0", "--poll", "0 0 1 1 *"], {
    env: { ...process.env, CAPSTAN_DAEMON_LABELS: JSON.stringify(fx.runLabel) },
    stdio,
  });
}

/** The child daemon's API URL once it answers (its daemon.json names it), else null. */
export async function daemonAnswers(child: ChildProcess, stateDir: string): Promise<string | null> {
  const file = join(stateDir, "daemon.json");
  if (!existsSync(file)) return null;
  let info: { url: string; pid: number };
  try {
    info = JSON.parse(readFileSync(file, "utf8")) as { url: string; pid: number };
  } catch {
    return null; // an earlier run's file being replaced
  }
  if (info.pid !== child.pid) return null;
  const res = await fetch(`${info.url}/healthz`).catch(() => null);
  return res?.ok ? info.url : null;
}

/** Resolves with the child daemon's API URL once it answers. */
export function daemonReady(child: ChildProcess, stateDir: string): Promise<string> {
  return until("the daemon's API", () => daemonAnswers(child, stateDir), 30_000);
}

export const exited = (child: ChildProcess): Promise<void> =>
  new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", () => r())));

