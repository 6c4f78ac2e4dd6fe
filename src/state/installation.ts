/**
 * The installation id: 8 random bytes, hex, made once into `<stateDir>/installation-id`. Every
 * container a daemon (or `capstan sync`) makes on a state directory carries it as the
 * `capstan.dev/installation` label, and only containers with it are adopted, so two state
 * directories sharing an engine never take over, replace or remove each other's pods (Argo CD's
 * installationID plays the same part).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CapstanError } from "../errors.js";
import { LABEL } from "../runtime/labels.js";
import { createStateFileOnce } from "./lock.js";

export const INSTALLATION_FILE = "installation-id";
const ID = /^[0-9a-f]{16}$/;

/** Returns the state directory's installation id, making it on first use. */
export function ensureInstallationId(stateDir: string): string {
  const id = randomBytes(8).toString("hex");
  const { path, made } = createStateFileOnce(stateDir, INSTALLATION_FILE, `${id}\n`, "the installation id");
  if (made) return id;
  const text = readFileSync(path, "utf8").trim();
  if (!ID.test(text)) {
    throw new CapstanError(
      "STATE_ERROR",
      `${path}: line 1: not an installation id (16 hex digits); restore it, or delete it to make a new one (containers labelled with the old id are then no longer adopted)`,
    );
  }
  return text;
}

/** The state directory's installation id when it has a valid one (no daemon or sync ran there yet: none). */
export function readInstallationId(stateDir: string): string | undefined {
  try {
    const text = readFileSync(join(stateDir, INSTALLATION_FILE), "utf8").trim();
    return ID.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/** The labels that mark what this state directory's daemon makes and adopts, with any the caller adds. */
export function installationLabels(stateDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [LABEL.installation]: ensureInstallationId(stateDir), ...extra };
}
