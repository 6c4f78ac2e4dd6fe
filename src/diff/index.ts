export { diffObjects, hasDifferences } from "./objects.js";
export type { DiffOptions } from "./objects.js";
export { deepEqual, fieldChanges } from "./fields.js";
export {
  isRedacted,
  processRedactionKey,
  redactionKey,
  redactObject,
  redactSecrets,
  REDACTION_KEY_BYTES,
  secretDigest,
  secretHash,
} from "./redact.js";
export type { RedactionKey } from "./redact.js";
export { rollingBatch, rolloutImpact, scaledValue, templateChange } from "./rollout.js";
export { diffLines, unifiedDiff, unifiedHunks } from "./lines.js";
export type { Hunk, LineOp } from "./lines.js";
export { objectYAML } from "./yaml.js";
export { objectDiffs, printJSON, printMarkdown, printReport, printText, reportHasDifferences } from "./print.js";
export type { DiffFormat, MarkdownOptions, TextOptions } from "./print.js";
export type {
  AppDiff,
  DiffObject,
  DiffReport,
  DiffResult,
  DiffSide,
  FieldChange,
  ObjectChange,
  ObjectEntry,
  RevisionLabel,
  SideError,
} from "./types.js";
