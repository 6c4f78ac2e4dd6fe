import { describe, expect, it } from "vitest";
import { TemplateError, TemplateSet, renderTemplate } from "../../../src/template/index.js";

describe("the template engine's public entry point", () => {
  it("renderTemplate parses and runs a text, removing <no value> like Helm", () => {
    expect(renderTemplate("{{ .a }}-{{ .missing }}", { a: 1 }, { funcs: "go" })).toBe("1-");
  });

  it("renderTemplate throws TemplateError named after the given name", () => {
    expect(() => renderTemplate("{{ .a.b }}", { a: null }, { funcs: "go", name: "x.yaml" })).toThrow(TemplateError);
    expect(() => renderTemplate("{{ .a.b }}", { a: null }, { funcs: "go", name: "x.yaml" })).toThrow(/^template: x\.yaml:1:5: /);
  });

  it("a default set has Helm's include and tpl", () => {
    const set = new TemplateSet();
    set.parse("a", '{{ define "x" }}X{{ end }}{{ include "x" . }}{{ tpl "{{ .v }}" . }}');
    expect(set.execute("a", { v: "V" })).toBe("XV");
  });

  it("Go's function set has no Helm functions", () => {
    const set = new TemplateSet({ funcs: "go" });
    expect(() => set.parse("a", '{{ include "x" . }}')).toThrow('template: a:1: function "include" not defined');
  });
});
