import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { Applier } from "../../controllers/apply/index.js";
import type { DesiredStore, SyncOutcome, SyncTask } from "../../controllers/apply/index.js";
import { createPodManager } from "../../controllers/pods/index.js";
import type { PodManager } from "../../controllers/pods/index.js";
import type { Clock } from "../../controllers/clock.js";
import { CapstanError } from "../../errors.js";
import type { ContainerRuntime } from "../../runtime/types.js";
import { acquireDaemonLock, installationLabels, readDaemonLock } from "../../state/index.js";
import type { DaemonLock } from "../../state/index.js";
import { daemonURL } from "../client.js";
import type { Command } from "../types.js";
import { commandEnv, reportError, resolveApplication } from "./plan.js";
import type { ResolvedApplication } from "./plan.js";

export interface SyncApplicationOptions {
  resolved: ResolvedApplication;
  runtime: ContainerRuntime;
  store: DesiredStore;
  stateDir: string;
  /** Prune what Git dropped even when the Application does not say so. */
  prune?: boolean;
  /** Wait for Healthy or Failed; otherwise return once every workload made its first step. */
  wait?: boolean;
  timeoutMs?: number;
  clock?: Clock;
  /** Labels on everything made (tests mark their run). */
  labels?: Record<string, string>;
  /** A pod manager to use instead of a fresh one on `runtime`. */
  pods?: PodManager;
  log?: (entry: Record<string, unknown>) => void;
}

export interface SyncApplicationResult {
  app: string;
  commit: string;
  tasks: SyncTask[];
  /** Absent when not waiting. */
  outcome?: SyncOutcome;
}

/**
 * One sync of one application without the daemon: plan, apply wave by wave, and (with `wait`)
 * drive the rollout until it is Healthy or Failed, rolling back per the Application's
 * autoRollback. Containers keep running after it returns; the daemon adopts them from labels.
 */
export async function syncApplication(options: SyncApplicationOptions): Promise<SyncApplicationResult> {
  const { resolved, runtime } = options;
  const app = resolved.app;
  const name = app.metadata.name;
  // Marked as the daemon on this state directory marks its containers, so it adopts them.
  const labels = installationLabels(options.stateDir, options.labels);
  const pods =
    options.pods ??
    createPodManager({
      runtimes: new Map([[runtime.node, runtime]]),
      stateDir: options.stateDir,
      ...(options.clock ? { clock: options.clock } : {}),
      labels,
      ...(options.log ? { log: options.log } : {}),
    });
  const ownPods = options.pods === undefined;
  const applier = new Applier({
    runtime,
    pods,
    store: options.store,
    ...(options.clock ? { clock: options.clock } : {}),
    labels,
    ...(options.log ? { log: options.log } : {}),
  });
  if (ownPods) await pods.start();
  applier.start();
  try {
    const tasks = await applier.sync({
      app: name,
      namespace: app.spec.destination.namespace,
      commit: resolved.revision.sha,
      objects: resolved.objects,
      prune: options.prune ?? app.spec.syncPolicy.automated?.prune ?? false,
      autoRollback: app.spec.syncPolicy.autoRollback,
      podSecurity: resolved.podSecurity,
    });
    const result: SyncApplicationResult = { app: name, commit: resolved.revision.sha, tasks };
    if (options.wait) {
      const outcome = await applier.waitForHealthy(name, options.timeoutMs ?? 300_000);
      result.outcome = outcome;
      // A failed rollout rolled back: see the old revision running again before returning.
      if (outcome.status === "Failed" && outcome.rolledBackTo) await applier.waitForHealthy(name, options.timeoutMs ?? 300_000);
    } else {
      await applier.idle();
    }
    return result;
  } finally {
    await applier.stop();
    if (ownPods) await pods.stop();
  }
}

/** `90s`, `5m`, `1h`, `1m30s` or plain seconds, as milliseconds. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    const n = Number(m[1]);
    total += m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : m[2] === "m" ? n * 60_000 : n * 3_600_000;
    consumed = re.lastIndex;
  }
  if (consumed !== t.length || t.length === 0) throw new CapstanError("USAGE", `--timeout ${text}: not a duration (write 90s, 5m or 1h)`);
  return Math.round(total);
}

/**
 * Holds the state directory as its daemon would, for as long as a one-shot sync applies: with a
 * daemon running on it, both would create, replace and remove the same containers. A running daemon
 * makes this refuse, naming it and what to do; a daemon started meanwhile is refused until the sync
 * ends. A lock left by a process that is gone is taken over, as a daemon takes it over.
 */
