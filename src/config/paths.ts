import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** --state-dir, else CAPSTAN_STATE_DIR, else $XDG_STATE_HOME/capstan, else ~/.local/state/capstan. */
export function resolveStateDir(flag: string | undefined, env: Record<string, string | undefined>, cwd: string): string {
  if (flag) return resolve(cwd, flag);
  if (env.CAPSTAN_STATE_DIR) return resolve(cwd, env.CAPSTAN_STATE_DIR);
  const xdg = env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state");
  return join(xdg, "capstan");
}
