import { describe, expect, it } from "vitest";
import { formatValue, sprint, sprintf, sprintln } from "../../../src/template/fmt.js";
import { GoStruct } from "../../../src/template/values.js";

describe("Go's fmt for template values", () => {
  it("%v prints nil, maps sorted by key, slices, ints and floats as Go does", () => {
    expect(formatValue(null)).toBe("<nil>");
    expect(formatValue({ b: 2, a: [1n, "x", null], c: { d: true } })).toBe("map[a:[1 x <nil>] b:2 c:map[d:true]]");
    expect(formatValue(12345678901234567890n)).toBe("12345678901234567890");
    expect(formatValue(0.1)).toBe("0.1");
    expect(formatValue(1e-7)).toBe("1e-07");
    expect(formatValue(123456.789)).toBe("123456.789");
    expect(formatValue(1.5e300)).toBe("1.5e+300");
  });

  it("whole-number floats print as integers, unlike Go's 1e+06", () => {
    expect(formatValue(8080)).toBe("8080");
    expect(formatValue(1000000)).toBe("1000000");
    expect(sprintf("%v|%d|%6v", [1e6, 1e6, 42])).toBe("1000000|1000000|    42");
  });

  it("Sprint separates operands with a space only when neither is a string", () => {
    expect(sprint([1n, 2n, "a", "b", 3n, null, true])).toBe("1 2ab3 <nil> true");
    expect(sprintln(["a", 1n])).toBe("a 1\n");
  });

  it("printf reports bad verbs, missing and extra operands inline", () => {
    expect(sprintf("%d %s", ["x"])).toBe("%!d(string=x) %!s(MISSING)");
    expect(sprintf("%s", ["a", 1n, null])).toBe("a%!(EXTRA int=1, <nil>)");
    expect(sprintf("%*d|%-", ["w", 1n])).toBe("%!(BADWIDTH)1|%!(NOVERB)");
  });

  it("floats round half to even on exact ties, as Go's strconv", () => {
    expect(sprintf("%.0f %.0f %.1f %.2f %.3e", [0.5, 1.5, 0.25, 1.005, 1234.5])).toBe("0 2 0.2 1.00 1.234e+03");
  });

  it("flags, widths and precision follow Go", () => {
    expect(sprintf("[%5s][%-5s][%05d][%+.2f][%x][% X][%#o][%q][%U]", ["ab", "ab", -42n, 3.14159, "hi", "hi", 8n, 'a"b', 0x1f600n])).toBe(
      '[   ab][ab   ][-0042][+3.14][6869][68 69][010]["a\\"b"][U+1F600]',
    );
  });

  it("%T names Go types, and structs by their Go type name", () => {
    expect(sprintf("%T %T %T %T %T %T", [1n, 1.5, "s", [], {}, new GoStruct("*chart.Metadata")])).toBe(
      "int float64 string []interface {} map[string]interface {} *chart.Metadata",
    );
  });
});

describe("structs with methods print like Go's Stringer and error values", () => {
  class Version extends GoStruct {
    readonly Major = "1";
    readonly String = (): string => "v1.31.0";
    constructor() {
      super("*chartutil.KubeVersion");
    }
  }

  it("a String method prints the value, also inside lists and with flags", () => {
    expect(formatValue(new Version())).toBe("v1.31.0");
    expect(sprintf("%s|%q|%10v|%v", [new Version(), new Version(), new Version(), [new Version()]])).toBe(
      'v1.31.0|"v1.31.0"|   v1.31.0|[v1.31.0]',
    );
  });

  it("verbs a String method does not serve print the fields, as Go does", () => {
    expect(sprintf("%d|%t", [new Version(), new Version()])).toBe("{%!d(string=1)}|{%!t(string=1)}");
  });
});
