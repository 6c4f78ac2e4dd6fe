import { parseArgs } from "node:util";
import { applicationsError, loadApplications, renderApplication } from "../../application/index.js";
import type { Application } from "../../application/index.js";
import { configuredNodes, loadConfig } from "../../config/index.js";
import type { CapstanConfig } from "../../config/index.js";
import { FileDesiredStore, planHasChanges, readLiveObjects, planSync } from "../../controllers/apply/index.js";
import type { DesiredStore, SyncTask } from "../../controllers/apply/index.js";
import { previewRollout } from "../../controllers/workloads/preview.js";
import type { PreviewPlacer, RolloutBatch } from "../../controllers/workloads/preview.js";
import { livePodFromContainer } from "../../controllers/pods/live.js";
import type { PlacementPod } from "../../controllers/pods/types.js";
import { NodeRegistry, createPlacer } from "../../nodes/index.js";
import { Scheduler, isUnschedulable, podToSchedule } from "../../scheduler/index.js";
import type { ClusterSnapshot, PodToSchedule } from "../../scheduler/index.js";
import type { PodTemplate } from "../../manifest/index.js";
import { diffObjects, printReport } from "../../diff/index.js";
import type { DiffFormat, DiffObject, DiffReport } from "../../diff/index.js";
import { CapstanError, formatProblem } from "../../errors.js";
import type { Deployment, ManifestObject } from "../../manifest/index.js";
import { DockerRuntime } from "../../runtime/docker.js";
import { LABEL, MANAGED_BY_VALUE } from "../../runtime/labels.js";
import type { ContainerRuntime } from "../../runtime/types.js";
import { createGitSource, gitSourceOptions, nearNames, parseRepoURL } from "../../source/index.js";
import type { GitSource, ResolvedRevision } from "../../source/index.js";
import { DEFAULT_POD_SECURITY, projectOf, projectProblems, type PodSecurityPolicy } from "../../security/index.js";
import { installationLabels } from "../../state/index.js";
import { colorEnabled, paint, parseOutputFormat } from "../printers.js";
import type { CliIO, Command, GlobalOptions } from "../types.js";
import { daemonApi, findDaemon } from "../client.js";
import type { AppDetail, DriftView } from "../../server/index.js";

/** An Application at one revision, rendered: what a sync would apply. */
export interface ResolvedApplication {
  app: Application;
  revision: ResolvedRevision;
  objects: ManifestObject[];
  /** The pod security of the Application's project, which the applier enforces. */
  podSecurity: PodSecurityPolicy;
}

export interface ResolveApplicationOptions {
  repo: string;
  app: string;
  /** Branch, tag or SHA; default: the Application's targetRevision. */
  revision?: string;
  appsPath?: string;
  source: GitSource;
  /** The config file: the Application's project bounds what it may do. */
  config?: CapstanConfig;
}

/** Loads the named Application from the repository at the revision and renders its chart. */
export async function resolveApplication(options: ResolveApplicationOptions): Promise<ResolvedApplication> {
  const { source, repo } = options;
  await source.fetch(repo);
  const appsPath = options.appsPath ?? "apps";
  let resolved = await source.resolve(repo, options.revision ?? "HEAD", { fetch: "if-missing" });
  let tree = await source.checkout(repo, resolved.sha);
  let loaded = await loadApplications(tree, { appsPath });
  if (!loaded.ok) throw applicationsError(loaded.errors);
  let app = loaded.value.find((a) => a.metadata.name === options.app);
  if (app && options.revision === undefined && app.spec.source.targetRevision !== "HEAD") {
    // Without --revision, sync what the Application tracks.
    resolved = await source.resolve(repo, app.spec.source.targetRevision, { fetch: "if-missing" });
    tree = await source.checkout(repo, resolved.sha);
    loaded = await loadApplications(tree, { appsPath });
    if (!loaded.ok) throw applicationsError(loaded.errors);
    app = loaded.value.find((a) => a.metadata.name === options.app);
  }
  if (!app) {
    const known = loaded.value.map((a) => a.metadata.name);
    const near = nearNames(options.app, new Set(known));
    throw new CapstanError(
      "APPLICATION_NOT_FOUND",
      `no application "${options.app}" in ${appsPath}/ at ${resolved.ref} (${resolved.sha.slice(0, 7)})${near.length > 0 ? `; did you mean ${near.map((n) => `"${n}"`).join(", ")}?` : ""} (known: ${known.join(", ") || "none"})`,
    );
  }
  let root = tree;
  if (app.spec.source.repoURL !== "") {
    const chartRev = await source.resolve(app.spec.source.repoURL, app.spec.source.targetRevision, { fetch: "if-missing" });
    root = await source.checkout(app.spec.source.repoURL, chartRev.sha);
  }
  const rendered = await renderApplication(root, app);
  const objects = rendered.objects.map((o) => o.object as unknown as ManifestObject);
  // What the daemon would refuse is refused here too, so a one-shot sync or plan says so first.
  const denied = projectProblems(
    app,
    repo,
    options.config,
    rendered.objects.map((o) => ({ object: o.object as unknown as ManifestObject, ...(o.file ? { file: o.file } : {}) })),
  );
  if (denied.length > 0) throw new CapstanError("PROJECT_DENIED", `application ${app.metadata.name} is outside its project "${app.spec.project}"`, { problems: denied });
  const project = projectOf(app, options.config);
  return { app, revision: resolved, objects, podSecurity: project.ok ? project.value.podSecurity : DEFAULT_POD_SECURITY };
}

