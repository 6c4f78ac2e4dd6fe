/** A GitOps repository for status tests: web applications of three replicas, each in its own namespace with a NodePort. */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { startDaemon, type RunningDaemon } from "../../../src/daemon/index.js";
import type { AppDetail, HistoryEntry } from "../../../src/server/index.js";
import { makeRepo, removeDir, tempDir, type TestRepo } from "../../helpers/git.js";

import { until as untilTruthy } from "../daemon/fixture.js";

export { served } from "../daemon/fixture.js";

/** Polls `probe` until it answers truthy; a probe that throws (an application not read yet) counts as not yet. */
export function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number, stepMs = 100): Promise<T> {
  return untilTruthy(what, () => probe().catch((err: unknown) => ({ error: (err as Error).message }) as unknown as null).then((v) => (v && typeof v === "object" && "error" in v ? null : v)), timeoutMs, stepMs);
}

export interface WebValues {
  tag?: string;
  replicas?: number;
  /** The pods' memory limit. */
  memory?: string;
  deadline?: number;
  minReady?: number;
  paused?: boolean;
  /** Render the `settings` ConfigMap. */
  settings?: boolean;
}

export interface AppOptions {
  selfHeal?: boolean;
  prune?: boolean;
  historyLimit?: number;
  /** Leave `syncPolicy.automated` out: deployed only when asked. */
  manual?: boolean;
  /** Indexes of the applications this one depends on. */
  dependsOn?: number[];
  /** Carry `resources-finalizer.capstan.dev`. */
  finalizer?: boolean;
  /** Leave `targetRevision` out (the default branch). */
  noTargetRevision?: boolean;
  /** Initial values. */
  values?: WebValues;
}

const CHART = {
  "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
  "charts/web/templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {{ .Values.replicas }}
  paused: {{ .Values.paused }}
  minReadySeconds: {{ .Values.minReady }}
  progressDeadlineSeconds: {{ .Values.deadline }}
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
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
          resources:
            limits: {memory: {{ .Values.memory }}}
          readinessProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: 1
            timeoutSeconds: 1
`,
  "charts/web/templates/settings.yaml": `{{- if .Values.settings }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  greeting: hello
{{- end }}
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

export interface StatusApp {
  name: string;
  namespace: string;
  nodePort: number;
  /** Commits new values for this application; returns the SHA. */
  set(values: WebValues, message?: string): string;
}

export interface StatusFixture {
  repo: TestRepo;
  stateDir: string;
  apps: StatusApp[];
  label: Record<string, string>;
  daemon?: RunningDaemon;
  start(): Promise<RunningDaemon>;
  stop(): Promise<void>;
  detail(app: StatusApp): Promise<AppDetail>;
  history(app: StatusApp): Promise<HistoryEntry[]>;
  /** Running containers of the application, by id, with their image. */
  containers(app: StatusApp): { id: string; name: string; image: string }[];
  cleanup(): Promise<void>;
}

const NO_POLL = "0 0 1 1 *";

function valuesText(v: Required<WebValues>, nodePort: number): string {
  return `tag: ${v.tag}\nreplicas: ${v.replicas}\nmemory: ${v.memory}\ndeadline: ${v.deadline}\nminReady: ${v.minReady}\npaused: ${v.paused}\nsettings: ${v.settings}\nnodePort: ${nodePort}\n`;
}

/** One repository holding `count` web applications (selfHeal and prune as asked), committed once. */
export function statusFixture(prefix: string, specs: AppOptions[]): StatusFixture {
  const id = randomBytes(3).toString("hex");
  const repo = makeRepo();
  const stateDir = tempDir("capstan-status-");
  const label = { "capstan-test": `status-${id}` };
  const files: Record<string, string> = { ...CHART, "README.md": "status fixture\n" };
  const current = new Map<string, Required<WebValues>>();
  const apps: StatusApp[] = specs.map((o, i) => {
    const name = `${prefix}${i}-${id}`;
    const nodePort = 30000 + Math.floor(Math.random() * 2700);
    const values: Required<WebValues> = { tag: "v1", replicas: 3, memory: "96Mi", deadline: 30, minReady: 0, paused: false, settings: true, ...o.values };
    current.set(name, values);
    files[`values/${name}.yaml`] = valuesText(values, nodePort);
    const deps = (o.dependsOn ?? []).map((d) => `${prefix}${d}-${id}`);
    files[`apps/${name}.yaml`] = `apiVersion: capstan.dev/v1alpha1
kind: Application
metadata:
  name: ${name}
${o.finalizer ? "  finalizers: [resources-finalizer.capstan.dev]\n" : ""}spec:
  source:
    path: charts/web
${o.noTargetRevision ? "" : "    targetRevision: main\n"}    valueFiles: [values/${name}.yaml]
  destination:
    namespace: ${name}
  syncPolicy:
${o.manual ? "" : `    automated: {prune: ${o.prune ?? true}, selfHeal: ${o.selfHeal ?? true}}\n`}    autoRollback: true
    revisionHistoryLimit: ${o.historyLimit ?? 10}
${deps.length > 0 ? `  dependsOn: [${deps.join(", ")}]\n` : ""}`;
    return {
      name,
      namespace: name,
      nodePort,
      set(v, message) {
        const next = { ...(current.get(name) as Required<WebValues>), ...v };
        current.set(name, next);
        return repo.commit({ [`values/${name}.yaml`]: valuesText(next, nodePort) }, message ?? `${name}: ${JSON.stringify(v)}`);
      },
    };
  });
  repo.commit(files, "initial applications");
  const fx: StatusFixture = {
    repo,
    stateDir,
    apps,
    label,
    async start() {
      fx.daemon = await startDaemon({ stateDir, repo: repo.path, port: 0, poll: NO_POLL, labels: label, syncTimeoutMs: 120_000 });
      return fx.daemon;
    },
    async stop() {
      await fx.daemon?.stop();
      fx.daemon = undefined;
    },
    detail: (app) => (fx.daemon as RunningDaemon).daemon.view.getApp(app.name),
    history: (app) => (fx.daemon as RunningDaemon).daemon.view.history(app.name, 100),
    containers(app) {
      const out = execFileSync("docker", ["ps", "--filter", `label=capstan-test=${label["capstan-test"]}`, "--filter", `label=capstan.dev/application=${app.name}`, "--format", "{{.ID}} {{.Names}} {{.Image}}"], { encoding: "utf8" });
      return out
        .split("\n")
        .filter(Boolean)
        .map((l) => {
          const [cid = "", cname = "", image = ""] = l.split(" ");
          return { id: cid, name: cname, image };
        })
        .sort((a, b) => (a.id < b.id ? -1 : 1));
    },
    async cleanup() {
      await fx.stop().catch(() => undefined);
      const ids = execFileSync("docker", ["ps", "-aq", "--filter", `label=capstan-test=${label["capstan-test"]}`], { encoding: "utf8" }).split("\n").filter(Boolean);
      if (ids.length > 0) execFileSync("docker", ["rm", "-f", ...ids], { stdio: "ignore" });
      for (const app of apps) {
        try {
          const nets = execFileSync("docker", ["network", "ls", "-q", "--filter", `name=^capstan-${app.namespace}`], { encoding: "utf8" }).split("\n").filter(Boolean);
          if (nets.length > 0) execFileSync("docker", ["network", "rm", ...nets], { stdio: "ignore" });
        } catch {
          /* still in use by a container being removed */
        }
      }
      await removeDir(stateDir);
      await removeDir(repo.path);
    },
  };
  return fx;
}
