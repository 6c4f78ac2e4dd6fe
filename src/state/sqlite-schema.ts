/**
 * The schema of `state.db`, one migration per version. `PRAGMA user_version` records how many
 * have run; each runs in its own transaction with the bump, so a crash leaves a whole version.
 */
export const MIGRATIONS: readonly string[] = [
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
];