export interface RolloutPreview {
  deployment: string;
  namespace: string;
  from: string[];
  to: string;
  replicas: number;
  strategy: string;
  batches: RolloutBatch[];
}

export interface PlanReport {
  app: string;
  revision: { ref: string; sha: string };
  diff: DiffReport;
  tasks: SyncTask[];
  rollouts: RolloutPreview[];
  changes: boolean;
  /** The nodes new pods were placed over (batches then say each new pod's node). */
  nodes?: string[];
  /** What runs differently from the pod templates, as the running daemon found it (absent without a daemon). */
  drift?: DriftView[];
}

export interface PlanApplicationOptions {
  resolved: ResolvedApplication;
  runtime: ContainerRuntime;
  store: DesiredStore;
  repo: string;
  /** Prune what Git dropped even when the Application does not say so. */
  prune?: boolean;
  /** Only containers carrying these labels too (tests mark their run). */
  labels?: Record<string, string>;
  /**
   * The nodes new pods may go to, to show where each would be placed: one node name (every pod
   * goes there), or the scheduler's view of several nodes and the pods on them (`planNodes`).
   */
  nodes?: { single: string } | { snapshot: ClusterSnapshot };
}

/**
 * Places the preview's new pods with the scheduler over one snapshot shared by every rollout of
 * the plan, so a pod placed for one Deployment takes its room from the next.
 */
export function previewPlacers(nodes: NonNullable<PlanApplicationOptions["nodes"]>): (namespace: string, template: PodTemplate) => PreviewPlacer {
  if ("single" in nodes) return () => ({ place: () => nodes.single, remove: () => {} });
  const scheduler = new Scheduler(nodes.snapshot);
  const placed = new Map<string, { pod: PodToSchedule; node: string }>();
  for (const p of nodes.snapshot.pods) placed.set(`${p.namespace}/${p.name ?? ""}`, { pod: p, node: p.node });
  return (namespace, template) => {
    const base = podToSchedule({ namespace, labels: template.metadata?.labels ?? {}, spec: template.spec });
    return {
      place(name) {
        const pod = { ...base, name };
        const r = scheduler.schedule(pod);
        if (isUnschedulable(r)) return `Pending: ${r.reason}`;
        scheduler.assume(pod, r.node);
        placed.set(`${namespace}/${name}`, { pod, node: r.node });
        return r.node;
      },
      remove(name) {
        const p = placed.get(`${namespace}/${name}`);
        if (!p) return;
        scheduler.cache.forget(p.pod, p.node);
        placed.delete(`${namespace}/${name}`);
      },
    };
  };
}

/**
 * The configured nodes as `planApplication` takes them: one node by name; several as a snapshot
 * of their capacity, labels, taints, cordons and readiness (a ping each) and of the pods Capstan
 * runs on them.
 */
