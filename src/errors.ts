/**
 * Errors users see carry a stable `code` (mapped to exit codes once, at the top of the CLI)
 * and a message that names the file, line, field and the fix where there is one.
 */
export type ErrorCode =
  | "USAGE"
  | "CONFIG_INVALID"
  | "RUNTIME_UNAVAILABLE"
  | "IMAGE_NOT_FOUND"
  | "CONTAINER_NOT_FOUND"
  | "RUNTIME_ERROR"
  | "EXEC_TIMEOUT"
  | "TEMPLATE_PARSE_FAILED"
  | "TEMPLATE_EXEC_FAILED"
  | "CHART_INVALID"
  | "CHART_RENDER_FAILED"
  | "VALUES_INVALID"
  | "MANIFEST_INVALID"
  | "PATH_OUTSIDE_REPO"
  | "GIT_URL_REFUSED"
  | "GIT_REF_INVALID"
  | "GIT_REF_NOT_FOUND"
  | "GIT_FAILED"
  | "GIT_TIMEOUT"
  | "APPLICATION_INVALID"
  | "APPLICATION_NOT_FOUND"
  | "STATE_ERROR"
  | "POD_SECURITY_DENIED"
  | "PROJECT_DENIED"
  | "STATE_DB_MISSING"
  | "RENDER_TIMEOUT"
  | "RENDER_TOO_LARGE"
  | "VALUES_TOO_LARGE";

export interface Problem {
  /** Repository-relative file, when the problem comes from one. */
  file?: string;
  line?: number;
  column?: number;
  /** Field path such as `spec.template.spec.containers[0].image`. */
  field?: string;
  message: string;
  severity?: "error" | "warning";
}

export class CapstanError extends Error {
  readonly code: ErrorCode;
  readonly problems: Problem[];
  constructor(code: ErrorCode, message: string, options: { problems?: Problem[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CapstanError";
    this.code = code;
    this.problems = options.problems ?? [];
  }
}

/** `file:line:col: field: message` — the one way a Problem is printed. */
export function formatProblem(p: Problem): string {
  let where = p.file ?? "";
  if (p.file && p.line !== undefined) where += `:${p.line}`;
  if (p.file && p.line !== undefined && p.column !== undefined) where += `:${p.column}`;
  const parts = [where, p.field, p.message].filter((s): s is string => Boolean(s));
  const text = parts.join(": ");
  return p.severity === "warning" ? `warning: ${text}` : text;
}

export type Result<T> = { ok: true; value: T } | { ok: false; errors: Problem[] };
