import { describe, expect, it } from "vitest";
import { TemplateError } from "../../../src/template/errors.js";
import { GoStruct } from "../../../src/template/values.js";
import { goSet, renderError } from "./helpers.js";

describe("template errors read like Go's and say where", () => {
  it("a missing nested value names file, line, byte column and the expression", () => {
    const text = "kind: Deployment\nspec:\n  template:\n    image: {{ .Values.image.tag }}\n";
    const e = renderError(text, { Values: {} }, "deployment.yaml");
    // Go places a field chain at its second field (.image), as a byte offset within the line.
    expect(e.message).toBe(
      'template: deployment.yaml:4:21: executing "deployment.yaml" at <.Values.image.tag>: nil pointer evaluating interface {}.tag',
    );
    expect(e.code).toBe("TEMPLATE_EXEC_FAILED");
    expect(e.templateName).toBe("deployment.yaml");
    expect(e.line).toBe(4);
    expect(e.column).toBe(21);
  });

  it("columns count bytes, as Go does, after non-ASCII text", () => {
    const e = renderError("é ✓ {{ .a.b }}", { a: null });
    expect(e.message).toBe('template: t.yaml:1:12: executing "t.yaml" at <.a.b>: nil pointer evaluating interface {}.b');
    expect(e.column).toBe(12);
  });

  it("parse errors give the line and Go's wording", () => {
    const e = renderError("a: 1\nb: {{ .x | 3 }}\n");
    expect(e).toBeInstanceOf(TemplateError);
    expect(e.code).toBe("TEMPLATE_PARSE_FAILED");
    expect(e.message).toBe("template: t.yaml:2: non executable command in pipeline stage 2");
    expect(e.line).toBe(2);
  });

  it("an unclosed action reports where the action started", () => {
    const e = renderError("{{ if .a }}\nx\n{{ .b\n\n");
    expect(e.message).toBe("template: t.yaml:5: unclosed action started at t.yaml:3");
  });

  it("an unknown function is a parse error", () => {
    expect(renderError("{{ nosuch 1 }}").message).toBe('template: t.yaml:1: function "nosuch" not defined');
  });

  it("an error inside a define names the define and the file it lives in", () => {
    const set = goSet();
    set.parse("_helpers.tpl", '{{ define "app.name" }}\n{{ .Values.name.first }}{{ end }}');
    set.parse("svc.yaml", 'name: {{ template "app.name" . }}');
    expect(() => set.execute("svc.yaml", { Values: { name: "web" } })).toThrow(
      'template: _helpers.tpl:2:10: executing "app.name" at <.Values.name.first>: can\'t evaluate field first in type interface {}',
    );
  });

  it("an error inside an include is wrapped like Helm's", () => {
    const set = goSet();
    set.parse("_helpers.tpl", '{{ define "x" }}{{ index .list 5 }}{{ end }}');
    set.parse("cm.yaml", 'data: {{ include "x" . }}');
    expect(() => set.execute("cm.yaml", { list: [] })).toThrow(
      'template: cm.yaml:1:9: executing "cm.yaml" at <include "x" .>: error calling include: template: _helpers.tpl:1:19: executing "x" at <index .list 5>: error calling index: index out of range: 5',
    );
  });

  it("an include of an unknown template says which name", () => {
    expect(renderError('{{ include "nope" . }}').message).toBe(
      'template: t.yaml:1:3: executing "t.yaml" at <include "nope" .>: error calling include: template: no template "nope" associated with template "gotpl"',
    );
  });

  it("a missing field of a struct is Go's can't-evaluate error naming the struct type", () => {
    class ChartMetadata extends GoStruct {
      Name = "web";
      constructor() {
        super("*chart.Metadata");
      }
    }
    const set = goSet();
    set.parse("x", "{{ .Name }} {{ .Nmae }}");
    expect(() => set.execute("x", new ChartMetadata())).toThrow(
      'template: x:1:15: executing "x" at <.Nmae>: can\'t evaluate field Nmae in type *chart.Metadata',
    );
    // Reached through a map, the value's static type is interface{}, as Helm reports it.
    set.parse("y", "{{ .Chart.Nmae }}");
    expect(() => set.execute("y", { Chart: new ChartMetadata() })).toThrow(
      "can't evaluate field Nmae in type interface {}",
    );
  });

  it("wrong argument counts and types are reported as Go reports them", () => {
    expect(renderError('{{ printf }}').message).toBe(
      'template: t.yaml:1:3: executing "t.yaml" at <printf>: wrong number of args for printf: want at least 1 got 0',
    );
    expect(renderError("{{ not 1 2 }}").message).toBe(
      'template: t.yaml:1:3: executing "t.yaml" at <not>: wrong number of args for not: want 1 got 2',
    );
    expect(renderError("{{ printf 3 }}").message).toBe(
      'template: t.yaml:1:10: executing "t.yaml" at <3>: expected string; found 3',
    );
    expect(renderError("{{ printf .n }}", { n: 1.5 }).message).toBe(
      'template: t.yaml:1:10: executing "t.yaml" at <.n>: wrong type for value; expected string; got float64',
    );
  });

  it("comparing values of different kinds is an error, as in Go", () => {
    expect(renderError('{{ lt "a" 1 }}').message).toBe(
      'template: t.yaml:1:3: executing "t.yaml" at <lt "a" 1>: error calling lt: incompatible types for comparison',
    );
  });
});


describe("errors from helpers", () => {
  it("the innermost error of an include chain points into the helper file", () => {
    const set = goSet();
    set.parse("_helpers.tpl", '{{ define "a" }}{{ include "b" . }}{{ end }}\n{{ define "b" }}\n  {{ .x.y }}{{ end }}');
    set.parse("cm.yaml", 'v: {{ include "a" . }}');
    let err: unknown;
    try {
      set.execute("cm.yaml", { x: null });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateError);
    const e = err as TemplateError;
    expect(e.location).toBe("cm.yaml");
    expect(e.innermost.location).toBe("_helpers.tpl");
    expect(e.innermost.templateName).toBe("b");
    expect(e.innermost.line).toBe(3);
    expect(e.innermost.message).toBe(
      'template: _helpers.tpl:3:7: executing "b" at <.x.y>: nil pointer evaluating interface {}.y',
    );
  });
});
