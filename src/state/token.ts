/** The API token: 32 random bytes, hex, made once into `<stateDir>/token` readable by its owner only. */
import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { CapstanError } from "../errors.js";
import { createStateFileOnce } from "./lock.js";

export const TOKEN_FILE = "token";
const TOKEN = /^[0-9a-f]{64}$/;

/** Returns the state directory's token, making it on first use (mode 0600). */
export function ensureToken(stateDir: string): string {
  const token = randomBytes(32).toString("hex");
  // Written aside and linked into place: a reader never sees a half-written token, and two starters cannot both make one.
  return createStateFileOnce(stateDir, TOKEN_FILE, `${token}\n`, "the API token").made ? token : readToken(stateDir);
}

/** Reads the token; refuses one that other users could read, as ssh does with keys. */
export function readToken(stateDir: string): string {
  const path = join(stateDir, TOKEN_FILE);
  let text: string;
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
    text = readFileSync(path, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new CapstanError("STATE_ERROR", `${path}: no API token yet (the daemon makes it when it first starts: run capstan start, or pass --state-dir of a running daemon)`);
    }
    throw new CapstanError("STATE_ERROR", `${path}: cannot read the API token: ${(err as Error).message}`, { cause: err });
  }
  if ((mode & 0o077) !== 0) {
    throw new CapstanError("STATE_ERROR", `${path}: the API token is readable by other users (mode ${mode.toString(8).padStart(4, "0")}); run chmod 600 ${path}`);
  }
  if (!TOKEN.test(text)) {
    throw new CapstanError("STATE_ERROR", `${path}: the API token is not 64 hex characters; delete the file and restart the daemon to make a new one`);
  }
  return text;
}
