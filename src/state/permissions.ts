/**
 * The state directory holds the API token, the redaction key and the history: it is its owner's
 * alone, as ssh keeps `~/.ssh`. Made 0700 with its files 0600; one left looser (a restored
 * backup, a copy with `cp -r`, a umask of 0) is tightened at start, with a warning saying so.
 */
import { chmodSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { INSTALLATION_FILE } from "./installation.js";
import { REDACTION_KEY_FILE } from "./redaction-key.js";
import { STATE_DB_FILE, STATE_DB_MARKER_FILE } from "./sqlite-file.js";
import { TOKEN_FILE } from "./token.js";

export const STATE_DIR_MODE = 0o700;
export const STATE_FILE_MODE = 0o600;

/** The files that hold secrets or history; besides them, any `*.key` at the top of the directory. */
export const PRIVATE_STATE_FILES: readonly string[] = [
  STATE_DB_FILE,
  `${STATE_DB_FILE}-wal`,
  `${STATE_DB_FILE}-shm`,
  STATE_DB_MARKER_FILE,
  TOKEN_FILE,
  INSTALLATION_FILE,
  REDACTION_KEY_FILE,
];

const octal = (mode: number) => mode.toString(8).padStart(4, "0");

/**
 * Sets the state directory to 0700 and its private files to 0600 where others could read them.
 * Returns one warning per change (`<path> was mode 0755; set to 0700`), or per mode it could not
 * change; nothing when all is as it should be or the directory does not exist yet.
 */
export function secureStateDir(stateDir: string): string[] {
  const warnings: string[] = [];
  const dir = tighten(stateDir, STATE_DIR_MODE, "directory", warnings);
  if (!dir) return warnings;
  const names = new Set(PRIVATE_STATE_FILES);
  for (const name of readdirSync(stateDir)) if (name.endsWith(".key")) names.add(name);
  for (const name of names) tighten(join(stateDir, name), STATE_FILE_MODE, "file", warnings);
  return warnings;
}

/** Whether `path` exists as the expected type; tightens its mode when group or others have any bit. */
function tighten(path: string, want: number, type: "directory" | "file", warnings: string[]): boolean {
  let mode: number;
  try {
    const st = statSync(path);
    if (type === "directory" ? !st.isDirectory() : !st.isFile()) return false;
    mode = st.mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
  if ((mode & 0o077) === 0) return true;
  try {
    chmodSync(path, want);
  } catch (err) {
    warnings.push(`${path} is mode ${octal(mode)} and could not be set to ${octal(want)}: ${(err as Error).message}; other users may read it (chmod ${octal(want).slice(1)} ${path})`);
    return true;
  }
  const now = statSync(path).mode & 0o777;
  // Some filesystems (network shares, Docker Desktop bind mounts) accept chmod and ignore it.
  if ((now & 0o077) !== 0) warnings.push(`${path} is mode ${octal(now)} and stays so after chmod ${octal(want).slice(1)} (the filesystem ignores modes); other users may read it`);
  else warnings.push(`${path} was mode ${octal(mode)}; set to ${octal(want)}`);
  return true;
}
