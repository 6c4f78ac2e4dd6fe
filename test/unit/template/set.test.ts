import { describe, expect, it } from "vitest";
import { TemplateError } from "../../../src/template/errors.js";
import { goSet, render, renderError } from "./helpers.js";

describe("a template set is one namespace for a chart's files", () => {
  it("helpers defined in one file are usable from every other file", () => {
    const set = goSet();
    set.parse("web/templates/_helpers.tpl", '{{- define "web.fullname" -}}{{ .Release.Name }}-web{{- end -}}');
    set.parse("web/templates/svc.yaml", 'name: {{ include "web.fullname" . }}');
    set.parse("web/templates/cm.yaml", 'name: {{ template "web.fullname" . }}-config');
    const data = { Release: { Name: "prod" } };
    expect(set.execute("web/templates/svc.yaml", data)).toBe("name: prod-web");
    expect(set.execute("web/templates/cm.yaml", data)).toBe("name: prod-web-config");
    expect(set.has("web.fullname")).toBe(true);
    expect(set.names()).toEqual(["web.fullname", "web/templates/_helpers.tpl", "web/templates/cm.yaml", "web/templates/svc.yaml"]);
  });

  it("a later file's define replaces an earlier one, but an empty body never replaces", () => {
    const set = goSet();
    set.parse("sub/_helpers.tpl", '{{ define "x" }}sub{{ end }}');
    set.parse("parent/_helpers.tpl", '{{ define "x" }}parent{{ end }}');
    set.parse("other.tpl", '{{ define "x" }}{{ end }}');
    set.parse("a.yaml", '{{ template "x" }}');
    expect(set.execute("a.yaml", {})).toBe("parent");
  });

  it("defining a name twice in one file is Go's multiple-definition error", () => {
    const set = goSet();
    expect(() => set.parse("a.tpl", '{{ define "x" }}1{{ end }}{{ define "x" }}2{{ end }}')).toThrow(
      'template: a.tpl:1: template: multiple definition of template "x"',
    );
  });

  it("block defines a default that another file can override", () => {
    const set = goSet();
    set.parse("base.yaml", '<{{ block "content" . }}default {{ . }}{{ end }}>');
    expect(set.execute("base.yaml", "v")).toBe("<default v>");
    set.parse("override.tpl", '{{ define "content" }}custom {{ . }}{{ end }}');
    expect(set.execute("base.yaml", "v")).toBe("<custom v>");
  });

  it("executing an unknown name is an error", () => {
    expect(() => goSet().execute("nope.yaml", {})).toThrow(TemplateError);
  });
});

