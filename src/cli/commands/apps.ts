/** Commands over the applications a daemon follows: through its API when one runs, else on the state directly. */
import { parseArgs } from "node:util";
import { CapstanError } from "../../errors.js";
import { appSummary, historyEntry, type AppDetail, type AppSummary, type HistoryEntry } from "../../server/index.js";
import { openSqliteStateStore } from "../../state/index.js";
import { daemonApi, findDaemon, requireDaemon, syncViaDaemon } from "../client.js";
import { formatData, formatTable, parseOutputFormat } from "../printers.js";
import { appDetailText } from "./app-detail.js";
import type { Command, CommandContext } from "../types.js";
import { getNodesCommand } from "./nodes.js";
import { runGetServices, SERVICE_RESOURCE_NAMES } from "./services.js";
import { parseDuration } from "./sync.js";

/** One duration syntax for every --timeout (90s, 5m, 1h30m, bare seconds). */
export { parseDuration };

const FORMATS = ["table", "json", "yaml"] as const;

/** `Synced`, `OutOfSync`, or `OutOfSync (pinned to abc1234)`. */
export function syncColumn(a: AppSummary): string {
  if (a.pinned) return `${a.sync} (pinned to ${a.pinned.sha.slice(0, 7)})`;
  return a.suspended ? `${a.sync} (suspended)` : a.sync;
}

async function listApps(ctx: CommandContext): Promise<AppSummary[]> {
  const d = findDaemon(ctx.global.stateDir);
  if (d) return daemonApi.listApps(d);
  const store = openSqliteStateStore(ctx.global.stateDir, { onWarning: (msg) => ctx.io.stderr(`warning: ${msg}\n`) });
  try {
    const out: AppSummary[] = [];
    for (const rec of await store.listApps()) out.push(appSummary(rec, await store.listRevisions(rec.name), "default"));
    return out;
  } finally {
    await store.close();
  }
}

async function listHistory(ctx: CommandContext, name: string): Promise<HistoryEntry[]> {
  const d = findDaemon(ctx.global.stateDir);
  if (d) return daemonApi.history(d, name);
  const store = openSqliteStateStore(ctx.global.stateDir, { onWarning: (msg) => ctx.io.stderr(`warning: ${msg}\n`) });
  try {
    if (!(await store.getApp(name))) throw new CapstanError("APPLICATION_NOT_FOUND", `application ${name} has no state in ${ctx.global.stateDir}`);
    return (await store.listRevisions(name)).reverse().map(historyEntry);
  } finally {
    await store.close();
  }
}

function print(ctx: CommandContext, format: "table" | "json" | "yaml", data: unknown, table: () => string): void {
  ctx.io.stdout(format === "table" ? table() : formatData(data, format));
}

function oneApp(args: string[], usage: string): string {
  const name = args[0];
  if (!name || name.startsWith("-")) throw new CapstanError("USAGE", `an application name is needed: ${usage}`);
  return name;
}