export async function planNodes(config: CapstanConfig, stateDir: string, labels: Record<string, string> = {}): Promise<PlanApplicationOptions["nodes"]> {
  const configs = configuredNodes(config);
  if (configs.length === 1) return { single: configs[0]!.name };
  const registry = await NodeRegistry.open({ nodes: configs, stateDir });
  const placer = createPlacer({ registry });
  const pods: PlacementPod[] = [];
  for (const name of registry.names()) {
    const containers = await registry
      .runtime(name)
      .list({ ...labels, [LABEL.managedBy]: MANAGED_BY_VALUE })
      .catch(() => []);
    for (const c of containers) {
      const live = livePodFromContainer(name, c);
      if (!live) continue;
      pods.push({ namespace: live.namespace, name: live.name, node: name, labels: live.podLabels, ...(live.template ? { template: live.template } : {}), terminating: false });
    }
  }
  const snapshot = await placer.snapshot(pods);
  placer.close();
  return { snapshot };
}

function strategyText(d: Deployment): string {
  const s = d.spec.strategy;
  if (s?.type === "Recreate") return "Recreate";
  return `RollingUpdate maxSurge ${String(s?.rollingUpdate?.maxSurge ?? "25%")} maxUnavailable ${String(s?.rollingUpdate?.maxUnavailable ?? "25%")}`;
}

/**
 * The plan of a sync against LIVE state: live objects rebuilt from the engine's labels (content
 * from the last sync), diffed against the rendered objects, plus which pods a rollout replaces in
 * which batches, and what is pruned or kept.
 */
