/** What every command receives: its own arguments and the process around it, injectable for tests. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** True when stdout is a terminal (colour allowed unless NO_COLOR is set). */
  isTTY: boolean;
}

export interface GlobalOptions {
  /** --state-dir, else CAPSTAN_STATE_DIR, else the XDG state directory. */
  stateDir: string;
  /** --config FILE, when given. */
  config?: string;
}

export interface CommandContext {
  io: CliIO;
  global: GlobalOptions;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. Throws CapstanError for errors users should see. */
  run(args: string[], ctx: CommandContext): Promise<number>;
}
