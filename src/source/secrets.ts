import { readFile } from "node:fs/promises";
import { CapstanError } from "../errors.js";
import type { GitCallCredential, RepoCredential, SecretSource } from "./credentials.js";

async function readSecret(source: SecretSource, env: Record<string, string | undefined>, from: string): Promise<string> {
  if ("value" in source) return source.value;
  if ("env" in source) {
    const value = env[source.env];
    if (!value) {
      throw new CapstanError("CONFIG_INVALID", `${from}: environment variable ${source.env} is not set or empty (set it, or change passwordEnv)`);
    }
    return value;
  }
  let text: string;
  try {
    text = await readFile(source.file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new CapstanError("CONFIG_INVALID", `${from}: cannot read passwordFile ${source.file} (${code}) (check the path and its permissions)`);
  }
  // Files written by `echo` or editors end in a newline that is no part of the token.
  const value = text.replace(/\r?\n$/, "");
  if (value === "") throw new CapstanError("CONFIG_INVALID", `${from}: passwordFile ${source.file} is empty`);
  return value;
}

/** Reads a credential's secret at the moment of use, so a rotated token file takes effect at the next fetch. */
export async function loadCredential(credential: RepoCredential, env: Record<string, string | undefined>): Promise<GitCallCredential | undefined> {
  const from = credential.from ?? `credentials for ${credential.url}`;
  if (credential.password) {
    return { kind: "password", username: credential.username ?? "x-access-token", password: await readSecret(credential.password, env, from), from };
  }
  if (credential.sshKeyPath) return { kind: "ssh", keyPath: credential.sshKeyPath, from };
  return undefined;
}