export const getCommand: Command = {
  name: "get",
  summary: "List resources: apps (sync, health, revision, commit, pin), app NAME (objects with health), services [APP] (ports, endpoints, readiness), nodes",
  usage: "capstan get apps|app NAME|services [APP]|nodes [-o table|json|yaml]",
  async run(args, ctx) {
    // One `get` for every resource: nodes and services stay with their own modules.
    if (["nodes", "node", "no"].includes(args[0] ?? "")) return getNodesCommand.run(args, ctx);
    const { values, positionals } = parseArgs({ args, options: { output: { type: "string", short: "o" } }, allowPositionals: true });
    if (SERVICE_RESOURCE_NAMES.includes(positionals[0] ?? "")) {
      return runGetServices([...positionals.slice(1), ...(values.output === undefined ? [] : ["-o", values.output])], ctx);
    }
    const format = parseOutputFormat(values.output, FORMATS, "table");
    const [what, name] = positionals;
    if (what === "apps" || what === "applications") {
      const apps = await listApps(ctx);
      print(ctx, format, apps, () =>
        formatTable(apps, [
          { header: "name", value: (a) => a.name },
          { header: "sync", value: syncColumn },
          { header: "health", value: (a) => a.health },
          { header: "revision", value: (a) => (a.currentRevision === null ? "-" : String(a.currentRevision)) },
          { header: "commit", value: (a) => a.commit?.sha.slice(0, 7) ?? "-" },
          { header: "message", value: (a) => a.commit?.message ?? "" },
        ]),
      );
      return 0;
    }
    if ((what === "app" || what === "application") && name) {
      const d = requireDaemon(ctx.global.stateDir);
      const detail = (await daemonApi.getApp(d, name)) as AppDetail;
      print(ctx, format, detail, () => appDetailText(detail, syncColumn(detail)));
      return 0;
    }
    throw new CapstanError("USAGE", `capstan get: unknown resource ${JSON.stringify(what ?? "")} (use: ${this.usage})`);
  },
};

export const historyCommand: Command = {
  name: "history",
  summary: "Revision history of an application: one row per sync of a commit",
  usage: "capstan history APP [-o table|json|yaml]",
  async run(args, ctx) {
    const { values, positionals } = parseArgs({ args, options: { output: { type: "string", short: "o" } }, allowPositionals: true });
    const format = parseOutputFormat(values.output, FORMATS, "table");
    const rows = await listHistory(ctx, oneApp(positionals, this.usage));
    print(ctx, format, rows, () =>
      formatTable(rows, [
        { header: "revision", value: (r) => String(r.id) },
        { header: "commit", value: (r) => r.sha.slice(0, 7) },
        { header: "phase", value: (r) => r.phase },
        { header: "initiator", value: (r) => r.initiator },
        { header: "started", value: (r) => r.startedAt ?? "" },
        { header: "duration", value: (r) => (r.durationMs === null ? "" : `${(r.durationMs / 1000).toFixed(1)}s`) },
        { header: "message", value: (r) => r.message },
        { header: "reason", value: (r) => r.reason },
      ]),
    );
    return 0;
  },
};

function actionCommand(name: "unpin" | "suspend" | "resume" | "refresh", summary: string): Command {
  return {
    name,
    summary,
    usage: `capstan ${name} APP`,
    async run(args, ctx) {
      const app = oneApp(args, this.usage);
      const s = await daemonApi.action(requireDaemon(ctx.global.stateDir), app, name);
      ctx.io.stdout(`${s.name}: ${syncColumn(s)}, ${s.health}\n`);
      return 0;
    },
  };
}

export const unpinCommand = actionCommand("unpin", "Let auto-sync follow the branch again after a rollback");
export const suspendCommand = actionCommand("suspend", "Stop auto-sync of an application");
export const resumeCommand = actionCommand("resume", "Start auto-sync of an application again");
export const refreshCommand = actionCommand("refresh", "Fetch the repository now and sync what changed");

export const rollbackCommand: Command = {
  name: "rollback",
  summary: "Re-apply a stored revision (default: the previous healthy one) and pin the application there",
  usage: "capstan rollback APP [REVISION_ID|SHA]",
  async run(args, ctx) {
    const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
    const app = oneApp(positionals, this.usage);
    const s = await daemonApi.rollback(requireDaemon(ctx.global.stateDir), app, positionals[1]);
    ctx.io.stdout(`${s.name}: rollback to ${positionals[1] ?? "the previous healthy revision"} queued; it stays pinned until \`capstan unpin ${s.name}\`\n`);
    return 0;
  },
};

/** `capstan sync APP` against the daemon (the one-shot `capstan sync --repo …` lives in sync.ts). */
export async function runDaemonSync(app: string, ctx: CommandContext): Promise<number> {
  const s = await syncViaDaemon(ctx.global.stateDir, app);
  ctx.io.stdout(`${s.name}: sync queued (${syncColumn(s)}, ${s.health})\n`);
  return 0;
}

