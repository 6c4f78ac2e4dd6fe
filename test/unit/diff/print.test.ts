import { describe, expect, it } from "vitest";
import { diffObjects } from "../../../src/diff/objects.js";
import { printJSON, printMarkdown, printText, reportHasDifferences } from "../../../src/diff/print.js";
import type { DiffObject, DiffReport } from "../../../src/diff/types.js";

function deployment(image: string): DiffObject {
  return {
    key: "prod/Deployment/web",
    kind: "Deployment",
    name: "web",
    namespace: "prod",
    object: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "prod" },
      spec: { replicas: 3, template: { spec: { containers: [{ name: "web", image }] } } },
    },
  };
}

const secret = (v: string): DiffObject => ({
  key: "prod/Secret/db",
  kind: "Secret",
  name: "db",
  namespace: "prod",
  object: { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "prod" }, stringData: { password: v } },
});

function report(): DiffReport {
  return {
    repo: "/srv/deploy",
    apps: [
      {
        name: "web",
        base: { ref: "main", sha: "a".repeat(40) },
        revision: { ref: "pull/3/head", sha: "b".repeat(40) },
        result: diffObjects([deployment("capstan-demo/web:v1"), secret("hunter2")], [deployment("capstan-demo/web:v2"), secret("s3cret!")]),
        errors: [],
      },
    ],
  };
}

describe("diff printers", () => {
  it("prints a plain unified YAML diff per changed object, without colour unless asked", () => {
    const text = printText(report());
    expect(text).toContain("===== Application web: main (aaaaaaa) → pull/3/head (bbbbbbb) =====");
    expect(text).toContain("2 changed, 0 added, 0 removed, 0 unchanged");
    expect(text).toContain("Deployment web: 3 pods will be replaced (image capstan-demo/web:v1 → v2), rolling 1 at a time");
    expect(text).toContain("--- base/prod/Deployment/web\n+++ revision/prod/Deployment/web\n");
    expect(text).toContain("\n-          image: capstan-demo/web:v1\n+          image: capstan-demo/web:v2\n");
    expect(text).not.toContain("\x1b[");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("s3cret!");
    expect(text).toMatch(/- {2}password: \(redacted hmac:[0-9a-f]{12}\)\n\+ {2}password: \(redacted hmac:[0-9a-f]{12}\)/);
    expect(printText(report(), { color: true })).toContain("\x1b[32m+          image: capstan-demo/web:v2\x1b[0m");
  });

  it("prints markdown ready for a pull-request comment: summary table and one details section per object", () => {
    const md = printMarkdown(report());
    expect(md).toContain("| Application | Base → revision | Added | Changed | Removed |");
    expect(md).toContain("| web | `main (aaaaaaa)` → `pull/3/head (bbbbbbb)` | 0 | 2 | 0 |");
    expect(md).toContain("<details><summary>Deployment prod/web (changed)</summary>\n\n```diff\n--- base/prod/Deployment/web");
    expect(md).toContain("- Deployment web: 3 pods will be replaced (image capstan-demo/web:v1 → v2), rolling 1 at a time");
    expect(md.match(/<details>/g)).toHaveLength(2);
    expect(md.match(/<\/details>/g)).toHaveLength(2);
    expect(md).not.toContain("hunter2");
  });

  it("leaves out whole diff sections that would push a comment past its size limit, and says so", () => {
    const full = printMarkdown(report());
    const cut = printMarkdown(report(), { maxLength: full.length - 100 });
    expect(cut.length).toBeLessThanOrEqual(full.length - 100);
    expect(cut).toContain("| web | `main (aaaaaaa)` → `pull/3/head (bbbbbbb)` | 0 | 2 | 0 |");
    expect(cut).toContain("- Deployment web: 3 pods will be replaced");
    expect(cut.match(/<details>/g)).toHaveLength(1);
    expect(cut).toContain("_1 object diff left out to fit a pull-request comment; run `capstan diff` locally to see everything._");
    expect(full).not.toContain("left out");
  });

  it("prints JSON with a merge patch per changed object and no secret values", () => {
    const json = JSON.parse(printJSON(report()));
    expect(json.differences).toBe(true);
    const web = json.applications[0];
    expect(web.changed[0].key).toBe("prod/Deployment/web");
    expect(web.changed[0].mergePatch).toEqual({ spec: { template: { spec: { containers: [{ name: "web", image: "capstan-demo/web:v2" }] } } } });
    expect(JSON.stringify(json)).not.toContain("hunter2");
  });

  it("shows an error on one side while still reporting the other", () => {
    const r: DiffReport = {
      repo: "/srv/deploy",
      apps: [{ name: "web", errors: [{ side: "revision", message: "chart charts/web failed to render", problems: [{ file: "charts/web/templates/x.yaml", line: 3, message: "boom" }] }] }],
    };
    expect(printText(r)).toContain("error (revision): chart charts/web failed to render\n  charts/web/templates/x.yaml:3: boom");
    expect(printMarkdown(r)).toContain("| web ⚠️ revision failed | `?` → `?` | – | – | – |");
    expect(reportHasDifferences(r)).toBe(false);
  });
});
