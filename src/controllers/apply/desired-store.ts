import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { processRedactionKey, SECRET_FIELDS, secretBytes, secretDigest, storedDigest, storedMarker, STORED_PREFIX } from "../../diff/redact.js";
import type { RedactionKey } from "../../diff/redact.js";
import type { ManifestObject } from "../../manifest/index.js";
import { ensureRedactionKey } from "../../state/redaction-key.js";
import type { JobFinished } from "../workloads/job-step.js";

/**
 * What the applier must remember between syncs: the objects last applied, the objects of the last
 * sync that became healthy (what a failed rollout rolls back to), failed commits with their
 * reasons, and finished Jobs. A later SQLite StateStore replaces this interface's adapters.
 */
export interface AppliedRecord {
  commit: string;
  objects: ManifestObject[];
  at: number;
}

export interface FailureRecord {
  commit: string;
  reason: string;
  message: string;
  at: number;
  /** The commit re-applied in its place, when auto-rollback ran. */
  rolledBackTo?: string;
}

export interface AppState {
  applied?: AppliedRecord;
  healthy?: AppliedRecord;
  failures: FailureRecord[];
  jobs: Record<string, { revision: string; finished: JobFinished }>;
}

export interface DesiredStore {
  /**
   * Set when the store keeps Secret values as markers: the key to pass to `restoreSecrets`. A store
   * that keeps values (in memory) has none.
   */
  readonly redactionKey?: RedactionKey;
  load(app: string): Promise<AppState>;
  save(app: string, state: AppState): Promise<void>;
  remove(app: string): Promise<void>;
  apps(): Promise<string[]>;
}

const empty = (): AppState => ({ failures: [], jobs: {} });

export class MemoryDesiredStore implements DesiredStore {
  private readonly states = new Map<string, AppState>();
  async load(app: string): Promise<AppState> {
    const s = this.states.get(app);
    return s ? structuredClone(s) : empty();
  }
  async save(app: string, state: AppState): Promise<void> {
    this.states.set(app, structuredClone(state));
  }
  async remove(app: string): Promise<void> {
    this.states.delete(app);
  }
  async apps(): Promise<string[]> {
    return [...this.states.keys()].sort();
  }
}

/**
 * Secret values never reach the disk: each is kept as `capstan-redacted:hmac:<64 hex>`, an
 * HMAC-SHA256 under the installation's redaction key (never a plain hash, which would let a
 * guessed password be confirmed from the file), and filled back from Git's copy when equal.
 */
export const REDACTED_PREFIX = STORED_PREFIX;
/** What a value of an older, plain-hash format becomes: it can no longer be checked, so it never matches. */
const DISCARDED = `${STORED_PREFIX}discarded`;

function redactSecrets(objects: ManifestObject[], key: RedactionKey): ManifestObject[] {
  return objects.map((o) => {
    if (o.kind !== "Secret") return o;
    const copy = structuredClone(o);
    for (const field of SECRET_FIELDS) {
      const m = copy[field];
      if (!m) continue;
      for (const [k, v] of Object.entries(m)) {
        // Already a marker (state read back and saved again): kept, never hashed twice.
        if (storedDigest(v) !== undefined) continue;
        m[k] = v.startsWith(STORED_PREFIX) ? DISCARDED : storedMarker(secretBytes(field, v), key);
      }
    }
    return copy;
  });
}

/** True when a Secret read back from the file store still holds markers instead of values. */
export function hasRedactedValues(o: ManifestObject): boolean {
  if (o.kind !== "Secret") return false;
  return Object.values({ ...(o.data ?? {}), ...(o.stringData ?? {}) }).some((v) => v.startsWith(STORED_PREFIX));
}

/**
 * Puts Secret values back into `objects` from `sources` (the Secrets of a sync at hand) where the
 * markers are those values' HMACs under `key`, the key of the store the objects were read from
 * (`FileDesiredStore.redactionKey`). Returns the Secrets that could not be restored.
 */
export function restoreSecrets(
  objects: ManifestObject[],
  sources: readonly ManifestObject[],
  key: RedactionKey = processRedactionKey(),
): { objects: ManifestObject[]; missing: string[] } {
  const missing: string[] = [];
  const byName = new Map(sources.filter((s) => s.kind === "Secret").map((s) => [`${s.metadata.namespace ?? ""}/${s.metadata.name}`, s]));
  const out = objects.map((o) => {
    if (!hasRedactedValues(o) || o.kind !== "Secret") return o;
    const src = byName.get(`${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    const copy = structuredClone(o);
    let ok = true;
    for (const field of SECRET_FIELDS) {
      const m = copy[field];
      if (!m) continue;
      for (const [k, v] of Object.entries(m)) {
        if (!v.startsWith(STORED_PREFIX)) continue;
        const value = src?.kind === "Secret" ? src[field]?.[k] : undefined;
        const digest = storedDigest(v);
        if (value !== undefined && digest !== undefined && secretDigest(secretBytes(field, value), key) === digest) m[k] = value;
        else ok = false;
      }
    }
    if (!ok) missing.push(`${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    return copy;
  });
  return { objects: out, missing };
}

export interface FileDesiredStoreOptions {
  /** The key Secret markers are HMACs under; by default the state directory's (`redaction.key`, made on first use). */
  redactionKey?: RedactionKey;
}

/**
 * One JSON file per application: `<stateDir>/apps/<app>/desired.json` (0600, written atomically),
 * Secret values as markers (see `restoreSecrets`).
 */
export class FileDesiredStore implements DesiredStore {
  private key: RedactionKey | undefined;

  constructor(
    private readonly stateDir: string,
    options: FileDesiredStoreOptions = {},
  ) {
    this.key = options.redactionKey;
  }

  /** The key this store's Secret markers are HMACs under: pass it to `restoreSecrets`. */
  get redactionKey(): RedactionKey {
    this.key ??= ensureRedactionKey(this.stateDir);
    return this.key;
  }

  private dir(app: string): string {
    return join(this.stateDir, "apps", app);
  }

  async load(app: string): Promise<AppState> {
    const text = await readFile(join(this.dir(app), "desired.json"), "utf8").catch(() => undefined);
    if (text === undefined) return empty();
    const parsed = JSON.parse(text) as Partial<AppState>;
    return { ...empty(), ...parsed };
  }

  async save(app: string, state: AppState): Promise<void> {
    const dir = this.dir(app);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const stored: AppState = {
      ...state,
      ...(state.applied ? { applied: { ...state.applied, objects: redactSecrets(state.applied.objects, this.redactionKey) } } : {}),
      ...(state.healthy ? { healthy: { ...state.healthy, objects: redactSecrets(state.healthy.objects, this.redactionKey) } } : {}),
    };
    const tmp = join(dir, `desired.json.${process.pid}.tmp`);
    await writeFile(tmp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, join(dir, "desired.json"));
  }

  async remove(app: string): Promise<void> {
    await rm(this.dir(app), { recursive: true, force: true });
  }

  async apps(): Promise<string[]> {
    const entries = await readdir(join(this.stateDir, "apps"), { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  }
}