export const waitCommand: Command = {
  name: "wait",
  summary: "Wait until an application is Healthy (and, with --sync, Synced)",
  usage: "capstan wait APP [--health] [--sync] [--timeout 5m]",
  async run(args, ctx) {
    const { values, positionals } = parseArgs({
      args,
      options: { health: { type: "boolean" }, sync: { type: "boolean" }, timeout: { type: "string" } },
      allowPositionals: true,
    });
    const app = oneApp(positionals, this.usage);
    const wantHealth = values.health ?? !values.sync;
    const deadline = Date.now() + parseDuration(values.timeout ?? "5m");
    const d = requireDaemon(ctx.global.stateDir);
    let last: AppSummary | undefined;
    while (Date.now() < deadline) {
      last = await daemonApi.summary(d, app);
      const ok = (!wantHealth || last.health === "Healthy") && (!values.sync || last.sync === "Synced");
      if (ok) {
        ctx.io.stdout(`${app}: ${syncColumn(last)}, ${last.health}\n`);
        return 0;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    ctx.io.stderr(`${app}: timed out; still ${last ? `${syncColumn(last)}, ${last.health}${last.healthMessage ? ` (${last.healthMessage})` : ""}` : "unknown"}\n`);
    return 2;
  },
};

export const logsCommand: Command = {
  name: "logs",
  summary: "Print a pod's logs (the application's first pod unless --pod)",
  usage: "capstan logs APP [--pod P] [--tail N] [-f]",
  async run(args, ctx) {
    const { values, positionals } = parseArgs({
      args,
      options: { pod: { type: "string" }, tail: { type: "string" }, follow: { type: "boolean", short: "f" } },
      allowPositionals: true,
    });
    const app = oneApp(positionals, this.usage);
    const d = requireDaemon(ctx.global.stateDir);
    let pod = values.pod;
    if (!pod) {
      const detail = (await daemonApi.getApp(d, app)) as AppDetail;
      pod = detail.objects.workloads.flatMap((w) => w.revisionSets.flatMap((r) => r.pods))[0]?.name;
      if (!pod) throw new CapstanError("CONTAINER_NOT_FOUND", `application ${app} has no pods yet (see capstan get app ${app})`);
    }
    const tail = Number(values.tail ?? 200);
    let printed = await daemonApi.logs(d, app, pod, tail);
    ctx.io.stdout(printed);
    // -f polls the API: it serves log tails, not a stream.
    while (values.follow) {
      await new Promise((r) => setTimeout(r, 1000));
      const text = await daemonApi.logs(d, app, pod, 1000);
      const at = text.lastIndexOf(printed.slice(-200));
      const fresh = printed.length > 0 && at >= 0 ? text.slice(at + Math.min(200, printed.length)) : text;
      if (fresh) ctx.io.stdout(fresh);
      printed = text;
    }
    return 0;
  },
};

export const appCommands: Command[] = [getCommand, historyCommand, rollbackCommand, unpinCommand, suspendCommand, resumeCommand, refreshCommand, waitCommand, logsCommand];

/**
 * `capstan sync`: a positional APP (no --repo / --app) asks the running daemon to sync it now;
 * anything else is the one-shot sync of `oneShot` (`capstan sync --repo … --app NAME`).
 */
export function syncDispatchCommand(oneShot: Command): Command {
  return {
    name: oneShot.name,
    summary: `${oneShot.summary}; \`capstan sync APP\` asks the running daemon instead`,
    usage: `capstan sync APP | ${oneShot.usage}`,
    async run(args, ctx) {
      const first = args[0];
      const oneShotFlags = args.some((a) => /^--(repo|app)(=|$)/.test(a));
      if (first !== undefined && !first.startsWith("-") && !oneShotFlags) return runDaemonSync(first, ctx);
      return oneShot.run(args, ctx);
    },
  };
}