describe("include and tpl", () => {
  it("include returns the output as a string that can be piped on", () => {
    expect(render('{{ define "n" }}abc{{ end }}{{ include "n" . | len }}')).toBe("3");
  });

  it("include keeps <no value> in its string; the file's output drops it afterwards", () => {
    expect(render('{{ define "n" }}{{ .missing }}{{ end }}{{ include "n" . | len }} [{{ include "n" . }}]')).toBe("10 []");
  });

  it("tpl renders text with the given values and sees the chart's templates", () => {
    const set = goSet();
    set.parse("_h.tpl", '{{ define "greet" }}hello {{ . }}{{ end }}');
    set.parse("a.yaml", "{{ tpl .Values.text . }}");
    const data = { Values: { text: '{{ include "greet" .Values.who }} / {{ .Values.missing }}.', who: "web" } };
    expect(set.execute("a.yaml", data)).toBe("hello web / .");
  });

  it("templates a tpl text defines are visible to that text only", () => {
    const set = goSet();
    set.parse("a.yaml", '{{ tpl "{{ define \\"t\\" }}T{{ end }}{{ include \\"t\\" . }}" . }}');
    expect(set.execute("a.yaml", {})).toBe("T");
    expect(set.has("t")).toBe(false);
  });

  it("tpl renders the same text again and again with each call's values", () => {
    const set = goSet();
    set.parse("a.yaml", '{{ range .items }}{{ tpl "[{{ .n }}]" . }}{{ end }}');
    expect(set.execute("a.yaml", { items: [{ n: 1 }, { n: 2 }, { n: 3 }] })).toBe("[1][2][3]");
    expect(set.execute("a.yaml", { items: [{ n: "x" }] })).toBe("[x]");
  });

  it("a tpl text that fails to parse fails every time it is used", () => {
    const set = goSet();
    set.parse("a.yaml", '{{ tpl "{{ .x " . }}');
    expect(() => set.execute("a.yaml", {})).toThrow("cannot parse template");
    expect(() => set.execute("a.yaml", {})).toThrow("cannot parse template");
  });

  it("a tpl parse error is reported with the text and Go's message", () => {
    expect(renderError('{{ tpl "{{ .x " . }}').message).toBe(
      'template: t.yaml:1:3: executing "t.yaml" at <tpl "{{ .x " .>: error calling tpl: cannot parse template "{{ .x ": template: gotpl:1: unclosed action',
    );
  });

  it("recursive include stops at Helm's limit with Helm's message instead of crashing", () => {
    const e = renderError('{{ define "r" }}x{{ include "r" . }}{{ end }}{{ include "r" . }}');
    expect(e.code).toBe("TEMPLATE_EXEC_FAILED");
    expect(e.message).toMatch(/^template: t\.yaml:1:48: executing "t\.yaml" at <include "r" \.>: error calling include: /);
    expect(e.message).toMatch(/rendering template has a nested reference name: r: unable to execute template$/);
  });

  it("the include limit can be lowered", () => {
    const set = goSet({ maxIncludeDepth: 3 });
    set.parse("t", '{{ define "r" }}{{ if lt (len .) 10 }}x{{ include "r" (printf "%s." .) }}{{ end }}{{ end }}{{ include "r" "" }}');
    expect(() => set.execute("t", {})).toThrow("rendering template has a nested reference name: r");
    set.parse("u", '{{ include "r" "......." }}');
    expect(set.execute("u", {})).toBe("xxx");
  });

  it("recursive template calls end in an error, not a crash", () => {
    const e = renderError('{{ define "r" }}x{{ template "r" . }}{{ end }}{{ template "r" . }}');
    expect(e).toBeInstanceOf(TemplateError);
    expect(e.message).toContain("exceeded maximum template depth");
  });
});

describe("output limit", () => {
  it("output beyond the limit is a TemplateError", () => {
    const set = goSet({ maxOutputBytes: 1000 });
    set.parse("big", "{{ range .l }}{{ $.s }}{{ end }}");
    const data = { l: Array.from({ length: 20 }, () => 0), s: "x".repeat(100) };
    expect(() => set.execute("big", data)).toThrow(/output exceeds the limit of 1000 bytes/);
  });

  it("the default limit is 64 MiB", () => {
    const set = goSet();
    set.parse("big", "{{ range .l }}{{ $.s }}{{ end }}");
    const s = "x".repeat(1024 * 1024);
    expect(set.execute("big", { l: Array.from({ length: 64 }, () => 0), s }).length).toBe(64 * 1024 * 1024);
    expect(() => set.execute("big", { l: Array.from({ length: 65 }, () => 0), s })).toThrow(TemplateError);
  });

  it("include output counts against the limit too", () => {
    const set = goSet({ maxOutputBytes: 10_000 });
    set.parse(
      "bomb",
      '{{ define "a" }}{{ range .l }}{{ $.s }}{{ end }}{{ end }}{{ define "b" }}{{ range .l }}{{ include "a" $ }}{{ end }}{{ end }}{{ include "b" . }}',
    );
    expect(() => set.execute("bomb", { l: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], s: "y".repeat(200) })).toThrow(
      /output exceeds the limit/,
    );
  });
});

describe("pathological nesting", () => {
  it("deeply nested parentheses or blocks fail with a TemplateError, never a crash", () => {
    const parens = "{{ " + "(".repeat(50_000) + "1" + ")".repeat(50_000) + " }}";
    expect(() => render(parens)).toThrow(TemplateError);
    const ifs = "{{ if 1 }}".repeat(50_000) + "x" + "{{ end }}".repeat(50_000);
    expect(() => render(ifs)).toThrow(TemplateError);
  });
});
