import { describe, expect, it } from "vitest";
import { GoStruct } from "../../../../src/template/values.js";
import type { GoValue } from "../../../../src/template/values.js";
import { funcs } from "./helpers.js";

const call = funcs();

describe("required", () => {
  it("returns the value when it is set", () => {
    expect(call("required", "msg", "x")).toBe("x");
    expect(call("required", "msg", 0n)).toBe(0n);
    expect(call("required", "msg", false)).toBe(false);
    expect(call("required", "msg", {})).toEqual({});
  });

  it("fails with the user's message on nil or an empty string", () => {
    expect(() => call("required", ".Values.image.tag is required", null)).toThrow(".Values.image.tag is required");
    expect(() => call("required", "need it", undefined)).toThrow("need it");
    expect(() => call("required", "need it", "")).toThrow("need it");
  });
});

describe("toYaml", () => {
  it("writes sorted keys, unindented sequences and no trailing newline", () => {
    const v = { name: "web", port: 8080, enabled: true, tags: ["a", "b"], empty: "", none: null, nested: { z: 1n, a: [] } };
    expect(call("toYaml", v)).toBe(
      ["empty: \"\"", "enabled: true", "name: web", "nested:", "  a: []", "  z: 1", "none: null", "port: 8080", "tags:", "- a", "- b"].join("\n"),
    );
  });

  it("double-quotes strings YAML 1.1 would read as other types", () => {
    expect(call("toYaml", { a: "true", b: "yes", c: "8080", d: "1.5", e: "null", f: "~", g: "0x1F", h: "on", i: "2024-01-01" })).toBe(
      ['a: "true"', 'b: "yes"', 'c: "8080"', 'd: "1.5"', 'e: "null"', 'f: "~"', 'g: "0x1F"', 'h: "on"', 'i: "2024-01-01"'].join("\n"),
    );
  });

  it("writes multi-line strings as literal blocks", () => {
    expect(call("toYaml", { script: "echo a\necho b\n", raw: "x\ny" })).toBe("raw: |-\n  x\n  y\nscript: |\n  echo a\n  echo b");
  });

  it("prints numbers as Go does through JSON", () => {
    expect(call("toYaml", { f: 1.5, big: 1e21, whole: 3.0, tiny: 0.00001, i: -7n })).toBe("big: 1e+21\nf: 1.5\ni: -7\ntiny: 1e-05\nwhole: 3");
  });

  it("handles scalars, lists, empty values and nil", () => {
    expect(call("toYaml", "hello")).toBe("hello");
    expect(call("toYaml", ["a", { b: 1n }])).toBe("- a\n- b: 1");
    expect(call("toYaml", {})).toBe("{}");
    expect(call("toYaml", [])).toBe("[]");
    expect(call("toYaml", null)).toBe("null");
    expect(call("toYaml", "a: b")).toBe("'a: b'");
  });

  it("orders keys as go-yaml does, comparing digit runs as numbers", () => {
    expect(call("toYaml", { "10": 1n, "9": 2n, B: 3n, a: 4n, port10: 5n, port9: 6n, _x: 7n })).toBe(
      '_x: 7\n"9": 2\n"10": 1\nB: 3\na: 4\nport9: 6\nport10: 5',
    );
  });

  it("chooses quoting the way libyaml does", () => {
    const v = { a: "foo: bar", b: "trail ", c: "tab\there", d: "- dash", e: "x:y", f: "#c", g: "a #b", h: "0755", i: "-", j: "'q'" };
    expect(call("toYaml", v)).toBe(
      ["a: 'foo: bar'", "b: 'trail '", 'c: "tab\\there"', "d: '- dash'", "e: x:y", "f: '#c'", "g: 'a #b'", 'h: "0755"', "i: '-'", "j: '''q'''"].join("\n"),
    );
  });

  it("folds long scalars at the first space past column 80, like go-yaml v2", () => {
    const words = Array.from({ length: 30 }, () => "word").join(" ");
    const out = call("toYaml", { long: words }) as string;
    const lines = out.split("\n");
    expect(lines[0]).toBe("long: " + Array.from({ length: 16 }, () => "word").join(" "));
    expect(lines[1]).toBe("  " + Array.from({ length: 14 }, () => "word").join(" "));
    expect(call("fromYaml", out)).toEqual({ long: words });
  });

  it("writes a multi-line string with a trailing space on a line double-quoted", () => {
    expect(call("toYaml", { s: "a \nb" })).toBe('s: "a \\nb"');
  });

  it("lays out lists of maps and nested lists", () => {
    expect(call("toYaml", [{ a: 1n, b: [1n, 2n] }, ["x", "y"], {}])).toBe('- a: 1\n  b:\n  - 1\n  - 2\n- - x\n  - "y"\n- {}');
  });

  it("indents literal blocks under their key, with an indentation hint for leading spaces", () => {
    expect(call("toYaml", [{ a: "x\ny" }])).toBe("- a: |-\n    x\n    y");
    expect(call("toYaml", { s: "  lead\nx" })).toBe("s: |2-\n    lead\n  x");
    expect(call("toYaml", { k: "a\n\n" })).toBe("k: |+\n  a\n");
    expect(call("fromYaml", call("toYaml", { s: "  lead\nx", k: "a\n\n" }) + "\n")).toEqual({ s: "  lead\nx", k: "a\n\n" });
  });

  it("quotes keys that need it and escapes what YAML cannot show", () => {
    expect(call("toYaml", { "key with spaces": 1n, "": 2n, "a:b": 3n, "- x": 4n })).toBe('"": 2\n\'- x\': 4\na:b: 3\nkey with spaces: 1');
    expect(call("toYaml", { e: "\ufeffbom" })).toBe('e: "\\uFEFFbom"');
  });

  it("encodes struct fields and keeps unicode as is", () => {
    const s = Object.assign(new GoStruct("chart.Metadata"), { Name: "web", Version: "1.0.0" });
    expect(call("toYaml", { chart: s, note: "héllo ✓" })).toBe("chart:\n  Name: web\n  Version: 1.0.0\nnote: héllo ✓");
  });

  it("gives empty output for values it cannot encode, mustToYaml fails", () => {
    expect(call("toYaml", { f: () => null })).toBe("");
    expect(() => call("mustToYaml", { f: Number.NaN })).toThrow();
  });
});

