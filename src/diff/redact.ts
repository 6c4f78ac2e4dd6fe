import { createHash } from "node:crypto";

/** What a Secret value shows as: never the value, a short hash so reviewers can tell values apart. */
export function secretHash(bytes: Buffer): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex").slice(0, 8)}`;
}

export const REDACTED_PREFIX = "(redacted ";

function redactValues(values: unknown, decode: (v: string) => Buffer): unknown {
  if (values === null || typeof values !== "object" || Array.isArray(values)) return values;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    out[k] = `${REDACTED_PREFIX}${secretHash(decode(typeof v === "string" ? v : JSON.stringify(v)))})`;
  }
  return out;
}

/**
 * A copy of `object` safe to print: for a Secret, every `data` and `stringData` value becomes
 * `(redacted sha256:1a2b3c4d)`. `data` is hashed after base64-decoding, so the same secret hashes
 * the same whichever field holds it.
 */
export function redactObject(kind: string, object: Record<string, unknown>): Record<string, unknown> {
  if (kind !== "Secret") return object;
  const out: Record<string, unknown> = { ...object };
  if ("data" in out) out.data = redactValues(out.data, (v) => Buffer.from(v, "base64"));
  if ("stringData" in out) out.stringData = redactValues(out.stringData, (v) => Buffer.from(v, "utf8"));
  return out;
}

export function isRedacted(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(REDACTED_PREFIX);
}
