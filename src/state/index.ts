export type {
  AppRecord,
  AppSpec,
  AppStatus,
  CasResult,
  EventInput,
  EventQuery,
  EventType,
  FinalPhase,
  HealthStatus,
  HealthyObjects,
  Initiator,
  Lease,
  LeaseResult,
  NewRevision,
  OutcomeResult,
  PinnedRevision,
  Revision,
  RevisionOutcome,
  RevisionPhase,
  RevisionSummary,
  StateEvent,
  StateStore,
  SyncStatus,
} from "./types.js";
export { HEALTH_STATUSES, INITIATORS, REVISION_PHASES, SYNC_STATUSES } from "./types.js";
export type { Clock } from "./clock.js";
export { systemClock } from "./clock.js";
export { DEFAULT_EVENT_LIMIT, DEFAULT_REVISION_HISTORY_LIMIT, manifestsDigest } from "./rules.js";
export { MemoryStateStore } from "./memory.js";
export type { MemoryStateStoreOptions } from "./memory.js";
export { openSqliteStateStore, SqliteStateStore, STATE_DB_FILE } from "./sqlite.js";
export { STATE_DB_MARKER_FILE } from "./sqlite-file.js";
export { PRIVATE_STATE_FILES, secureStateDir, STATE_DIR_MODE, STATE_FILE_MODE } from "./permissions.js";
export { ensureRedactionKey, REDACTION_KEY_FILE } from "./redaction-key.js";
export type { SqliteStateStoreOptions } from "./sqlite.js";
export { acquireDaemonLock, DAEMON_LOCK_FILE, readDaemonLock } from "./lock.js";
export type { DaemonLock, DaemonLockInfo, DaemonLockOptions } from "./lock.js";
export { ensureToken, readToken, TOKEN_FILE } from "./token.js";
export { ensureInstallationId, installationLabels, INSTALLATION_FILE, readInstallationId } from "./installation.js";
export { autoSyncDecision } from "./policy.js";
export type { AutoSyncDecision } from "./policy.js";
