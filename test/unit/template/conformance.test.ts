import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TemplateError } from "../../../src/template/errors.js";
import { renderGoTemplate } from "../../../src/template/render.js";
import type { GoValue } from "../../../src/template/values.js";

interface Case {
  name: string;
  template: string;
  data: GoValue;
  output?: string;
  error?: unknown;
}

const file = new URL("../../../../shared/conformance/go-template.json", import.meta.url);
const cases = JSON.parse(readFileSync(file, "utf8")) as Case[];

describe("templates render exactly as Go's text/template with Helm's options", () => {
  it("the conformance file holds cases", () => {
    expect(cases.length).toBeGreaterThan(100);
  });

  for (const c of cases) {
    const expectsError = c.error !== undefined && c.error !== null && c.error !== false;
    it(`${c.name}: ${expectsError ? "fails" : "renders"} like Go`, () => {
      if (expectsError) {
        expect(() => renderGoTemplate(c.template, c.data)).toThrow(TemplateError);
      } else {
        expect(renderGoTemplate(c.template, c.data)).toBe(c.output);
      }
    });
  }
});
