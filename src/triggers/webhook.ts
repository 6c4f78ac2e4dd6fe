/**
 * Webhooks from Git hosts, as pure functions over headers and the raw body: size first, then the
 * signature (constant time), then JSON, then the repositories named. A verified push only asks for
 * a refresh of the repositories it names; nothing here applies anything.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { DEFAULT_WEBHOOK_MAX_BYTES, tooLarge } from "./body.js";

export type WebhookProvider = "github" | "gitlab" | "gitea" | "generic";

/** Secret per provider; a provider without one is refused (webhooks are never accepted unsigned). */
export interface WebhookSecrets {
  /** For `X-Hub-Signature-256`. */
  github?: string;
  /** Compared with `X-Gitlab-Token`. */
  gitlab?: string;
  /** For `X-Gitea-Signature`. */
  gitea?: string;
  /** For `X-Capstan-Signature`. */
  generic?: string;
}

export interface WebhookOptions {
  secrets: WebhookSecrets;
  /** Largest body accepted, 1 MiB by default. */
  maxBytes?: number;
}

export interface WebhookRequest {
  /** As Node gives them (lower-case names), though any case is accepted. */
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array | string;
}

export type WebhookErrorCode =
  | "WEBHOOK_PAYLOAD_TOO_LARGE"
  | "WEBHOOK_UNKNOWN_SENDER"
  | "WEBHOOK_SECRET_NOT_SET"
  | "WEBHOOK_UNSIGNED"
  | "WEBHOOK_SIGNATURE_MALFORMED"
  | "WEBHOOK_SIGNATURE_MISMATCH"
  | "WEBHOOK_MALFORMED_JSON"
  | "WEBHOOK_NO_REPOSITORY";

export type WebhookResult =
  /** A push: refresh these repositories. `after` is the new head (all zeros for a deleted branch). */
  | { status: 202; provider: WebhookProvider; event: string; repos: string[]; ref: string | null; after: string | null }
  /** Verified, but nothing to do (a ping, or an event that is not a push). */
  | { status: 204; provider: WebhookProvider; event: string; reason: string }
  | { status: 400 | 401 | 413; code: WebhookErrorCode; message: string };

type Failure = Extract<WebhookResult, { code: WebhookErrorCode }>;

const fail = (status: 400 | 401, code: WebhookErrorCode, message: string): Failure => ({ status, code, message });

function header(headers: WebhookRequest["headers"], name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name) continue;
    const value = Array.isArray(v) ? v[0] : v;
    return value === undefined ? undefined : value.trim();
  }
  return undefined;
}

/** Equal bytes, compared in constant time; unequal lengths are rejected before comparing. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

interface Sender {
  provider: WebhookProvider;
  event: string;
  verify(body: Buffer, secret: string): Failure | null;
}

const HEX64 = /^[0-9a-fA-F]{64}$/;

function hmacCheck(provider: WebhookProvider, headerName: string, given: string | undefined, prefix: string): Sender["verify"] {
  return (body, secret) => {
    if (given === undefined || given === "") {
      return fail(401, "WEBHOOK_UNSIGNED", `${provider} webhook has no ${headerName} header; set the same secret on the webhook in the Git host`);
    }
    const hex = prefix ? (given.startsWith(prefix) ? given.slice(prefix.length) : null) : given;
    if (hex === null || !HEX64.test(hex)) {
      return fail(401, "WEBHOOK_SIGNATURE_MALFORMED", `${provider} webhook ${headerName} is not ${prefix}<64 hex digits> (HMAC-SHA256 of the body)`);
    }
    const expected = createHmac("sha256", secret).update(body).digest();
    if (!constantTimeEqual(Buffer.from(hex, "hex"), expected)) {
      return fail(401, "WEBHOOK_SIGNATURE_MISMATCH", `${provider} webhook ${headerName} does not match the body; check that the webhook secret equals the one Capstan is configured with`);
    }
    return null;
  };
}

function tokenCheck(given: string | undefined): Sender["verify"] {
  return (_body, secret) => {
    if (given === undefined || given === "") {
      return fail(401, "WEBHOOK_UNSIGNED", "gitlab webhook has no X-Gitlab-Token header; set the secret token on the webhook in GitLab");
    }
    // Hashing both sides first keeps the comparison constant-time in the token's length too.
    const a = createHash("sha256").update(given).digest();
    const b = createHash("sha256").update(secret).digest();
    if (!constantTimeEqual(a, b)) {
      return fail(401, "WEBHOOK_SIGNATURE_MISMATCH", "gitlab webhook X-Gitlab-Token does not match; check that the secret token equals the one Capstan is configured with");
    }
    return null;
  };
}

/** Who sent it, by header. Gitea also sends GitHub's headers, so it is recognised first. */
function sender(headers: WebhookRequest["headers"]): Sender | null {
  const gitea = header(headers, "x-gitea-event");
  if (gitea !== undefined) return { provider: "gitea", event: gitea, verify: hmacCheck("gitea", "X-Gitea-Signature", header(headers, "x-gitea-signature"), "") };
  const gitlab = header(headers, "x-gitlab-event");
  if (gitlab !== undefined) return { provider: "gitlab", event: gitlab, verify: tokenCheck(header(headers, "x-gitlab-token")) };
  const github = header(headers, "x-github-event");
  if (github !== undefined) return { provider: "github", event: github, verify: hmacCheck("github", "X-Hub-Signature-256", header(headers, "x-hub-signature-256"), "sha256=") };
  const generic = header(headers, "x-capstan-signature");
  if (generic !== undefined) {
    return { provider: "generic", event: header(headers, "x-capstan-event") ?? "push", verify: hmacCheck("generic", "X-Capstan-Signature", generic, "sha256=") };
  }
  return null;
}

