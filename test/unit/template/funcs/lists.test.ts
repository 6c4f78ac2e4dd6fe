import { describe, expect, it } from "vitest";
import { funcs } from "./helpers.js";

const call = funcs();

describe("Sprig list functions", () => {
  it("list collects its arguments, nil included", () => {
    expect(call("list", 1n, "a", null)).toEqual([1n, "a", null]);
    expect(call("list")).toEqual([]);
    expect(call("tuple", "a", 2n)).toEqual(["a", 2n]);
  });

  it("first, last, rest and initial read a list and give nil on an empty one", () => {
    const l = [1n, 2n, 3n];
    expect(call("first", l)).toBe(1n);
    expect(call("last", l)).toBe(3n);
    expect(call("rest", l)).toEqual([2n, 3n]);
    expect(call("initial", l)).toEqual([1n, 2n]);
    expect(call("first", [])).toBeNull();
    expect(call("rest", [])).toBeNull();
    expect(call("mustFirst", l)).toBe(1n);
    expect(call("mustRest", l)).toEqual([2n, 3n]);
    expect(call("mustInitial", l)).toEqual([1n, 2n]);
    expect(call("mustLast", l)).toBe(3n);
  });

  it("list functions fail on values that are not lists", () => {
    expect(() => call("first", "abc")).toThrow("Cannot find first on type string");
    expect(() => call("mustFirst", { a: 1n })).toThrow("Cannot find first on type map");
    expect(() => call("first", null)).toThrow(/nil pointer/);
  });

  it("append and prepend return a new list and leave the original alone", () => {
    const l = [1n, 2n];
    expect(call("append", l, 3n)).toEqual([1n, 2n, 3n]);
    expect(call("push", l, null)).toEqual([1n, 2n, null]);
    expect(call("prepend", l, 0n)).toEqual([0n, 1n, 2n]);
    expect(l).toEqual([1n, 2n]);
    expect(call("mustAppend", [], "x")).toEqual(["x"]);
    expect(call("mustPush", ["a"], "b")).toEqual(["a", "b"]);
    expect(call("mustPrepend", [], "x")).toEqual(["x"]);
  });

  it("append fails on nil and on non-lists", () => {
    expect(() => call("append", null, 1n)).toThrow(/nil pointer/);
    expect(() => call("append", "abc", 1n)).toThrow("Cannot push on type string");
    expect(() => call("mustAppend", 5n, 1n)).toThrow("Cannot push on type int64");
  });

  it("concat joins lists", () => {
    expect(call("concat", [1n], [2n, 3n], [])).toEqual([1n, 2n, 3n]);
    expect(() => call("concat", [1n], "x")).toThrow("Cannot concat type string as list");
  });

  it("reverse, uniq and compact build new lists", () => {
    expect(call("reverse", [1n, 2n, 3n])).toEqual([3n, 2n, 1n]);
    expect(call("uniq", [1n, 2n, 1n, "1", { a: 1n }, { a: 1n }])).toEqual([1n, 2n, "1", { a: 1n }]);
    expect(call("compact", ["a", "", null, 0n, 0, false, [], {}, "b"])).toEqual(["a", "b"]);
    expect(call("mustCompact", [1n, ""])).toEqual([1n]);
    expect(call("mustReverse", [])).toEqual([]);
    expect(call("mustUniq", [2n, 2n])).toEqual([2n]);
  });

  it("without drops every listed value, comparing types like Go", () => {
    expect(call("without", [1n, 2n, 3n, 4n], 1n, 3n)).toEqual([2n, 4n]);
    expect(call("without", ["a", "b", "a"], "a")).toEqual(["b"]);
    expect(call("without", [1n, 2n], 1)).toEqual([1n, 2n]);
    expect(call("without", [], "a")).toEqual([]);
    expect(call("mustWithout", [{ a: 1n }, { b: 2n }], { a: 1n })).toEqual([{ b: 2n }]);
    expect(() => call("without", "abc", "a")).toThrow("Cannot find without on type string");
  });

  it("has tests membership and treats a nil list as not containing", () => {
    expect(call("has", 4n, [1n, 2n, 3n, 4n])).toBe(true);
    expect(call("has", "hello", ["hi"])).toBe(false);
    expect(call("has", "x", null)).toBe(false);
    expect(call("mustHas", 1n, [1n])).toBe(true);
  });

  it("slice takes Sprig's index arguments after the list", () => {
    const l = [1n, 2n, 3n, 4n, 5n];
    expect(call("slice", l)).toEqual(l);
    expect(call("slice", l, 3n)).toEqual([4n, 5n]);
    expect(call("slice", l, 1n, 3n)).toEqual([2n, 3n]);
    expect(call("slice", [], 0n)).toBeNull();
    expect(() => call("slice", l, 2n, 9n)).toThrow(/out of range/);
    expect(call("mustSlice", l, 0n, 1n)).toEqual([1n]);
  });

  it("chunk splits a list into pieces of a size", () => {
    expect(call("chunk", 2n, [1n, 2n, 3n])).toEqual([[1n, 2n], [3n]]);
    expect(call("mustChunk", 3n, [1n, 2n, 3n])).toEqual([[1n, 2n, 3n]]);
    expect(call("chunk", 2n, [])).toEqual([]);
  });

  it("until, untilStep and seq count like Sprig", () => {
    expect(call("until", 5n)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(call("until", 0n)).toEqual([]);
    expect(call("until", -3n)).toEqual([0n, -1n, -2n]);
    expect(call("until", 3.0)).toEqual([0n, 1n, 2n]);
    expect(() => call("until", "3")).toThrow(/expected int/);
    expect(call("untilStep", 3n, 6n, 2n)).toEqual([3n, 5n]);
    expect(call("untilStep", 5n, 0n, -2n)).toEqual([5n, 3n, 1n]);
    expect(call("untilStep", 0n, 5n, -1n)).toEqual([]);
    expect(call("seq", 5n)).toBe("1 2 3 4 5");
    expect(call("seq", -3n)).toBe("1 0 -1 -2 -3");
    expect(call("seq", 0n, 2n, 10n)).toBe("0 2 4 6 8 10");
    expect(call("seq", 2n, -2n)).toBe("2 1 0 -1 -2");
    expect(call("seq", 0n, 3n, -3n)).toBe("");
  });

  it("dig walks nested maps with a default", () => {
    const d = { a: { b: { c: "found" } } };
    expect(call("dig", "a", "b", "c", "default", d)).toBe("found");
    expect(call("dig", "a", "x", "c", "default", d)).toBe("default");
    expect(call("dig", "a", "b", "default", d)).toEqual({ c: "found" });
    expect(() => call("dig", "a", d)).toThrow("dig needs at least three arguments");
  });
});