export async function planApplication(options: PlanApplicationOptions): Promise<PlanReport> {
  const { resolved, runtime, store } = options;
  const app = resolved.app;
  const name = app.metadata.name;
  const namespace = app.spec.destination.namespace;
  const state = await store.load(name);
  const live = await readLiveObjects(runtime, name, namespace, state.applied?.objects ?? [], options.labels ?? {});
  const prune = options.prune ?? app.spec.syncPolicy.automated?.prune ?? false;
  const planned = planSync(resolved.objects, live, { namespace, prune, podSecurity: resolved.podSecurity });
  if (!planned.ok) {
    throw new CapstanError("MANIFEST_INVALID", `application ${name}: ${planned.errors.length === 1 ? "1 object is" : `${planned.errors.length} objects are`} refused`, {
      problems: planned.errors,
    });
  }
  const tasks = planned.value;

  const toDiff = (key: string, kind: string, n: string, ns: string, object: Record<string, unknown>): DiffObject => ({ key, kind, name: n, namespace: ns, object });
  const base: DiffObject[] = [];
  const target: DiffObject[] = [];
  for (const t of tasks) {
    if (t.action === "orphan") continue;
    if (t.live) base.push(toDiff(t.key, t.kind, t.name, t.namespace, t.live.object ?? { kind: t.kind, metadata: { name: t.name, namespace: t.namespace } }));
    if (t.object) target.push(toDiff(t.key, t.kind, t.name, t.namespace, t.object as unknown as Record<string, unknown>));
  }
  const revision = { ref: resolved.revision.ref, sha: resolved.revision.sha };
  const diff: DiffReport = {
    repo: parseRepoURL(options.repo).display,
    apps: [{ name, base: { ref: "live", sha: state.applied?.commit ?? "" }, revision, result: diffObjects(base, target, options.store.redactionKey ? { redactionKey: options.store.redactionKey } : {}), errors: [] }],
  };

  const containers = await runtime.list({ ...(options.labels ?? {}), [LABEL.managedBy]: MANAGED_BY_VALUE, [LABEL.application]: name });
  const rollouts: RolloutPreview[] = [];
  const placerFor = options.nodes ? previewPlacers(options.nodes) : undefined;
  for (const t of tasks) {
    if (t.kind !== "Deployment" || !t.object || !t.revision || t.action === "unchanged") continue;
    const d = t.object as Deployment;
    const current = containers
      .filter((c) => c.labels[LABEL.namespace] === t.namespace && c.labels[LABEL.ownerKind] === "Deployment" && c.labels[LABEL.ownerName] === t.name)
      .map((c) => ({ name: c.labels[LABEL.pod] ?? c.name, revision: c.labels[LABEL.revision] ?? "" }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const strategy = d.spec.strategy ?? {};
    const batches = previewRollout({
      owner: t.name,
      namespace: t.namespace,
      replicas: d.spec.replicas ?? 1,
      strategy: {
        type: strategy.type ?? "RollingUpdate",
        ...(strategy.rollingUpdate?.maxSurge !== undefined ? { maxSurge: strategy.rollingUpdate.maxSurge } : {}),
        ...(strategy.rollingUpdate?.maxUnavailable !== undefined ? { maxUnavailable: strategy.rollingUpdate.maxUnavailable } : {}),
      },
      revision: t.revision,
      current,
      ...(placerFor ? { placer: placerFor(t.namespace, d.spec.template) } : {}),
    });
    if (batches.length === 0) continue;
    rollouts.push({
      deployment: t.name,
      namespace: t.namespace,
      from: [...new Set(current.map((c) => c.revision))].sort(),
      to: t.revision,
      replicas: d.spec.replicas ?? 1,
      strategy: strategyText(d),
      batches,
    });
  }
  const nodeNames = options.nodes ? ("single" in options.nodes ? [options.nodes.single] : options.nodes.snapshot.nodes.map((n) => n.name)) : undefined;
  return { app: name, revision, diff, tasks, rollouts, changes: planHasChanges(tasks), ...(nodeNames ? { nodes: nodeNames } : {}) };
}

export type PlanFormat = DiffFormat;

/** The plan in words: the diff (src/diff's printers), then the rollout preview and pruning. */
export function printPlan(report: PlanReport, format: PlanFormat, options: { color?: boolean } = {}): string {
  if (format === "json") {
    return `${JSON.stringify({ app: report.app, revision: report.revision, changes: report.changes, ...(report.nodes ? { nodes: report.nodes } : {}), ...(report.drift ? { drift: report.drift } : {}), tasks: report.tasks.map(taskJSON), rollouts: report.rollouts, diff: JSON.parse(printReport(report.diff, "json")) as unknown }, null, 2)}\n`;
  }
  const color = options.color ?? false;
  const md = format === "markdown";
  const out: string[] = [printReport(report.diff, format, { color }).trimEnd(), ""];
  const heading = (s: string) => (md ? `#### ${s}` : paint(color, "bold", s));
  const item = (s: string) => (md ? `- ${s}` : `  ${s}`);
  if (report.rollouts.length > 0) {
    out.push(heading("Rollout preview"), "");
    for (const r of report.rollouts) {
      out.push(item(`Deployment ${r.namespace}/${r.deployment}: ${r.from.length > 0 ? r.from.join(", ") : "(no pods)"} → ${r.to}, ${r.replicas} replicas, ${r.strategy}`));
      r.batches.forEach((b, i) => {
        // With one node every pod goes there: the text names nodes only when there is a choice (JSON always does).
        const started = b.create.map((p) => ((report.nodes?.length ?? 0) > 1 && b.nodes?.[p] !== undefined ? `${p} → ${b.nodes[p]}` : p));
        const parts = [b.create.length > 0 ? `start ${started.join(", ")}` : "", b.delete.length > 0 ? `stop ${b.delete.join(", ")}` : ""].filter(Boolean);
        out.push(md ? `  ${i + 1}. ${parts.join("; ")}` : `    ${i + 1}. ${parts.join("; ")}`);
      });
    }
    out.push("");
  }
  const pruned = report.tasks.filter((t) => t.action === "prune");
  const kept = report.tasks.filter((t) => t.action === "orphan");
  if (pruned.length > 0) {
    out.push(heading("Pruned"), "", ...pruned.map((t) => item(`${t.kind} ${t.namespace}/${t.name}`)), "");
  }
  if (kept.length > 0) {
    out.push(heading("Not in Git, kept"), "", ...kept.map((t) => item(`${t.kind} ${t.namespace}/${t.name}: ${t.reason ?? ""}`)), "");
  }
  const drift = report.tasks.filter((t) => t.action === "update" && t.reason);
  if (drift.length > 0) out.push(heading("Live state differs"), "", ...drift.map((t) => item(`${t.kind} ${t.namespace}/${t.name}: ${t.reason ?? ""}`)), "");
  if (report.drift && report.drift.length > 0) {
    out.push(heading("Drift (what runs differs from the pod template)"), "", ...report.drift.map((d) => item(`${d.object} ${d.field}: live ${d.live}, desired ${d.desired}`)), "");
  }
  if (!report.changes) out.push("No changes: live state matches the revision.");
  return `${out.join("\n").trimEnd()}\n`;
}

function taskJSON(t: SyncTask): Record<string, unknown> {
  return {
    action: t.action,
    key: t.key,
    wave: t.wave,
    ...(t.revision ? { revision: t.revision } : {}),
    ...(t.reason ? { reason: t.reason } : {}),
  };
}

/** The first configured engine: one-shot commands work on one node. */
export function defaultRuntime(config: CapstanConfig): ContainerRuntime {
  const node = configuredNodes(config)[0];
  return new DockerRuntime({ node: node?.name ?? "local", address: node?.address, tlsCertPath: node?.tlsCertPath });
}

export interface CommandEnv {
  config: CapstanConfig;
  source: GitSource;
  runtime: ContainerRuntime;
  store: DesiredStore;
  stateDir: string;
}

/**
 * Configuration, git source, engine and desired store as a one-shot command uses them. `ownRepos`
 * (the command's --repo) are the repositories CAPSTAN_GIT_TOKEN may be sent to.
 */
export async function commandEnv(io: CliIO, global: GlobalOptions, ownRepos: string[] = []): Promise<CommandEnv> {
  const config = await loadConfig(global.config);
  const source = createGitSource(gitSourceOptions(config, { stateDir: global.stateDir, cwd: io.cwd, env: io.env, ownRepos }));
  return { config, source, runtime: defaultRuntime(config), store: new FileDesiredStore(global.stateDir), stateDir: global.stateDir };
}

export function reportError(io: CliIO, err: unknown): number {
  if (!(err instanceof CapstanError)) throw err;
  io.stderr(`error: ${err.message}\n`);
  for (const p of err.problems) io.stderr(`  ${formatProblem(p)}\n`);
  return 2;
}

const USAGE = "capstan plan --repo PATH|URL --app NAME [--revision REF] [--prune] [-o text|markdown|json] [--apps-path apps]";

export interface PlanArgs {
  repo: string;
  app: string;
  revision?: string;
  format: PlanFormat;
  prune: boolean;
  appsPath: string;
}

export function parsePlanArgs(args: string[]): PlanArgs {
  const { values, positionals } = parseArgs({
    args,
    options: {
      repo: { type: "string" },
      app: { type: "string" },
      revision: { type: "string" },
      output: { type: "string", short: "o" },
      prune: { type: "boolean" },
      "apps-path": { type: "string" },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new CapstanError("USAGE", `unexpected argument "${positionals[0]}" (usage: ${USAGE})`);
  if (!values.app) throw new CapstanError("USAGE", `name the application with --app NAME (usage: ${USAGE})`);
  const parsed: PlanArgs = {
    repo: values.repo ?? ".",
    app: values.app,
    format: parseOutputFormat(values.output, ["text", "markdown", "json"] as const, "text"),
    prune: values.prune ?? false,
    appsPath: values["apps-path"] ?? "apps",
  };
  if (values.revision !== undefined) parsed.revision = values.revision;
  return parsed;
}

export const planCommand: Command = {
  name: "plan",
  summary: "Show what a sync would change against the live engine, with the rollout batches (exit 0: none, 1: changes, 2: error)",
  usage: USAGE,
  async run(args, { io, global }) {
    let parsed: PlanArgs;
    try {
      parsed = parsePlanArgs(args);
    } catch (err) {
      io.stderr(`error: ${(err as Error).message}\n`);
      return 2;
    }
    let report: PlanReport;
    try {
      const env = await commandEnv(io, global, [parsed.repo]);
      const resolved = await resolveApplication({ repo: parsed.repo, app: parsed.app, appsPath: parsed.appsPath, source: env.source, config: env.config, ...(parsed.revision ? { revision: parsed.revision } : {}) });
      // Live state as this state directory's daemon sees it: its own containers only.
      const labels = installationLabels(env.stateDir);
      const nodes = await planNodes(env.config, env.stateDir, labels);
      report = await planApplication({ resolved, runtime: env.runtime, store: env.store, repo: parsed.repo, labels, ...(parsed.prune ? { prune: true } : {}), ...(nodes ? { nodes } : {}) });
      // The running daemon inspects every container: drift it found is part of what a sync changes.
      const daemon = findDaemon(env.stateDir);
      const detail = daemon ? await daemonApi.getApp(daemon, parsed.app).catch(() => undefined) : undefined;
      if (detail) {
        report.drift = (detail as AppDetail).drift ?? [];
        if (report.drift.length > 0) report.changes = true;
      }
    } catch (err) {
      return reportError(io, err);
    }
    io.stdout(printPlan(report, parsed.format, { color: colorEnabled(io.isTTY, io.env) }));
    return report.changes ? 1 : 0;
  },
};
