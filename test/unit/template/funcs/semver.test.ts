import { describe, expect, it } from "vitest";
import { SemverVersion } from "../../../../src/template/funcs/sprig/index.js";
import { funcs } from "./helpers.js";

const call = funcs();
const satisfies = (c: string, v: string): boolean => call("semverCompare", c, v) as boolean;

describe("semver", () => {
  it("parses a version into its parts, allowing a v prefix and missing minor or patch", () => {
    const v = call("semver", "v1.2.3-beta.1+build.5") as SemverVersion;
    expect(v).toBeInstanceOf(SemverVersion);
    expect(v.Major()).toBe(1n);
    expect(v.Minor()).toBe(2n);
    expect(v.Patch()).toBe(3n);
    expect(v.Prerelease()).toBe("beta.1");
    expect(v.Metadata()).toBe("build.5");
    expect(v.Original()).toBe("v1.2.3-beta.1+build.5");
    expect(v.String()).toBe("1.2.3-beta.1+build.5");
    expect((call("semver", "1.4") as SemverVersion).String()).toBe("1.4.0");
  });

  it("compares versions through methods", () => {
    const v = call("semver", "1.4.3") as SemverVersion;
    expect(v.Compare(call("semver", "1.4.2"))).toBe(1n);
    expect(v.LessThan(call("semver", "1.10.0"))).toBe(true);
    expect(v.Equal(call("semver", "1.4.3+meta"))).toBe(true);
  });

  it("rejects strings that are not versions", () => {
    expect(() => call("semver", "one.two")).toThrow("Invalid Semantic Version");
    expect(() => call("semver", "")).toThrow("Invalid Semantic Version");
  });
});

describe("semverCompare", () => {
  it("checks basic comparisons", () => {
    expect(satisfies(">=1.2.3", "1.2.3")).toBe(true);
    expect(satisfies(">=1.2.3", "1.2.2")).toBe(false);
    expect(satisfies("<1.2.3", "1.2.2")).toBe(true);
    expect(satisfies("=1.2.3", "v1.2.3")).toBe(true);
    expect(satisfies("!=1.2.3", "1.2.4")).toBe(true);
    expect(satisfies("1.2.3", "1.2.3")).toBe(true);
  });

  it("treats space or comma separated comparisons as AND and || as OR", () => {
    expect(satisfies(">= 1.2, < 3.0.0", "2.5.0")).toBe(true);
    expect(satisfies(">=1.2 <3", "3.0.0")).toBe(false);
    expect(satisfies(">= 1.2, < 3.0.0 || >= 4.2.3", "4.5.0")).toBe(true);
    expect(satisfies(">= 1.2, < 3.0.0 || >= 4.2.3", "3.5.0")).toBe(false);
  });

  it("understands tilde, caret, wildcard and hyphen ranges", () => {
    expect(satisfies("~1.2.3", "1.2.9")).toBe(true);
    expect(satisfies("~1.2.3", "1.3.0")).toBe(false);
    expect(satisfies("~1", "1.9.0")).toBe(true);
    expect(satisfies("^1.2.3", "1.9.9")).toBe(true);
    expect(satisfies("^1.2.3", "2.0.0")).toBe(false);
    expect(satisfies("^0.2.3", "0.2.9")).toBe(true);
    expect(satisfies("^0.2.3", "0.3.0")).toBe(false);
    expect(satisfies("^0.0.3", "0.0.4")).toBe(false);
    expect(satisfies("1.2.x", "1.2.9")).toBe(true);
    expect(satisfies("1.2.x", "1.3.0")).toBe(false);
    expect(satisfies("1.2", "1.2.7")).toBe(true);
    expect(satisfies("*", "5.0.0")).toBe(true);
    expect(satisfies("1.2 - 1.4.5", "1.4.5")).toBe(true);
    expect(satisfies("1.2 - 1.4.5", "1.4.6")).toBe(false);
  });

  it("reads a wildcard greater-than as the next major, like Masterminds", () => {
    expect(satisfies(">11", "11.1.0")).toBe(false);
    expect(satisfies(">11", "12.0.0")).toBe(true);
    expect(satisfies(">11.1", "11.1.5")).toBe(false);
    expect(satisfies("<=1.2", "1.2.9")).toBe(true);
  });

  it("matches prereleases only when the constraint names one (unlike node-semver, across versions)", () => {
    expect(satisfies(">=1.2.3", "1.3.0-beta")).toBe(false);
    expect(satisfies("^1.2.0", "1.3.0-beta")).toBe(false);
    expect(satisfies(">=1.2.3-0", "1.3.0-beta")).toBe(true);
    expect(satisfies(">=1.21.0-0", "v1.25.3-gke.100")).toBe(true);
    expect(satisfies(">=1.21.0", "v1.25.3-gke.100")).toBe(false);
    expect(satisfies("<1.2.3-beta.2", "1.2.3-beta.10")).toBe(false);
  });

  it("accepts the kube version strings charts test", () => {
    expect(satisfies(">=1.19-0", "v1.28.2")).toBe(true);
    expect(satisfies("<1.19-0", "v1.28.2")).toBe(false);
    expect(satisfies(">= 1.14-0", "1.28.2-eks-a5df82a")).toBe(true);
  });

  it("fails on an invalid constraint or version", () => {
    expect(() => satisfies("bad", "1.0.0")).toThrow("improper constraint: bad");
    expect(() => satisfies(">1", "x")).toThrow("Invalid Semantic Version");
    expect(() => call("semverCompare", ">1", null)).toThrow(/expected string/);
  });
});

describe("semverCompare constraint syntax", () => {
  it("needs spaces or commas between comparisons and rejects an empty alternative", () => {
    expect(satisfies(">=1.0.0,<2.0.0", "1.5.0")).toBe(true);
    expect(() => satisfies(">=1.2<3", "1.5.0")).toThrow("improper constraint: >=1.2<3");
    expect(() => satisfies("", "1.0.0")).toThrow("improper constraint: ");
    expect(() => satisfies(">1 ||", "2.0.0")).toThrow(/improper constraint/);
  });
});