describe("toYamlPretty", () => {
  it("indents sequences under their key", () => {
    expect(call("toYamlPretty", { b: [1n, { x: 1n }], a: "yes" })).toBe('a: "yes"\nb:\n  - 1\n  - x: 1');
  });
});

describe("fromYaml and fromYamlArray", () => {
  it("parse a document into a map with float64 numbers and YAML 1.1 booleans", () => {
    expect(call("fromYaml", "name: web\nport: 8080\nratio: 0.5\nflag: yes\nlist: [a, 1]\ndate: 2001-12-14\nnone:")).toEqual({
      name: "web",
      port: 8080,
      ratio: 0.5,
      flag: true,
      list: ["a", 1],
      date: "2001-12-14",
      none: null,
    });
  });

  it("read only the first document and give an empty map for empty input", () => {
    expect(call("fromYaml", "a: 1\n---\nb: 2")).toEqual({ a: 1 });
    expect(call("fromYaml", "")).toEqual({});
  });

  it("report errors in an Error key rather than failing", () => {
    const bad = call("fromYaml", "a: [") as Record<string, GoValue>;
    expect(Object.keys(bad)).toEqual(["Error"]);
    expect(bad["Error"]).toMatch(/^error converting YAML to JSON: yaml: line 1: /);
    expect(call("fromYaml", "- a")).toEqual({
      Error: "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}",
    });
  });

  it("fromYamlArray parses a list and reports errors as its only element", () => {
    expect(call("fromYamlArray", "- a\n- 1\n- b: c")).toEqual(["a", 1, { b: "c" }]);
    expect(call("fromYamlArray", "a: 1")).toEqual([
      "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}",
    ]);
  });

  it("round-trips with toYaml", () => {
    const v = { a: { b: ["x", "true", "8080"] }, c: "multi\nline" };
    expect(call("fromYaml", call("toYaml", v))).toEqual(v);
  });
});

