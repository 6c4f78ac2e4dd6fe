import { describe, expect, it } from "vitest";
import type { GoFunc } from "../../../src/template/funcs/types.js";
import { withSignature } from "../../../src/template/funcs/types.js";
import { GoStruct } from "../../../src/template/values.js";
import { goSet, render, renderError } from "./helpers.js";

describe("whitespace trimming", () => {
  it("a dash followed by a space trims all whitespace on that side", () => {
    expect(render("a  \n\t{{- .x -}}\n\n  b", { x: "X" })).toBe("aXb");
  });

  it("a dash without a space is a negative number, not a trim marker", () => {
    expect(render("{{-3}} {{ -3 }}")).toBe("-3 -3");
  });

  it("trim markers on comments trim too", () => {
    expect(render("a \n{{- /* note */ -}}\n b")).toBe("ab");
  });

  it("yaml blocks keep their indentation when lines are trimmed", () => {
    const text = "labels:\n{{- range $k, $v := .labels }}\n  {{ $k }}: {{ $v }}\n{{- end }}\n";
    expect(render(text, { labels: { b: "2", a: "1" } })).toBe("labels:\n  a: 1\n  b: 2\n");
  });
});

describe("variables follow Go's scoping", () => {
  it("a declaration inside a block ends with the block; an assignment reaches out", () => {
    const text = '{{ $x := "out" }}{{ if true }}{{ $x := "in" }}{{ $x }}{{ end }}-{{ $x }}{{ range .l }}{{ $x = . }}{{ end }}-{{ $x }}';
    expect(render(text, { l: ["a", "b"] })).toBe("in-out-b");
  });

  it("$ is the data the template was called with, also inside range and define", () => {
    const text = '{{ define "t" }}{{ $.n }}{{ end }}{{ range .l }}{{ $.n }}{{ template "t" $ }}{{ end }}';
    expect(render(text, { n: "N", l: [1, 2] })).toBe("NNNN");
  });

  it("a variable used outside its block is a parse error", () => {
    expect(renderError("{{ range .l }}{{ $y := . }}{{ end }}{{ $y }}").message).toBe(
      'template: t.yaml:1: undefined variable "$y"',
    );
  });
});

describe("missing values render as nothing, as in Helm", () => {
  it("a missing key gives an empty string and no <no value> text", () => {
    expect(render("[{{ .Values.missing }}] [{{ .nothing }}]", { Values: {}, nothing: null })).toBe("[] []");
  });

  it("print of a missing value shows <nil>, as Go's fmt does", () => {
    expect(render("{{ print .missing }}")).toBe("<nil>");
  });

  it("walking into a missing map is an error, but a parenthesized missing value is not", () => {
    expect(renderError("{{ .a.b }}").message).toContain("nil pointer evaluating interface {}.b");
    expect(render("[{{ (.a).b }}]")).toBe("[]");
  });
});

describe("newer Go template features", () => {
  it("range over an integer counts from zero (Go 1.22)", () => {
    expect(render("{{ range $i := len .l }}{{ $i }}{{ end }}", { l: [7, 8, 9] })).toBe("012");
  });

  it("range over an integer with two variables is refused", () => {
    expect(renderError("{{ range $i, $v := len .l }}{{ end }}", { l: [1] }).message).toContain(
      "can't use 1 to iterate over more than one variable",
    );
  });

  it("else with chains like else if (Go 1.23)", () => {
    const text = "{{ with .a }}A{{ else with .b }}B{{ .x }}{{ else }}C{{ end }}";
    expect(render(text, { b: { x: 1 } })).toBe("B1");
    expect(render(text, {})).toBe("C");
  });

  it("break and continue leave or skip a range iteration", () => {
    const text = '{{ range .l }}{{ if eq . "b" }}{{ continue }}{{ end }}{{ if eq . "d" }}{{ break }}{{ end }}{{ . }}{{ end }}';
    expect(render(text, { l: ["a", "b", "c", "d", "e"] })).toBe("ac");
  });
});

describe("values-file numbers behave as integers where Helm would fail", () => {
  const data = { port: 8080, replicas: 3, big: 1000000, ratio: 1.5 };

  it("a whole-number float prints as an integer, even a large one", () => {
    expect(render("{{ .port }} {{ .big }} {{ printf \"%v\" .big }}", data)).toBe("8080 1000000 1000000");
  });

  it("a whole-number float equals and orders with an int", () => {
    expect(render("{{ eq .port 8080 }} {{ lt .replicas 5 }} {{ ge .replicas 3 }} {{ ne .port 80 }}", data)).toBe(
      "true true true true",
    );
  });

  it("%d formats a whole-number float; a fractional one keeps Go's error text", () => {
    expect(render('{{ printf "%d|%5d|%x" .port .replicas 255 }} {{ printf "%d" .ratio }}', data)).toBe(
      "8080|    3|ff %!d(float64=1.5)",
    );
  });

  it("%T still tells ints and floats apart", () => {
    expect(render('{{ printf "%T %T %T" 3 3.5 .port }}', data)).toBe("int float64 float64");
  });

  it("a fractional float never compares with an int", () => {
    expect(renderError("{{ lt .ratio 2 }}", data).message).toContain("incompatible types for comparison");
  });

  it("a whole-number float is accepted for an int parameter", () => {
    const repeat = withSignature((n: unknown, s: unknown) => (s as string).repeat(Number(n)), {
      params: ["int", "string"],
    }) as GoFunc;
    const set = goSet({ extraFuncs: { repeat } });
    set.parse("x", '{{ repeat .replicas "ab" }}|{{ repeat 2 "c" }}');
    expect(set.execute("x", data)).toBe("ababab|cc");
    set.parse("y", '{{ repeat .ratio "ab" }}');
    expect(() => set.execute("y", data)).toThrow("wrong type for value; expected int; got float64");
    set.parse("z", '{{ repeat "2" "ab" }}');
    expect(() => set.execute("z", data)).toThrow("expected integer; found \"2\"");
  });

  it("a whole-number float indexes a list and can be ranged over", () => {
    expect(render("{{ index .l .i }} {{ range .n }}x{{ end }}", { l: ["a", "b"], i: 1, n: 3 })).toBe("b xxx");
  });
});

describe("functions", () => {
  it("a function's error is reported as error calling NAME", () => {
    const boom: GoFunc = () => {
      throw new Error("boom");
    };
    const set = goSet({ extraFuncs: { boom } });
    set.parse("x", "{{ boom 1 }}");
    expect(() => set.execute("x", {})).toThrow('template: x:1:3: executing "x" at <boom 1>: error calling boom: boom');
  });

  it("and/or short-circuit and return the deciding value", () => {
    expect(render('{{ or .a "" "x" }} {{ and 1 0 (index .l 9) }}', { l: [] })).toBe("x 0");
  });

  it("struct methods are called with the command's arguments", () => {
    const files = Object.assign(new GoStruct("files.Files"), { Get: (name: unknown) => `content of ${String(name)}` });
    const versions = Object.assign(new GoStruct("chartutil.VersionSet"), {
      Has: (v: unknown) => v === "apps/v1",
    });
    const caps = Object.assign(new GoStruct("*chartutil.Capabilities"), { APIVersions: versions });
    expect(
      render('{{ .Files.Get "a.txt" }} {{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.APIVersions.Has "x/v9" }}', {
        Files: files,
        Capabilities: caps,
      }),
    ).toBe("content of a.txt true false");
  });
});

