import { main } from "../../src/cli/main.js";
import type { Command } from "../../src/cli/types.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output, the way a user's shell would see it. */
export async function runCli(argv: string[], options: { env?: Record<string, string | undefined>; cwd?: string; isTTY?: boolean; commands?: Command[] } = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io = {
    stdout: (s: string) => void (stdout += s),
    stderr: (s: string) => void (stderr += s),
    env: options.env ?? { HOME: "/tmp/capstan-test-home" },
    cwd: options.cwd ?? process.cwd(),
    isTTY: options.isTTY ?? false,
  };
  const code = await main(argv, io, options.commands);
  return { code, stdout, stderr };
}
