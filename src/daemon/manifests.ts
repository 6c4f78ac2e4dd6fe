import { createHash } from "node:crypto";
import { stringify } from "yaml";
import type { RenderedObject } from "../application/index.js";

/**
 * The text a revision row keeps: every rendered object as YAML, Secret values replaced by a short
 * hash so no plain secret is stored. Rollback re-renders the revision's commit from Git, so the
 * stored text is for history, diff and digest only.
 */
export function revisionManifests(objects: readonly RenderedObject[]): string {
  return objects
    .map((o) => stringify(o.kind === "Secret" ? redactSecret(o.object) : o.object, { lineWidth: 0, sortMapEntries: true }))
    .map((doc) => `---\n${doc}`)
    .join("");
}

function redactSecret(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...object };
  for (const field of ["data", "stringData"]) {
    const values = object[field];
    if (values && typeof values === "object") {
      out[field] = Object.fromEntries(
        Object.entries(values as Record<string, unknown>).map(([k, v]) => [k, `(hidden sha256:${createHash("sha256").update(String(v)).digest("hex").slice(0, 12)})`]),
      );
    }
  }
  return out;
}
