import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig, type CapstanConfig } from "../../config/index.js";
import { startDaemon, type DaemonOptions } from "../../daemon/index.js";
import { CapstanError } from "../../errors.js";
import type { Command, CommandContext } from "../types.js";
import { parseDuration } from "./sync.js";

export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value) ?? (/^\d+$/.test(value) ? ["", undefined, "127.0.0.1", value] : null);
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CapstanError("USAGE", `--listen ${value}: expected HOST:PORT, e.g. 127.0.0.1:7420`);
  }
  return { host: m[1] ?? (m[2] || "127.0.0.1"), port };
}

/** `capstan daemon` options from argv and the config file; pure except for reading the config. */
export async function daemonOptions(args: string[], ctx: CommandContext): Promise<DaemonOptions> {
  const { values } = parseArgs({
    args,
    options: {
      repo: { type: "string" },
      "apps-path": { type: "string" },
      listen: { type: "string" },
      poll: { type: "string" },
      "webhook-secret": { type: "string" },
      concurrency: { type: "string" },
    },
    allowPositionals: false,
  });
  let config: CapstanConfig | undefined;
  let configDir = ctx.io.cwd;
  if (ctx.global.config) {
    const file = resolve(ctx.io.cwd, ctx.global.config);
    config = await loadConfig(file);
    configDir = dirname(file);
  }
  const settings = config?.daemon ?? {};
  // Local paths in the config file are relative to the file; on the command line, to the working directory.
  const location = (repo: string, base: string) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/]+@[^/]+:/.test(repo) ? repo : resolve(base, repo));
  const repo = values.repo ? location(values.repo, ctx.io.cwd) : settings.repo ? location(settings.repo, configDir) : undefined;
  const repositories = values.repo
    ? []
    : (settings.repositories ?? []).map((r) => ({ repo: location(r.url, configDir), appsPath: r.appsPath, ...(r.poll ? { poll: r.poll } : {}), ...(r.watch !== undefined ? { watch: r.watch } : {}) }));
  if (!repo && repositories.length === 0) throw new CapstanError("USAGE", "capstan daemon needs --repo URL|PATH (or daemon.repo or daemon.repositories in the --config file)");
  const listen = parseListen(values.listen ?? settings.listen ?? "127.0.0.1:7420");
  const secret = values["webhook-secret"] ?? settings.webhookSecret ?? ctx.io.env.CAPSTAN_WEBHOOK_SECRET;
  const appsPath = values["apps-path"] ?? settings.appsPath;
  const poll = values.poll ?? settings.poll;
  const concurrency = values.concurrency !== undefined ? Number(values.concurrency) : settings.concurrency;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) throw new CapstanError("USAGE", `--concurrency ${values.concurrency}: expected a whole number of at least 1`);
  const labels = ctx.io.env.CAPSTAN_DAEMON_LABELS;
  return {
    stateDir: ctx.global.stateDir,
    ...(repo ? { repo } : {}),
    ...(repositories.length > 0 ? { repositories } : {}),
    host: listen.host,
    port: listen.port,
    env: ctx.io.env,
    ...(appsPath ? { appsPath } : {}),
    ...(poll ? { poll } : {}),
    ...(secret ? { webhookSecret: secret } : {}),
    ...(config ? { config, configDir } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(settings.syncTimeout ? { syncTimeoutMs: parseDuration(settings.syncTimeout) } : {}),
    ...(settings.renderTimeout ? { renderTimeoutMs: parseDuration(settings.renderTimeout) } : {}),
    ...(settings.nodeMonitorPeriod || settings.nodeMonitorGracePeriod || settings.podEvictionTimeout
      ? {
          nodeHealth: {
            ...(settings.nodeMonitorPeriod ? { periodMs: parseDuration(settings.nodeMonitorPeriod) } : {}),
            ...(settings.nodeMonitorGracePeriod ? { gracePeriodMs: parseDuration(settings.nodeMonitorGracePeriod) } : {}),
            ...(settings.podEvictionTimeout ? { evictionTimeoutMs: parseDuration(settings.podEvictionTimeout) } : {}),
          },
        }
      : {}),
    // Tests mark what a daemon child process makes: CAPSTAN_DAEMON_LABELS='{"k":"v"}'.
    ...(labels ? { labels: JSON.parse(labels) as Record<string, string> } : {}),
  };
}

export const daemonCommand: Command = {
  name: "daemon",
  summary: "Run the sync daemon: follow a repository's Applications, serve the API and dashboard",
  usage: "capstan daemon --repo URL|PATH [--apps-path apps] [--listen 127.0.0.1:7420] [--poll CRON] [--webhook-secret S] | capstan --config capstan.yaml daemon",
  async run(args, ctx) {
    const options = await daemonOptions(args, ctx);
    const json = !ctx.io.isTTY;
    options.log = (entry) => {
      const line = { time: new Date().toISOString(), ...entry };
      ctx.io.stderr(json ? `${JSON.stringify(line)}\n` : `${Object.entries(line).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ")}\n`);
    };
    const running = await startDaemon(options);
    ctx.io.stdout(`capstan daemon: API and dashboard at ${running.url} (token in ${options.stateDir}/token), following ${running.daemon.repos.map((r) => r.url).join(", ")}\n`);
    await new Promise<void>((done) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        ctx.io.stderr(`capstan daemon: ${signal}: finishing the running step, then exiting\n`);
        // Whatever happens, be gone within 10 s: containers keep running and a restart adopts them.
        const hard = setTimeout(() => process.exit(0), 9_000);
        hard.unref();
        void running.stop().finally(() => {
          clearTimeout(hard);
          done();
        });
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    });
    return 0;
  },
};
