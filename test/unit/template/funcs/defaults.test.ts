import { describe, expect, it } from "vitest";
import { GoStruct } from "../../../../src/template/values.js";
import { funcs } from "./helpers.js";

const call = funcs();

describe("Sprig default and flow functions", () => {
  it("default returns the given value when it is set", () => {
    expect(call("default", "foo", "bar")).toBe("bar");
    expect(call("default", 1n, 5n)).toBe(5n);
    expect(call("default", "x", [1n])).toEqual([1n]);
    expect(call("default", "x", new GoStruct("t.T"))).toBeInstanceOf(GoStruct);
  });

  it("default treats every zero value as unset", () => {
    for (const empty of [null, undefined, "", 0n, 0, false, [], {}]) {
      expect(call("default", "fallback", empty)).toBe("fallback");
    }
    expect(call("default", "fallback")).toBe("fallback");
    expect(call("default", null, null)).toBeNull();
  });

  it("empty is true only for zero values", () => {
    expect(call("empty", null)).toBe(true);
    expect(call("empty", "")).toBe(true);
    expect(call("empty", 0.0)).toBe(true);
    expect(call("empty", {})).toBe(true);
    expect(call("empty", " ")).toBe(false);
    expect(call("empty", -1n)).toBe(false);
    expect(call("empty", 0.1)).toBe(false);
    expect(call("empty", [null])).toBe(false);
    expect(call("empty", new GoStruct("t.T"))).toBe(false);
  });

  it("coalesce returns the first non-empty argument or nil", () => {
    expect(call("coalesce", null, "", 0n, "x", "y")).toBe("x");
    expect(call("coalesce", null, "")).toBeNull();
    expect(call("coalesce")).toBeNull();
    expect(call("coalesce", {}, { a: 1n })).toEqual({ a: 1n });
  });

  it("all and any test emptiness across arguments", () => {
    expect(call("all", 1n, "a", true)).toBe(true);
    expect(call("all", 1n, "")).toBe(false);
    expect(call("all")).toBe(true);
    expect(call("any", 0n, "", "x")).toBe(true);
    expect(call("any", 0n, "")).toBe(false);
    expect(call("any")).toBe(false);
  });

  it("ternary picks by a bool given last", () => {
    expect(call("ternary", "yes", "no", true)).toBe("yes");
    expect(call("ternary", "yes", "no", false)).toBe("no");
    expect(call("ternary", null, 2n, true)).toBeNull();
    expect(() => call("ternary", "a", "b", "true")).toThrow(/expected bool; got string/);
    expect(() => call("ternary", "a", "b", null)).toThrow(/expected bool/);
  });

  it("fail stops rendering with the user's message", () => {
    expect(() => call("fail", "please set .Values.x")).toThrow("please set .Values.x");
  });

  it("Sprig's JSON encoders sort keys and escape HTML unless raw", () => {
    const v = { b: "<a&b>", a: [1n, 1.5, null, true, 8080] };
    expect(call("toJson", v)).toBe('{"a":[1,1.5,null,true,8080],"b":"\\u003ca\\u0026b\\u003e"}');
    expect(call("toRawJson", v)).toBe('{"a":[1,1.5,null,true,8080],"b":"<a&b>"}');
    expect(call("toPrettyJson", { a: [1n], b: {} })).toBe('{\n  "a": [\n    1\n  ],\n  "b": {}\n}');
    expect(call("mustToPrettyJson", "x")).toBe('"x"');
    expect(call("mustToRawJson", null)).toBe("null");
  });

  it("mustToJson fails on values JSON cannot hold, toJson gives empty", () => {
    expect(call("toJson", Number.NaN)).toBe("");
    expect(() => call("mustToJson", Number.NaN)).toThrow(/unsupported value: NaN/);
  });

  it("mustFromJson parses any JSON and fails on bad input", () => {
    expect(call("mustFromJson", '{"a":[1,"x"]}')).toEqual({ a: [1, "x"] });
    expect(call("mustFromJson", "[1]")).toEqual([1]);
    expect(() => call("mustFromJson", "{bad")).toThrow();
  });
});

describe("JSON decoding errors", () => {
  it("use encoding/json's messages", () => {
    const err = (text: string): string => {
      try {
        call("mustFromJson", text);
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    expect(err("{bad")).toBe("invalid character 'b' looking for beginning of object key string");
    expect(err("")).toBe("unexpected end of JSON input");
    expect(err('{"a":1')).toBe("unexpected end of JSON input");
    expect(err("[1,]")).toBe("invalid character ']' looking for beginning of value");
    expect(err("[1 2]")).toBe("invalid character '2' after array element");
    expect(err("{} x")).toBe("invalid character 'x' after top-level value");
    expect(err('"\u0001"')).toBe("invalid character '\\x01' in string literal");
    expect(err("trux")).toBe("invalid character 'x' in literal true (expecting 'e')");
    expect(err("01")).toBe("invalid character '1' after top-level value");
    expect(call("fromJson", "{bad")).toEqual({ Error: "invalid character 'b' looking for beginning of object key string" });
  });
});
