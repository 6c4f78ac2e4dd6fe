import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { loadConfig, type CapstanConfig } from "../../config/index.js";
import { startDaemon, type DaemonOptions } from "../../daemon/index.js";
import { CapstanError } from "../../errors.js";
import type { Command, CommandContext } from "../types.js";

/** Daemon settings read from the config file until src/config's schema carries them (`daemon:` section). */
interface DaemonSettings {
  repo?: string;
  appsPath?: string;
  listen?: string;
  poll?: string;
  webhookSecret?: string;
}

function daemonSettings(file: string): DaemonSettings {
  const raw = parseYaml(readFileSync(file, "utf8")) as { daemon?: Record<string, unknown> } | null;
  const d = raw?.daemon ?? {};
  const out: DaemonSettings = {};
  for (const key of ["repo", "appsPath", "listen", "poll", "webhookSecret"] as const) {
    const v = d[key];
    if (v === undefined) continue;
    if (typeof v !== "string") throw new CapstanError("CONFIG_INVALID", `${file}: daemon.${key} must be a string`);
    out[key] = v;
  }
  return out;
}

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
  let settings: DaemonSettings = {};
  if (ctx.global.config) {
    const file = resolve(ctx.io.cwd, ctx.global.config);
    config = await loadConfig(file);
    settings = daemonSettings(file);
  }
  const repo = values.repo ?? settings.repo;
  if (!repo) throw new CapstanError("USAGE", "capstan daemon needs --repo URL|PATH (or daemon.repo in the --config file)");
  const listen = parseListen(values.listen ?? settings.listen ?? "127.0.0.1:7420");
  const secret = values["webhook-secret"] ?? settings.webhookSecret ?? ctx.io.env.CAPSTAN_WEBHOOK_SECRET;
  const appsPath = values["apps-path"] ?? settings.appsPath;
  const poll = values.poll ?? settings.poll;
  const labels = ctx.io.env.CAPSTAN_DAEMON_LABELS;
  return {
    stateDir: ctx.global.stateDir,
    repo: /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/]+@[^/]+:/.test(repo) ? repo : resolve(ctx.io.cwd, repo),
    host: listen.host,
    port: listen.port,
    env: ctx.io.env,
    ...(appsPath ? { appsPath } : {}),
    ...(poll ? { poll } : {}),
    ...(secret ? { webhookSecret: secret } : {}),
    ...(config ? { config } : {}),
    ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
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
    ctx.io.stdout(`capstan daemon: API and dashboard at ${running.url} (token in ${options.stateDir}/token), following ${options.repo}\n`);
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
