import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { materializePod, runsSpec } from "../../../../src/controllers/pods/materialize.js";
import { LABEL } from "../../../../src/runtime/labels.js";
import { intent } from "./fixtures.js";

const opts = { stateDir: "/var/lib/capstan" };

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** The digest label of a container made before the commit left the digest: every label but the digest itself, its commit included. */
function digestBefore(labels: Record<string, string>, rest: Record<string, unknown>, files: unknown): string {
  const kept = Object.fromEntries(Object.entries(labels).filter(([k]) => k !== LABEL.specDigest));
  return createHash("sha256").update(canonical({ ...rest, labels: kept, files })).digest("hex").slice(0, 16);
}

describe("containers made by an earlier Capstan, whose digest covered the commit", () => {
  const template = { containers: [{ name: "web", image: "capstan-demo/web:v1" }] };

  it("still run the pod's spec when only the commit differs, so an upgraded daemon replaces nothing", () => {
    const old = materializePod(intent(template, { commit: "a".repeat(40) }), opts);
    const { labels, network, ...rest } = old.container;
    const live = { ...labels, [LABEL.specDigest]: digestBefore(labels ?? {}, { ...rest, network: network?.name }, old.files) };
    const now = materializePod(intent(template, { commit: "b".repeat(40) }), opts);
    expect(live[LABEL.specDigest]).not.toBe(now.digest);
    expect(runsSpec(live, now)).toBe(true);
  });

  it("do not when the template changed", () => {
    const old = materializePod(intent(template, { commit: "a".repeat(40) }), opts);
    const { labels, network, ...rest } = old.container;
    const live = { ...labels, [LABEL.specDigest]: digestBefore(labels ?? {}, { ...rest, network: network?.name }, old.files) };
    const changed = materializePod(intent({ containers: [{ name: "web", image: "capstan-demo/web:v2" }] }, { commit: "a".repeat(40) }), opts);
    expect(runsSpec(live, changed)).toBe(false);
  });
});