describe("Helm JSON functions", () => {
  it("toJson sorts keys and escapes HTML like Go's json.Marshal", () => {
    expect(call("toJson", { b: "<a&b>", a: [1n, 1.5, null, true] })).toBe('{"a":[1,1.5,null,true],"b":"\\u003ca\\u0026b\\u003e"}');
    expect(call("toJson", "x")).toBe('"x"');
    expect(call("toJson", null)).toBe("null");
    expect(call("toJson", Number.POSITIVE_INFINITY)).toBe("");
    expect(() => call("mustToJson", Number.POSITIVE_INFINITY)).toThrow(/unsupported value/);
  });

  it("fromJson gives a map, or an Error key", () => {
    expect(call("fromJson", '{"a":{"b":[1,"x"]}}')).toEqual({ a: { b: [1, "x"] } });
    expect(call("fromJson", "[1]")).toEqual({ Error: "json: cannot unmarshal array into Go value of type map[string]interface {}" });
    expect(Object.keys(call("fromJson", "{bad") as object)).toEqual(["Error"]);
  });

  it("fromJsonArray gives a list, or the error as its element", () => {
    expect(call("fromJsonArray", '[1, "a", {"b": null}]')).toEqual([1, "a", { b: null }]);
    expect(call("fromJsonArray", "{}")).toEqual(["json: cannot unmarshal object into Go value of type []interface {}"]);
  });
});

describe("Helm TOML functions", () => {
  it("toToml writes values before tables, sorted, with nested tables indented", () => {
    const v = { name: "x", port: 8080, count: 2n, on: true, list: [1n, 2n], server: { host: "h", tls: { cert: "c" } }, users: [{ n: "a" }, { n: "b" }] };
    expect(call("toToml", v)).toBe(
      [
        "count = 2",
        "list = [1, 2]",
        'name = "x"',
        "on = true",
        "port = 8080.0",
        "",
        "[server]",
        '  host = "h"',
        "  [server.tls]",
        '    cert = "c"',
        "",
        "[[users]]",
        '  n = "a"',
        "",
        "[[users]]",
        '  n = "b"',
        "",
      ].join("\n"),
    );
  });

  it("toToml quotes keys and strings that need it and reports non-maps", () => {
    expect(call("toToml", { "a.b": 'say "hi"\n' })).toBe('"a.b" = "say \\"hi\\"\\n"\n');
    expect(call("toToml", "x")).toBe("toml: top-level values must be Go maps or structs");
  });

  it("fromToml parses TOML into a map, or an Error key", () => {
    expect(call("fromToml", 'a = 1\n[t]\nb = "x"')).toEqual({ a: 1, t: { b: "x" } });
    expect(Object.keys(call("fromToml", "a = ") as object)).toEqual(["Error"]);
  });
});

describe("lookup", () => {
  it("gives an empty map without a cluster", () => {
    expect(call("lookup", "v1", "Secret", "default", "x")).toEqual({});
  });

  it("passes its arguments to the configured lookup", () => {
    const seen: string[][] = [];
    const withLookup = funcs({
      lookup: (...args) => {
        seen.push(args);
        return { kind: "Secret", data: { a: "b" } };
      },
    });
    expect(withLookup("lookup", "v1", "Secret", "ns", "name")).toEqual({ kind: "Secret", data: { a: "b" } });
    expect(seen).toEqual([["v1", "Secret", "ns", "name"]]);
  });
});
