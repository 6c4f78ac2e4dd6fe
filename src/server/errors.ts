/**
 * Every error the API returns is JSON `{ code, message }`: never an HTML page, never a stack.
 * CapstanError codes keep their name; HTTP-level failures get the codes below.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { CapstanError, type ErrorCode } from "../errors.js";
import { formatBytes } from "../triggers/body.js";

export type ApiErrorCode =
  | ErrorCode
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "INTERNAL";

export interface ApiError {
  code: ApiErrorCode;
  message: string;
}

/** The HTTP status a CapstanError's code maps to. */
export function statusForCode(code: ErrorCode): number {
  switch (code) {
    case "APPLICATION_NOT_FOUND":
    case "CONTAINER_NOT_FOUND":
    case "GIT_REF_NOT_FOUND":
      return 404;
    case "USAGE":
    case "GIT_REF_INVALID":
      return 400;
    case "APPLICATION_INVALID":
    case "CHART_INVALID":
    case "CHART_RENDER_FAILED":
    case "VALUES_INVALID":
    case "MANIFEST_INVALID":
    case "TEMPLATE_PARSE_FAILED":
    case "TEMPLATE_EXEC_FAILED":
    case "PATH_OUTSIDE_REPO":
    case "GIT_URL_REFUSED":
    case "RENDER_TIMEOUT":
    case "RENDER_TOO_LARGE":
    case "VALUES_TOO_LARGE":
    case "POD_SECURITY_DENIED":
    case "PROJECT_DENIED":
      return 422;
    case "RUNTIME_UNAVAILABLE":
    case "GIT_TIMEOUT":
    case "EXEC_TIMEOUT":
      return 503;
    default:
      return 500;
  }
}

const CODE_FOR_STATUS: Record<number, ApiErrorCode> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
};

/** Names the request part a schema failure is about in words a user reads (`app name`, `tail`). */
function validationMessage(err: FastifyError): string {
  const first = err.validation?.[0];
  const context = err.validationContext ?? "request";
  if (!first) return err.message;
  const field = first.instancePath.replace(/^\//, "").replace(/\//g, ".");
  const where = field ? `${context === "params" ? "path" : context} parameter '${field}'` : `${context === "body" ? "request body" : context}`;
  const hint = HINTS[`${context}.${field}`];
  return `${where} ${first.message ?? "is invalid"}${hint ? ` (${hint})` : ""}`;
}

const HINTS: Record<string, string> = {
  "params.name": "an application name is a DNS-1123 label: lower-case letters, digits and '-', at most 63 characters",
  "params.pod": "a pod name is lower-case letters, digits, '-' and '.', at most 253 characters",
  "querystring.tail": "tail is a whole number of lines from 1 to 10000",
  "querystring.limit": "limit is a whole number",
  "querystring.revision": "revision is a revision id such as 3",
  "querystring.since": "since is an ISO 8601 time such as 2026-01-02T03:04:05Z",
  "body.revision": "revision is a revision id such as \"3\" or a commit SHA of 4 to 40 hex digits",
};

/** `bodyLimit` is the limit the request was held to (fastify's, per route), for the 413 message. */
export function toApiError(err: unknown, bodyLimit?: number): { status: number; body: ApiError } {
  if (err instanceof CapstanError) {
    return { status: statusForCode(err.code), body: { code: err.code, message: err.message } };
  }
  const fe = err as FastifyError;
  if (fe && Array.isArray(fe.validation)) {
    return { status: 400, body: { code: "BAD_REQUEST", message: validationMessage(fe) } };
  }
  switch (fe?.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, body: { code: "BAD_REQUEST", message: `request body is not valid JSON: ${fe.message}` } };
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return {
        status: 413,
        body: { code: "PAYLOAD_TOO_LARGE", message: `request body is larger than the limit${bodyLimit === undefined ? "" : ` of ${formatBytes(bodyLimit)}`}` },
      };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { status: 415, body: { code: "UNSUPPORTED_MEDIA_TYPE", message: "send the request body as application/json" } };
  }
  const status = typeof fe?.statusCode === "number" ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    return { status, body: { code: CODE_FOR_STATUS[status] ?? "BAD_REQUEST", message: fe.message } };
  }
  return { status: 500, body: { code: "INTERNAL", message: "internal error; the daemon log has the details" } };
}

export function sendError(reply: FastifyReply, status: number, body: ApiError): FastifyReply {
  return reply.code(status).type("application/json; charset=utf-8").send(body);
}

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body } = toApiError(err, req.routeOptions.bodyLimit);
  if (status >= 500) req.log.error({ err }, "request failed");
  return sendError(reply, status, body);
}
