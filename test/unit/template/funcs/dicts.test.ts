import { describe, expect, it } from "vitest";
import { GoStruct } from "../../../../src/template/values.js";
import { funcs } from "./helpers.js";

const call = funcs();

describe("Sprig dict functions", () => {
  it("dict pairs keys with values, stringifying keys and filling an odd key with empty", () => {
    expect(call("dict", "a", 1n, "b", "x")).toEqual({ a: 1n, b: "x" });
    expect(call("dict", "a", 1n, "b")).toEqual({ a: 1n, b: "" });
    expect(call("dict", 1n, "one", true, null)).toEqual({ "1": "one", true: null });
    expect(call("dict")).toEqual({});
  });

  it("get returns empty string for a missing key", () => {
    expect(call("get", { a: 1n }, "a")).toBe(1n);
    expect(call("get", { a: 1n }, "b")).toBe("");
  });

  it("set and unset change the map in place and return it", () => {
    const m: Record<string, bigint> = { a: 1n };
    expect(call("set", m, "b", 2n)).toBe(m);
    expect(m).toEqual({ a: 1n, b: 2n });
    expect(call("unset", m, "a")).toEqual({ b: 2n });
  });

  it("hasKey tells present keys, even with empty values", () => {
    expect(call("hasKey", { a: null }, "a")).toBe(true);
    expect(call("hasKey", { a: 1n }, "b")).toBe(false);
    expect(call("hasKey", null, "a")).toBe(false);
    expect(() => call("hasKey", "str", "a")).toThrow(/expected map/);
  });

  it("pluck, keys and values read maps", () => {
    expect(call("pluck", "name", { name: "a" }, { other: 1n }, { name: "b" })).toEqual(["a", "b"]);
    expect(call("keys", { b: 1n, a: 2n }, { c: 3n })).toEqual(["a", "b", "c"]);
    expect(call("values", { b: 1n, a: 2n })).toEqual([2n, 1n]);
  });

  it("pick and omit select keys into a new map", () => {
    const m = { a: 1n, b: 2n, c: 3n };
    expect(call("pick", m, "a", "c", "z")).toEqual({ a: 1n, c: 3n });
    expect(call("omit", m, "a", "z")).toEqual({ b: 2n, c: 3n });
    expect(call("omit", m)).toEqual(m);
    expect(call("omit", m)).not.toBe(m);
    expect(call("omit", null, "a")).toEqual({});
    expect(call("get", null, "a")).toBe("");
    expect(() => call("set", null, "a", 1n)).toThrow("assignment to entry in nil map");
    expect(call("merge", null, { a: 1n })).toEqual({ a: 1n });
    expect(() => call("omit", m, 1n)).toThrow(/expected string/);
  });

  it("merge fills missing or empty keys from later maps, deeply, keeping set values", () => {
    const dst = { a: false, b: { c: 1n }, d: "keep" };
    const out = call("merge", dst, { a: true, b: { c: 2n, e: 3n }, d: "new", f: [1n] }, { g: "last" });
    expect(out).toBe(dst);
    expect(out).toEqual({ a: true, b: { c: 1n, e: 3n }, d: "keep", f: [1n], g: "last" });
    expect(call("mustMerge", {}, { a: 1n })).toEqual({ a: 1n });
  });

  it("mergeOverwrite lets later maps win, including empty values", () => {
    const out = call("mergeOverwrite", { default: "default", overwrite: "me", key: true }, { overwrite: "overwritten", key: false });
    expect(out).toEqual({ default: "default", overwrite: "overwritten", key: false });
    expect(call("mustMergeOverwrite", { a: { b: 1n, c: 2n } }, { a: { b: 9n } })).toEqual({ a: { b: 9n, c: 2n } });
    expect(call("mergeOverwrite", { l: [1n, 2n] }, { l: [3n] })).toEqual({ l: [3n] });
  });

  it("deepCopy copies nested maps and lists", () => {
    const src = { a: { b: [1n, { c: "x" }] } };
    const copy = call("deepCopy", src) as typeof src;
    expect(copy).toEqual(src);
    expect(copy.a).not.toBe(src.a);
    expect(call("mustDeepCopy", [1n])).toEqual([1n]);
  });

  it("dict keys and struct values survive through get", () => {
    const s = new GoStruct("x.T");
    expect(call("get", call("dict", "s", s), "s")).toBe(s);
  });
});
