import { z } from "zod";
import { CapstanError } from "../errors.js";
import type { GitSourceOptions } from "./git.js";

/**
 * The `git:` section of the Capstan configuration file:
 *
 * ```yaml
 * git:
 *   allowInsecureHttp: false   # allow plain http:// remotes
 *   timeoutSeconds: 60         # bound on each git call
 *   token: ""                  # HTTPS token (CAPSTAN_GIT_TOKEN wins when both are set)
 *   username: x-access-token   # user name sent with the token
 *   sshKeyPath: ~/.ssh/deploy  # private key for ssh remotes
 * ```
 */
export const gitSettingsSchema = z
  .object({
    allowInsecureHttp: z.boolean().optional(),
    timeoutSeconds: z.number().positive().optional(),
    token: z.string().optional(),
    username: z.string().optional(),
    sshKeyPath: z.string().optional(),
  })
  .strict();

export type GitSettings = z.infer<typeof gitSettingsSchema>;

/** GitSourceOptions from a loaded configuration object (its `git` key) and the environment. */
export function gitSourceOptions(
  config: unknown,
  base: { stateDir: string; cwd?: string; env: Record<string, string | undefined> },
): GitSourceOptions {
  const raw = config !== null && typeof config === "object" ? (config as Record<string, unknown>).git : undefined;
  const parsed = gitSettingsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new CapstanError("CONFIG_INVALID", "invalid git settings in the configuration", {
      problems: parsed.error.issues.map((i) => ({
        field: ["git", ...i.path].join("."),
        message: i.code === "unrecognized_keys" ? `unknown field(s) ${i.keys.join(", ")}` : i.message,
      })),
    });
  }
  const s = parsed.data;
  const home = base.env.HOME ?? "";
  const token = base.env.CAPSTAN_GIT_TOKEN || s.token;
  const options: GitSourceOptions = { stateDir: base.stateDir, env: base.env };
  if (base.cwd !== undefined) options.cwd = base.cwd;
  if (s.allowInsecureHttp !== undefined) options.allowInsecureHttp = s.allowInsecureHttp;
  if (s.timeoutSeconds !== undefined) options.timeoutMs = s.timeoutSeconds * 1000;
  options.credentials = {
    ...(token ? { token } : {}),
    ...(s.username ? { username: s.username } : {}),
    ...(s.sshKeyPath ? { sshKeyPath: s.sshKeyPath.replace(/^~(?=\/)/, home) } : {}),
  };
  return options;
}
