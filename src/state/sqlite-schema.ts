/**
 * The schema of `state.db`, one migration per version. `PRAGMA user_version` records how many
 * have run; each runs in its own transaction with the bump, so a crash leaves a whole version.
 * A migration is SQL, or a step over the rows that needs the installation's redaction key.
 */
import type Database from "better-sqlite3";
import { redactSecrets } from "../diff/redact.js";
import type { RedactionKey } from "../diff/redact.js";
import { manifestsDigest } from "./rules.js";
import { secretFreeManifests } from "./manifests-text.js";

export type Migration = string | ((db: Database.Database, key: RedactionKey) => void);

/** What a Capstan before HMAC markers wrote in history: 12 hex digits of a Secret value's plain sha256. */
const PLAIN_HASH_MARKER = /\(hidden sha256:[0-9a-f]{12}\)/g;
/** Shown for a value hidden before markers were HMACs: nothing of it is known any more. */
const UNKNOWN_MARKER = "(redacted)";

/**
 * Version 2: no plain Secret value, nor a plain hash of one, stays in a database written before.
 * Healthy objects get HMAC markers; revision manifests lose their `(hidden sha256:…)` markers (and
 * any plain value), their digests following the text. Run with `secure_delete` on, so the old
 * bytes are overwritten rather than left in free pages.
 */
function scrubSecrets(db: Database.Database, key: RedactionKey): void {
  const healthy = db.prepare<[], { app: string; objects: string }>("SELECT app, objects FROM healthy_objects").all();
  const putHealthy = db.prepare("UPDATE healthy_objects SET objects = ? WHERE app = ?");
  for (const row of healthy) {
    const objects: unknown = JSON.parse(row.objects);
    const redacted = redactSecrets(objects, key);
    if (redacted !== objects) putHealthy.run(JSON.stringify(redacted), row.app);
  }
  const revisions = db.prepare<[], { app: string; id: number; manifests: string }>("SELECT app, id, manifests FROM revisions").all();
  const putRevision = db.prepare("UPDATE revisions SET manifests = ?, manifests_digest = ? WHERE app = ? AND id = ?");
  for (const row of revisions) {
    let text = row.manifests.replace(PLAIN_HASH_MARKER, UNKNOWN_MARKER);
    try {
      text = secretFreeManifests(row.app, text, key);
    } catch {
      // History that cannot be read as YAML cannot be checked either: it is not kept.
      text = "";
    }
    if (text !== row.manifests) putRevision.run(text, manifestsDigest(text), row.app, row.id);
  }
}

export const MIGRATIONS: readonly Migration[] = [
  `
  CREATE TABLE apps (
    name TEXT PRIMARY KEY,
    repo TEXT NOT NULL,
    path TEXT NOT NULL,
    target_revision TEXT NOT NULL,
    history_limit INTEGER NOT NULL,
    sync TEXT NOT NULL,
    health TEXT NOT NULL,
    health_message TEXT NOT NULL,
    current_revision INTEGER,
    pinned_id INTEGER,
    pinned_sha TEXT,
    suspended INTEGER NOT NULL,
    last_failed_commit TEXT,
    next_revision INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;
  CREATE TABLE revisions (
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    commit_sha TEXT NOT NULL,
    message TEXT NOT NULL,
    author TEXT NOT NULL,
    commit_time TEXT NOT NULL,
    manifests TEXT NOT NULL,
    manifests_digest TEXT NOT NULL,
    initiator TEXT NOT NULL,
    phase TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    duration_ms INTEGER,
    PRIMARY KEY (app, id)
  ) STRICT;
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    time TEXT NOT NULL,
    type TEXT NOT NULL,
    reason TEXT NOT NULL,
    message TEXT NOT NULL,
    object TEXT NOT NULL
  );
  CREATE INDEX events_by_app_time ON events(app, time, seq);
  CREATE INDEX events_by_time ON events(time, seq);
  CREATE TABLE healthy_objects (
    app TEXT PRIMARY KEY REFERENCES apps(name) ON DELETE CASCADE,
    revision INTEGER NOT NULL,
    commit_sha TEXT NOT NULL,
    objects TEXT NOT NULL,
    saved_at TEXT NOT NULL
  ) STRICT;
  CREATE TABLE lease (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL
  ) STRICT;
  `,
  scrubSecrets,
  // Version 3: why the sync status is what it is, and the newest commit compared with what runs.
  `
  ALTER TABLE apps ADD COLUMN sync_message TEXT NOT NULL DEFAULT '';
  ALTER TABLE apps ADD COLUMN synced_commit TEXT;
  `,
];