function isPush(s: Sender): boolean | "ping" {
  const e = s.event.toLowerCase();
  if (e === "ping") return "ping";
  switch (s.provider) {
    case "github":
    case "gitea":
    case "generic":
      return e === "push";
    case "gitlab":
      return e === "push hook" || e === "tag push hook";
  }
}

const URL_KEYS = ["clone_url", "ssh_url", "git_url", "html_url", "url", "git_http_url", "git_ssh_url", "http_url", "web_url", "homepage", "svn_url"];

/** Every repository URL a push payload carries, in the forms GitHub, GitLab, Gitea and the generic form use. */
export function repoURLsOf(payload: unknown): string[] {
  const out = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === "string" && v.trim() !== "") out.add(v.trim());
  };
  if (payload === null || typeof payload !== "object") return [];
  const p = payload as Record<string, unknown>;
  for (const key of ["repository", "project"]) {
    const obj = p[key];
    if (typeof obj === "string") add(obj);
    else if (obj && typeof obj === "object") for (const k of URL_KEYS) add((obj as Record<string, unknown>)[k]);
  }
  add(p.repo);
  if (Array.isArray(p.repos)) p.repos.forEach(add);
  return [...out];
}

/**
 * Answers one webhook request. Order matters for safety: the size cap comes before anything reads
 * the body, and the signature before the JSON parser sees a byte.
 */
export function handleWebhook(req: WebhookRequest, options: WebhookOptions): WebhookResult {
  const maxBytes = options.maxBytes ?? DEFAULT_WEBHOOK_MAX_BYTES;
  const body = typeof req.body === "string" ? Buffer.from(req.body) : Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);
  if (body.length > maxBytes) {
    const t = tooLarge(maxBytes, body.length);
    return { status: 413, code: t.code, message: t.message };
  }
  const s = sender(req.headers);
  if (!s) {
    return fail(400, "WEBHOOK_UNKNOWN_SENDER", "no X-GitHub-Event, X-Gitlab-Event, X-Gitea-Event or X-Capstan-Signature header: not a webhook Capstan understands");
  }
  const secret = options.secrets[s.provider];
  if (!secret) {
    return fail(401, "WEBHOOK_SECRET_NOT_SET", `no secret is configured for ${s.provider} webhooks, so none can be verified (set webhook.secrets.${s.provider} in the configuration)`);
  }
  const problem = s.verify(body, secret);
  if (problem) return problem;

  let payload: unknown;
  try {
    payload = JSON.parse(body.toString("utf8"));
  } catch (err) {
    return fail(400, "WEBHOOK_MALFORMED_JSON", `${s.provider} webhook body is not JSON: ${(err as Error).message}`);
  }
  const kind = isPush(s);
  if (kind === "ping") return { status: 204, provider: s.provider, event: s.event, reason: "ping" };
  if (!kind) return { status: 204, provider: s.provider, event: s.event, reason: `${s.event} events do not change a branch; ignored` };
  const repos = repoURLsOf(payload);
  if (repos.length === 0) {
    return fail(400, "WEBHOOK_NO_REPOSITORY", `${s.provider} push names no repository (expected repository.clone_url, project.git_http_url or, in the generic form, "repo")`);
  }
  const p = (payload && typeof payload === "object" ? payload : {}) as Record<string, unknown>;
  return {
    status: 202,
    provider: s.provider,
    event: s.event,
    repos,
    ref: typeof p.ref === "string" ? p.ref : null,
    after: typeof p.after === "string" ? p.after : null,
  };
}
