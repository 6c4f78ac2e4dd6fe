import { stringify } from "yaml";
import type { RenderedObject } from "../application/index.js";
import { redactSecrets } from "../diff/redact.js";
import type { RedactionKey } from "../diff/redact.js";

export interface RevisionManifestsOptions {
  /**
   * The installation's key (`ensureRedactionKey(stateDir)`), so the markers match the ones the
   * state store and the diff make; by default a key random per process.
   */
  redactionKey?: RedactionKey;
}

/**
 * The text a revision row keeps: every rendered object as YAML, each Secret value an HMAC marker
 * (`(redacted hmac:…)`) so no plain secret is stored (the store enforces it too). Rollback
 * re-renders the revision's commit from Git, so the stored text is for history, diff and digest only.
 */
export function revisionManifests(objects: readonly RenderedObject[], options: RevisionManifestsOptions = {}): string {
  return objects
    .map((o) =>
      stringify(redactSecrets(o.object, options.redactionKey), {
        lineWidth: 0,
        sortMapEntries: true,
        // No anchors for objects a chart repeats: every document reads whole.
        aliasDuplicateObjects: false,
      }),
    )
    .map((doc) => `---\n${doc}`)
    .join("");
}
