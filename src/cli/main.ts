import { resolveStateDir } from "../config/index.js";
import { CapstanError, formatProblem } from "../errors.js";
import { commands as defaultCommands } from "./commands/index.js";
import type { CliIO, Command, GlobalOptions } from "./types.js";

export interface ParsedArgv {
  command: string | undefined;
  args: string[];
  global: { stateDir?: string; config?: string };
  help: boolean;
}

const GLOBAL_VALUE_FLAGS = new Set(["--state-dir", "--config"]);

/** Pulls the global flags out from anywhere in argv; the first other word names the command. */
export function parseArgv(argv: string[]): ParsedArgv {
  const global: ParsedArgv["global"] = {};
  const rest: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (GLOBAL_VALUE_FLAGS.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "") throw new CapstanError("USAGE", `${name} needs a value`);
      if (name === "--state-dir") global.stateDir = value;
      else global.config = value;
      continue;
    }
    if ((arg === "--help" || arg === "-h") && rest.length === 0) {
      help = true;
      continue;
    }
    rest.push(arg);
  }
  const [command, ...args] = rest;
  return { command, args, global, help };
}

export function helpText(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "capstan — GitOps for Docker hosts: charts in Git, converged onto Docker engines.",
    "",
    "Usage: capstan [--state-dir DIR] [--config FILE] COMMAND [ARGS]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Global flags:",
    "  --state-dir DIR  where Capstan keeps its state (env CAPSTAN_STATE_DIR; default $XDG_STATE_HOME/capstan)",
    "  --config FILE    configuration file (nodes, repositories, settings)",
    "  -h, --help       show help; `capstan COMMAND --help` shows a command's usage",
    "",
    "NO_COLOR turns colour off.",
    "",
  ].join("\n");
}

/** Runs one CLI invocation and returns its exit code; errors users should see are printed here, once. */
export async function main(argv: string[], io: CliIO, commands: Command[] = defaultCommands): Promise<number> {
  let parsed: ParsedArgv;
  try {
    parsed = parseArgv(argv);
  } catch (err) {
    io.stderr(`error: ${(err as Error).message}\n`);
    return 1;
  }
  if (parsed.command === undefined || (parsed.help && parsed.command === undefined)) {
    io.stdout(helpText(commands));
    return parsed.help ? 0 : 1;
  }
  if (parsed.command === "help") {
    const target = commands.find((c) => c.name === parsed.args[0]);
    io.stdout(target ? `Usage: ${target.usage}\n\n${target.summary}\n` : helpText(commands));
    return 0;
  }
  const command = commands.find((c) => c.name === parsed.command);
  if (!command) {
    io.stderr(`error: unknown command "${parsed.command}"\n\n${helpText(commands)}`);
    return 1;
  }
  if (parsed.help || parsed.args.includes("--help") || parsed.args.includes("-h")) {
    io.stdout(`Usage: ${command.usage}\n\n${command.summary}\n`);
    return 0;
  }
  const global: GlobalOptions = {
    stateDir: resolveStateDir(parsed.global.stateDir, io.env, io.cwd),
    ...(parsed.global.config ?? io.env.CAPSTAN_CONFIG ? { config: parsed.global.config ?? io.env.CAPSTAN_CONFIG } : {}),
  };
  try {
    return await command.run(parsed.args, { io, global });
  } catch (err) {
    if (err instanceof CapstanError) {
      io.stderr(`error: ${err.message}\n`);
      for (const p of err.problems) io.stderr(`  ${formatProblem(p)}\n`);
      return 1;
    }
    const code = (err as { code?: string }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`error: ${(err as Error).message}\nUsage: ${command.usage}\n`);
      return 1;
    }
    if (err instanceof Error && /^-o .*unknown output format/.test(err.message)) {
      io.stderr(`error: ${err.message}\n`);
      return 1;
    }
    io.stderr(`error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

export function processIO(): CliIO {
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
  };
}
