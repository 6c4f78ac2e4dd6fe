import { isAbsolute, resolve } from "node:path";
import type { CapstanConfig } from "../config/index.js";
import type { RepoCredential } from "./credentials.js";
import type { GitSourceOptions } from "./git.js";

export interface GitSourceBase {
  stateDir: string;
  /** Relative local repository paths resolve against this directory. */
  cwd?: string;
  /** Relative passwordFile and sshKeyPath values resolve against this directory (default `cwd`). */
  configDir?: string;
  env: Record<string, string | undefined>;
  /**
   * The repositories the command or daemon was pointed at on its command line (`--repo`); those of
   * the configuration's `daemon:` section are added here. `CAPSTAN_GIT_TOKEN` goes to these only.
   */
  ownRepos?: string[];
}

/**
 * GitSourceOptions from the loaded configuration (`git:` settings and `credentials:`) and the
 * environment. Configured credentials apply under their URL prefix only; `CAPSTAN_GIT_TOKEN` applies
 * to the own repositories only.
 */
export function gitSourceOptions(config: CapstanConfig, base: GitSourceBase): GitSourceOptions {
  const home = base.env.HOME ?? "";
  const dir = base.configDir ?? base.cwd ?? process.cwd();
  const path = (p: string): string => {
    const expanded = p.replace(/^~(?=\/|$)/, home);
    return isAbsolute(expanded) ? expanded : resolve(dir, expanded);
  };
  const credentials = config.credentials.map((c, i): RepoCredential => {
    const out: RepoCredential = { url: c.url, from: `credentials[${i}] (${c.url})` };
    if (c.username !== undefined) out.username = c.username;
    if (c.passwordFile !== undefined) out.password = { file: path(c.passwordFile) };
    else if (c.passwordEnv !== undefined) out.password = { env: c.passwordEnv };
    if (c.sshKeyPath !== undefined) out.sshKeyPath = path(c.sshKeyPath);
    return out;
  });
  const daemon = config.daemon;
  const ownRepos = [...(base.ownRepos ?? []), ...(daemon?.repo ? [daemon.repo] : []), ...(daemon?.repositories ?? []).map((r) => r.url)];
  const options: GitSourceOptions = { stateDir: base.stateDir, env: base.env, credentials, ownRepos };
  if (base.cwd !== undefined) options.cwd = base.cwd;
  if (config.git?.allowInsecureHttp !== undefined) options.allowInsecureHttp = config.git.allowInsecureHttp;
  if (config.git?.timeoutSeconds !== undefined) options.timeoutMs = config.git.timeoutSeconds * 1000;
  return options;
}
