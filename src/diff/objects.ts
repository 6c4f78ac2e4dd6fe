import { generate as mergePatch } from "json-merge-patch";
import { deepEqual, fieldChanges } from "./fields.js";
import { isRedacted, processRedactionKey, redactObject } from "./redact.js";
import type { RedactionKey } from "./redact.js";
import { rolloutImpact } from "./rollout.js";
import type { DiffObject, DiffResult, FieldChange, ObjectChange, ObjectEntry } from "./types.js";

function byKey(list: DiffObject[]): Map<string, DiffObject> {
  const map = new Map<string, DiffObject>();
  for (const o of list) map.set(o.key, o);
  return map;
}

export interface DiffOptions {
  /**
   * Secret values show as HMACs under this key: pass the installation's (`ensureRedactionKey`)
   * so markers match those in the state store. Default: a key random per process.
   */
  redactionKey?: RedactionKey;
}

function entry(o: DiffObject, rollout: string | undefined, secretKey: RedactionKey): ObjectEntry {
  const e: ObjectEntry = { key: o.key, kind: o.kind, name: o.name, namespace: o.namespace, object: redactObject(o.kind, o.object, secretKey) };
  if (rollout) e.rollout = rollout;
  return e;
}

// A changed Secret value reads `(changed hmac:…)`: the HMAC tells values apart, never what they are.
function secretField(f: FieldChange): FieldChange {
  if (isRedacted(f.to) && f.from !== undefined) return { ...f, to: f.to.replace(/^\(redacted /, "(changed ") };
  if (isRedacted(f.to)) return { ...f, to: f.to.replace(/^\(redacted /, "(added ") };
  return f;
}

/**
 * Pairs base and target objects by key (both already normalized by the caller) and says what was
 * added, removed and changed, field by field, with an RFC 7396 merge patch per changed object.
 * Secret `data`/`stringData` values are replaced by HMAC markers before anything is kept; a value
 * on one side equals a marker on the other (objects read back from the state store) when the
 * marker is that value's.
 */
export function diffObjects(base: DiffObject[], target: DiffObject[], options: DiffOptions = {}): DiffResult {
  const secretKey = options.redactionKey ?? processRedactionKey();
  const before = byKey(base);
  const after = byKey(target);
  const result: DiffResult = { added: [], removed: [], changed: [], unchanged: [] };
  for (const [key, t] of after) {
    const b = before.get(key);
    if (!b) {
      result.added.push(entry(t, rolloutImpact(t.kind, t.name, undefined, t.object), secretKey));
      continue;
    }
    if (deepEqual(b.object, t.object)) {
      result.unchanged.push(key);
      continue;
    }
    const rb = redactObject(b.kind, b.object, secretKey);
    const rt = redactObject(t.kind, t.object, secretKey);
    if (deepEqual(rb, rt)) {
      result.unchanged.push(key);
      continue;
    }
    const change: ObjectChange = {
      key,
      kind: t.kind,
      name: t.name,
      namespace: t.namespace,
      fields: fieldChanges(rb, rt).map(secretField),
      mergePatch: mergePatch(rb, rt) ?? {},
      base: rb,
      target: rt,
    };
    const rollout = rolloutImpact(t.kind, t.name, b.object, t.object);
    if (rollout) change.rollout = rollout;
    result.changed.push(change);
  }
  for (const [key, b] of before) {
    if (!after.has(key)) result.removed.push(entry(b, rolloutImpact(b.kind, b.name, b.object, undefined), secretKey));
  }
  const order = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  result.added.sort(order);
  result.removed.sort(order);
  result.changed.sort(order);
  result.unchanged.sort();
  return result;
}

export function hasDifferences(result: DiffResult): boolean {
  return result.added.length + result.removed.length + result.changed.length > 0;
}
