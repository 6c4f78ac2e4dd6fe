/**
 * Values with a String method print through it where Go's fmt calls fmt.Stringer. The expected
 * lines are what test/go-oracle/stringer/main.go prints with Go for the same shapes.
 */
import { describe, expect, it } from "vitest";
import { sprint, sprintf, sprintln } from "../../../src/template/fmt.js";
import { TemplateSet } from "../../../src/template/index.js";
import { GoStruct } from "../../../src/template/values.js";
import type { GoValue } from "../../../src/template/values.js";

/** Like Go's `*version` with fields major uint64, pre string and a String method. */
class Version extends GoStruct {
  readonly major = 1n;
  readonly pre = "rc";
  readonly String = (): string => "1.2.3-rc";
  constructor() {
    super("*main.version");
  }
}

/** Like Go's `*plain` with one field A int and no methods. */
class Plain extends GoStruct {
  readonly A = 1n;
  constructor() {
    super("*main.plain");
  }
}

function renderHelm(text: string, data: GoValue = {}): string {
  const set = new TemplateSet({ funcs: "helm" });
  set.parse("t", text);
  return set.execute("t", data);
}

describe("fmt verbs on a value with a String method", () => {
  it("uses String for %v, %s, %q, %x, %+v and with width flags", () => {
    const v = new Version();
    expect(sprintf("%v|%s|%q|%x|%+v|%10s|%-10v|", [v, v, v, v, v, v, v])).toBe(
      '1.2.3-rc|1.2.3-rc|"1.2.3-rc"|312e322e332d7263|1.2.3-rc|  1.2.3-rc|1.2.3-rc  |',
    );
  });

  it("prints the fields, not String, for %d and %#v", () => {
    const v = new Version();
    // Go also writes & before a pointer's fields at the top level ("&{1 %!d(string=rc)}"); see the report.
    expect(sprintf("%d|%#v", [v, v])).toContain("{1 %!d(string=rc)}|");
    expect(sprintf("%#v", [v])).toContain('{major:1, pre:"rc"}');
  });

  it("uses String in print and println, inside lists and maps, with Go's spacing", () => {
    const v = new Version();
    expect(sprint([v, v])).toBe("1.2.3-rc 1.2.3-rc");
    expect(sprint(["a", v, 1n])).toBe("a1.2.3-rc 1");
    expect(sprintln([[v], { a: v }])).toBe("[1.2.3-rc] map[a:1.2.3-rc]\n");
  });

  it("prints a struct without methods by its fields", () => {
    const p = new Plain();
    expect(sprintf("%v|%+v", [p, p])).toContain("{1}|");
    expect(sprintf("%+v", [p])).toContain("{A:1}");
  });

  it("uses String for a pipeline's value in template output and in print, println and printf", () => {
    expect(renderHelm(`{{ . }}|{{ print . . }}|{{ println . }}|{{ printf "%v" . }}`, new Version())).toBe(
      "1.2.3-rc|1.2.3-rc 1.2.3-rc|1.2.3-rc\n|1.2.3-rc",
    );
  });
});

describe("Sprig values that are Stringers", () => {
  it("prints a semver version as its canonical text", () => {
    expect(renderHelm(`{{ $v := semver "v1.2.3-rc.1+b5" }}{{ $v }}|{{ printf "%s %q" $v $v }}|{{ list $v }}`)).toBe(
      '1.2.3-rc.1+b5|1.2.3-rc.1+b5 "1.2.3-rc.1+b5"|[1.2.3-rc.1+b5]',
    );
  });

  it("prints a time as Go's Time.String does", () => {
    expect(renderHelm(`{{ toDate "2006-01-02 15:04" "2024-03-05 07:08" }}|{{ toDate "2006-01-02" "2024-03-05" | date "2006" }}`)).toBe(
      "2024-03-05 07:08:00 +0000 UTC|2024",
    );
  });

  it("prints now as a date, time, offset and zone rather than struct fields", () => {
    expect(renderHelm(`{{ now }}`)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} \S+/);
  });
});
