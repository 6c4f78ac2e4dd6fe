/**
 * The redaction key: 32 random bytes, hex, made once into `<stateDir>/redaction.key` (0600).
 * Every Secret value Capstan shows or keeps is an HMAC under it (see src/diff/redact.ts), so
 * markers match across the diff, the state store and the applier's desired store of one
 * installation, and differ from any other installation's.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { CapstanError } from "../errors.js";
import { REDACTION_KEY_BYTES, redactionKey } from "../diff/redact.js";
import type { RedactionKey } from "../diff/redact.js";
import { createStateFileOnce } from "./lock.js";

export const REDACTION_KEY_FILE = "redaction.key";
const KEY = /^[0-9a-f]{64}$/;

/** Returns the state directory's redaction key, making it on first use. */
export function ensureRedactionKey(stateDir: string): RedactionKey {
  const fresh = randomBytes(REDACTION_KEY_BYTES);
  const { path, made } = createStateFileOnce(stateDir, REDACTION_KEY_FILE, `${fresh.toString("hex")}\n`, "the redaction key");
  if (made) return redactionKey(fresh);
  let text: string;
  try {
    text = readFileSync(path, "utf8").trim();
  } catch (err) {
    throw new CapstanError("STATE_ERROR", `${path}: cannot read the redaction key: ${(err as Error).message}`, { cause: err });
  }
  if (!KEY.test(text)) {
    throw new CapstanError(
      "STATE_ERROR",
      `${path}: line 1: not a redaction key (64 hex digits); restore it, or delete it to make a new one (Secret markers already kept or shown then no longer match new ones, and the next rollback keeps the current Secret values)`,
    );
  }
  return redactionKey(Buffer.from(text, "hex"));
}
