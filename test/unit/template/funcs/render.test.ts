import { describe, expect, it } from "vitest";
import { renderTemplate } from "../../../../src/template/index.js";
import type { GoValue } from "../../../../src/template/values.js";

const render = (text: string, data: GoValue = {}): string => renderTemplate(text, data);

describe("Sprig and Helm functions inside templates", () => {
  it("take the piped value last", () => {
    expect(render('{{ "hello-" | trimSuffix "-" }}')).toBe("hello");
    expect(render('{{ .name | trunc 5 | quote }}', { name: "hello world" })).toBe('"hello"');
    expect(render('{{ .v | default "x" }}', { v: "" })).toBe("x");
    expect(render('{{ .port | int | add 1 }}', { port: 8080 })).toBe("8081");
    expect(render('{{ "a b c" | replace " " "-" | upper }}')).toBe("A-B-C");
    expect(render('{{ ternary "on" "off" .enabled }}', { enabled: true })).toBe("on");
  });

  it("render the common chart idioms", () => {
    const values = { resources: { limits: { cpu: "100m", memory: "128Mi" } }, labels: { app: "web" } };
    const text = "spec:\n  resources:\n    {{- toYaml .resources | nindent 4 }}\n  labels:{{ include_none }}";
    expect(() => render(text, values)).toThrow(/function "include_none" not defined/);
    expect(render("resources:\n  {{- toYaml .resources | nindent 2 }}", values)).toBe("resources:\n  limits:\n    cpu: 100m\n    memory: 128Mi");
    expect(render('{{- $d := dict "a" 1 "b" (list 1 2) }}{{ toJson $d }}')).toBe('{"a":1,"b":[1,2]}');
    expect(render("{{ range $i := until 3 }}{{ $i }}{{ end }}")).toBe("012");
    expect(render('{{ if semverCompare ">=1.19-0" .kube }}new{{ else }}old{{ end }}', { kube: "v1.28.3" })).toBe("new");
    expect(render('{{ omit .labels "app" | toYaml }}', values)).toBe("{}");
    expect(render('{{ hasKey .labels "app" }} {{ hasKey .missing "app" }}', values)).toBe("true false");
  });

  it("report wrong argument counts and types the way Go does", () => {
    expect(() => render('{{ trunc 5 }}')).toThrow(/wrong number of args for trunc: want 2 got 1/);
    expect(() => render('{{ trimSuffix "-" 5 }}')).toThrow(/expected string; found 5/);
    expect(() => render('{{ trimSuffix "-" .n }}', { n: 5n })).toThrow(/wrong type for value; expected string; got int/);
    expect(() => render("{{ upper .missing }}")).toThrow(/expected string/);
  });

  it("fail and required stop rendering with the user's message", () => {
    expect(() => render('{{ fail "boom" }}')).toThrow(/error calling fail: boom/);
    expect(() => render('{{ required "image.tag is required" .tag }}')).toThrow(/error calling required: image.tag is required/);
    expect(render('{{ required "x" .tag }}', { tag: "1.0" })).toBe("1.0");
  });

  it("genCA and genSignedCert give certificates whose fields templates read", () => {
    const out = render('{{- $ca := genCA "ca" 365 }}{{- $c := genSignedCert "svc" nil (list "svc") 365 $ca }}{{ $c.Cert | b64enc | b64dec | trunc 27 }}');
    expect(out).toBe("-----BEGIN CERTIFICATE-----");
  });

  it("semver values expose their parts as methods", () => {
    expect(render('{{ $v := semver "1.2.3-rc.1" }}{{ $v.Major }}.{{ $v.Minor }} {{ $v.Prerelease }}')).toBe("1.2 rc.1");
  });
});

describe("a chart's _helpers.tpl idioms", () => {
  const helpers = `
{{- define "web.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "web.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}
{{- define "web.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "web.name" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
{{- end }}`;

  const data = (values: Record<string, GoValue>): GoValue => ({
    Chart: { Name: "web", Version: "1.2.3+build", AppVersion: "2.0" },
    Release: { Name: "prod" },
    Values: values,
  });

  it("builds names truncated to 63 characters without a trailing dash", () => {
    expect(render(helpers + '{{ include "web.fullname" . }}', data({}))).toBe("prod-web");
    const long = "x".repeat(62) + "-y";
    expect(render(helpers + '{{ include "web.fullname" . }}', data({ fullnameOverride: long }))).toBe("x".repeat(62));
  });

  it("builds the standard labels", () => {
    expect(render(helpers + '{{ include "web.labels" . }}', data({ nameOverride: "site" }))).toBe(
      'helm.sh/chart: web-1.2.3_build\napp.kubernetes.io/name: site\napp.kubernetes.io/version: "2.0"',
    );
  });
});
