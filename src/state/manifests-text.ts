/**
 * A revision's manifests text as the store keeps it: no plain Secret value in it, whoever wrote
 * it. Parsing YAML is slow (most of a second for a few hundred objects), so only documents that
 * could hold a Secret are read, and the text is kept byte for byte when none holds a plain value.
 */
import { parseAllDocuments, stringify } from "yaml";
import { CapstanError } from "../errors.js";
import { redactSecrets } from "../diff/redact.js";
import type { RedactionKey } from "../diff/redact.js";

// A document marker at the start of a line always ends the document before it: YAML forbids one
// inside any scalar, so cutting here never splits a value.
const DOCUMENT_START = /^---(?=[ \t\r\n]|$)/gm;

/**
 * A document can only yield `kind: Secret` if its text spells `Secret`, or escapes it in a
 * double-quoted scalar (`"Secr\x65t"`, or a line continuation), which needs a backslash.
 */
const MAY_HOLD_SECRET = /Secret|\\/;

function bad(message: string): never {
  throw new CapstanError("STATE_ERROR", message);
}

function documentsOf(text: string): string[] {
  const starts = [...text.matchAll(DOCUMENT_START)].map((m) => m.index);
  if (starts[0] !== 0) starts.unshift(0);
  return starts.map((start, i) => text.slice(start, starts[i + 1] ?? text.length));
}

/**
 * `text` unchanged when no Secret in it holds a plain value (what `revisionManifests` writes),
 * else with each document that does rewritten, every such value an HMAC marker under `key`. A
 * document that may hold a Secret and is not YAML is refused, since what it hides cannot be told.
 */
export function secretFreeManifests(app: string, text: string, key: RedactionKey): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  // Directives (`%YAML`, `%TAG`) reach across the documents after them: read the text whole.
  const pieces = /^%/m.test(text) ? [text] : documentsOf(text);
  let changed = false;
  const kept = pieces.map((piece) => {
    if (!MAY_HOLD_SECRET.test(piece)) return piece;
    const redacted = redactPiece(app, piece, key);
    if (redacted !== piece) changed = true;
    return redacted;
  });
  return changed ? kept.join("") : text;
}

function redactPiece(app: string, piece: string, key: RedactionKey): string {
  let changed = false;
  const values = parseAllDocuments(piece).map((doc) => {
    const error = doc.errors[0];
    if (error) bad(`application ${app}: the revision's manifests are not valid YAML (${error.message}); nothing was stored`);
    let value: unknown;
    try {
      value = doc.toJS();
    } catch (err) {
      bad(`application ${app}: the revision's manifests cannot be read as YAML (${(err as Error).message}); nothing was stored`);
    }
    const redacted = redactSecrets(value, key);
    if (redacted !== value) changed = true;
    return redacted;
  });
  if (!changed) return piece;
  return values
    .filter((v) => v !== null && v !== undefined)
    .map((v) => `---\n${stringify(v, { lineWidth: 0, sortMapEntries: true, aliasDuplicateObjects: false })}`)
    .join("");
}
