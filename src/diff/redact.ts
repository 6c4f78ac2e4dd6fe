/**
 * Secret values are never shown or kept. Each becomes a marker holding an HMAC-SHA256 of the value
 * under a per-installation key (`<stateDir>/redaction.key`): equal values read equal within one
 * installation, so a diff still says "changed", but a guessed password cannot be confirmed from a
 * PR comment or a copied database the way a plain hash could. With no key given, a key random per
 * process is used: never a plain hash.
 */
import { createHmac, createSecretKey, randomBytes, type KeyObject } from "node:crypto";

/** A secret key object: printing it shows its size, never its bytes. */
export type RedactionKey = KeyObject;

export const REDACTION_KEY_BYTES = 32;

/** A key from raw bytes (the contents of `redaction.key`). */
export function redactionKey(bytes: Uint8Array): RedactionKey {
  if (bytes.length < REDACTION_KEY_BYTES) throw new RangeError(`a redaction key needs ${REDACTION_KEY_BYTES} bytes, got ${bytes.length}`);
  return createSecretKey(Buffer.from(bytes));
}

const processKey = redactionKey(randomBytes(REDACTION_KEY_BYTES));

/** The key used when a caller passes none: random, and the same for the life of this process. */
export function processRedactionKey(): RedactionKey {
  return processKey;
}

/** HMAC-SHA256 of a secret value, 64 hex digits. */
export function secretDigest(bytes: Uint8Array, key: RedactionKey = processKey): string {
  return createHmac("sha256", key).update(bytes).digest("hex");
}

const SHOWN_HEX = 12;

/** What a Secret value shows as: `hmac:` and 12 hex digits of its HMAC, enough to tell values apart. */
export function secretHash(bytes: Uint8Array, key: RedactionKey = processKey): string {
  return `hmac:${secretDigest(bytes, key).slice(0, SHOWN_HEX)}`;
}

export const REDACTED_PREFIX = "(redacted ";
/** `(redacted)` alone stands for a value hidden before markers were HMACs (see sqlite-schema.ts): nothing of it is known. */
const SHOWN_MARKER = /^\(redacted(?: hmac:[0-9a-f]{12})?\)$/;

/**
 * The applier's desired store keeps the whole HMAC (`capstan-redacted:hmac:<64 hex>`) so a
 * rollback can tell for certain whether Git's value is the one it replaced.
 */
export const STORED_PREFIX = "capstan-redacted:";
const STORED_MARKER = /^capstan-redacted:hmac:([0-9a-f]{64})$/;

export function storedMarker(bytes: Uint8Array, key: RedactionKey = processKey): string {
  return `${STORED_PREFIX}hmac:${secretDigest(bytes, key)}`;
}

/** The full HMAC in a stored marker, or undefined when `value` is not one. */
export function storedDigest(value: unknown): string | undefined {
  return typeof value === "string" ? STORED_MARKER.exec(value)?.[1] : undefined;
}

export type SecretField = "data" | "stringData";
export const SECRET_FIELDS: readonly SecretField[] = ["data", "stringData"];

/**
 * The bytes a Secret value stands for: `data` is base64-decoded, so the same secret gives the same
 * marker whichever field holds it. Values that are not strings (a number in stringData) count as
 * their JSON text.
 */
export function secretBytes(field: SecretField, value: unknown): Buffer {
  const text = typeof value === "string" ? value : jsonText(value);
  return field === "data" ? Buffer.from(text, "base64") : Buffer.from(text, "utf8");
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? String(value);
}

/**
 * The shown marker for one value. Markers pass through unchanged (objects read back from the state
 * store hold them already), and a desired-store marker shows as the same short form.
 */
function shownValue(field: SecretField, value: unknown, key: RedactionKey): string {
  if (isRedacted(value)) return value;
  const stored = storedDigest(value);
  if (stored !== undefined) return `${REDACTED_PREFIX}hmac:${stored.slice(0, SHOWN_HEX)})`;
  return `${REDACTED_PREFIX}${secretHash(secretBytes(field, value), key)})`;
}

function redactField(field: SecretField, values: unknown, key: RedactionKey): unknown {
  if (values === null || values === undefined) return values;
  if (typeof values === "object" && !Array.isArray(values)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) out[k] = shownValue(field, v, key);
    return out;
  }
  // Not a map (a malformed Secret): the whole field is one value, and just as secret.
  return shownValue(field, values, key);
}

/**
 * A copy of `object` safe to print or keep: for a Secret, every `data` and `stringData` value
 * becomes `(redacted hmac:1a2b3c4d5e6f)`, an HMAC under `key`. Other kinds come back as they are.
 */
export function redactObject(kind: string, object: Record<string, unknown>, key: RedactionKey = processKey): Record<string, unknown> {
  if (kind !== "Secret") return object;
  const out: Record<string, unknown> = { ...object };
  for (const field of SECRET_FIELDS) if (field in out) out[field] = redactField(field, out[field], key);
  return out;
}

/**
 * `value` with every Secret in it redacted (see `redactObject`), at any depth: a list's items, an
 * object embedding a Secret. What needs no change is returned as it is (same reference).
 */
export function redactSecrets<T>(value: T, key: RedactionKey = processKey): T {
  return walk(value, key) as T;
}

function walk(value: unknown, key: RedactionKey): unknown {
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = walk(v, key);
      if (r !== v) changed = true;
      return r;
    });
    return changed ? out : value;
  }
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  if (obj.kind === "Secret" && SECRET_FIELDS.some((f) => f in obj)) return redactObject("Secret", obj, key);
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(obj)) {
    const r = walk(v, key);
    if (r !== v) (out ??= { ...obj })[k] = r;
  }
  return out ?? value;
}

/** True for a shown marker, `(redacted hmac:…)` (or `(redacted)`, from before markers were HMACs). */
export function isRedacted(value: unknown): value is string {
  return typeof value === "string" && SHOWN_MARKER.test(value);
}