export function holdStateDir(stateDir: string, app: string): DaemonLock {
  const refuse = (holder: { pid: number; host: string; apiAddress: string }): CapstanError => {
    const api = daemonURL(stateDir) ?? holder.apiAddress;
    const where = `pid ${holder.pid}${holder.host && holder.host !== hostname() ? ` on ${holder.host}` : ""}${api ? `, API on ${api}` : ""}`;
    return new CapstanError(
      "STATE_ERROR",
      `a capstan daemon holds the state directory ${stateDir} (${where}), so a one-shot sync would race it; ` +
        `ask the daemon to sync instead (\`capstan sync ${app}\`, then \`capstan wait ${app}\`), or stop the daemon and run this again`,
    );
  };
  const holder = readDaemonLock(stateDir);
  // A daemon in this very process: taking its lock over as a previous life's would cut it out.
  if (holder && holder.pid === process.pid && holder.host === hostname()) throw refuse(holder);
  try {
    return acquireDaemonLock(stateDir);
  } catch (err) {
    const now = readDaemonLock(stateDir);
    if (err instanceof CapstanError && now) throw refuse(now);
    throw err;
  }
}

const USAGE = "capstan sync --repo PATH|URL --app NAME [--revision REF] [--wait] [--timeout 5m] [--prune] [--apps-path apps]";

export interface SyncArgs {
  repo: string;
  app: string;
  revision?: string;
  wait: boolean;
  timeoutMs: number;
  prune: boolean;
  appsPath: string;
}

export function parseSyncArgs(args: string[]): SyncArgs {
  const { values, positionals } = parseArgs({
    args,
    options: {
      repo: { type: "string" },
      app: { type: "string" },
      revision: { type: "string" },
      wait: { type: "boolean" },
      timeout: { type: "string" },
      prune: { type: "boolean" },
      "apps-path": { type: "string" },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new CapstanError("USAGE", `unexpected argument "${positionals[0]}" (usage: ${USAGE})`);
  if (!values.app) throw new CapstanError("USAGE", `name the application with --app NAME (usage: ${USAGE})`);
  const parsed: SyncArgs = {
    repo: values.repo ?? ".",
    app: values.app,
    wait: values.wait ?? false,
    timeoutMs: values.timeout !== undefined ? parseDuration(values.timeout) : 300_000,
    prune: values.prune ?? false,
    appsPath: values["apps-path"] ?? "apps",
  };
  if (values.revision !== undefined) parsed.revision = values.revision;
  return parsed;
}

export const syncCommand: Command = {
  name: "sync",
  summary: "Apply an application's revision to the engine once, without the daemon (--wait: exit 0 healthy, 1 failed)",
  usage: USAGE,
  async run(args, { io, global }) {
    let parsed: SyncArgs;
    try {
      parsed = parseSyncArgs(args);
    } catch (err) {
      io.stderr(`error: ${(err as Error).message}\n`);
      return 2;
    }
    let result: SyncApplicationResult;
    let lock: DaemonLock | undefined;
    try {
      lock = holdStateDir(global.stateDir, parsed.app);
      const env = await commandEnv(io, global, [parsed.repo]);
      const resolved = await resolveApplication({ repo: parsed.repo, app: parsed.app, appsPath: parsed.appsPath, source: env.source, config: env.config, ...(parsed.revision ? { revision: parsed.revision } : {}) });
      io.stderr(`syncing ${parsed.app} at ${resolved.revision.ref} (${resolved.revision.sha.slice(0, 7)})\n`);
      result = await syncApplication({
        resolved,
        runtime: env.runtime,
        store: env.store,
        stateDir: env.stateDir,
        wait: parsed.wait,
        timeoutMs: parsed.timeoutMs,
        ...(parsed.prune ? { prune: true } : {}),
      });
    } catch (err) {
      return reportError(io, err);
    } finally {
      lock?.release();
    }
    for (const t of result.tasks) if (t.action !== "unchanged") io.stdout(`${t.action.padEnd(9)} ${t.kind} ${t.namespace}/${t.name}${t.reason ? ` (${t.reason})` : ""}\n`);
    const short = result.commit.slice(0, 7);
    if (!result.outcome) {
      io.stdout(`${result.app}: applied ${short}; the rollout continues under the daemon (capstan start), or run with --wait\n`);
      return 0;
    }
    if (result.outcome.status === "Healthy") {
      io.stdout(`${result.app}: Healthy at ${short}\n`);
      return 0;
    }
    const o = result.outcome;
    io.stdout(`${result.app}: Failed at ${short}: ${o.reason}: ${o.message}\n`);
    if (o.rolledBackTo) io.stdout(`${result.app}: rolled back to ${o.rolledBackTo.slice(0, 7)} (the last healthy sync)\n`);
    return 1;
  },
};
