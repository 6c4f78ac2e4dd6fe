import { describe, expect, it } from "vitest";
import { GoStruct } from "../../../../src/template/values.js";
import { funcs } from "./helpers.js";

const call = funcs();

describe("Sprig encoding functions", () => {
  it("b64enc and b64dec round-trip UTF-8 text", () => {
    expect(call("b64enc", "hello")).toBe("aGVsbG8=");
    expect(call("b64enc", "")).toBe("");
    expect(call("b64enc", "héllo ✓")).toBe("aMOpbGxvIOKckw==");
    expect(call("b64dec", "aMOpbGxvIOKckw==")).toBe("héllo ✓");
    expect(() => call("b64enc", 5n)).toThrow(/expected string/);
  });

  it("b64dec returns Go's error text on bad input", () => {
    expect(call("b64dec", "aGVsbG8")).toMatch(/^illegal base64 data at input byte/);
    expect(call("b64dec", "a$==")).toBe("illegal base64 data at input byte 1");
  });

  it("b32enc and b32dec round-trip", () => {
    expect(call("b32enc", "hello")).toBe("NBSWY3DP");
    expect(call("b32dec", "NBSWY3DP")).toBe("hello");
    expect(call("b32dec", "1")).toMatch(/^illegal base32 data/);
  });
});

describe("Sprig conversion functions", () => {
  it("int and int64 convert like spf13/cast", () => {
    expect(call("int", "12")).toBe(12n);
    expect(call("int", 3.9)).toBe(3n);
    expect(call("int", -3.9)).toBe(-3n);
    expect(call("int", 8080)).toBe(8080n);
    expect(call("int", "0x10")).toBe(16n);
    expect(call("int", "012")).toBe(12n);
    expect(call("int", "8080.0")).toBe(8080n);
    expect(call("int", "abc")).toBe(0n);
    expect(call("int", null)).toBe(0n);
    expect(call("int", true)).toBe(1n);
    expect(call("int64", "-5")).toBe(-5n);
  });

  it("atoi parses base-10 strings and gives 0 on anything else", () => {
    expect(call("atoi", "42")).toBe(42n);
    expect(call("atoi", "-7")).toBe(-7n);
    expect(call("atoi", "12a")).toBe(0n);
    expect(call("atoi", " 1")).toBe(0n);
  });

  it("float64 converts numbers and numeric strings", () => {
    expect(call("float64", "1.5")).toBe(1.5);
    expect(call("float64", 2n)).toBe(2);
    expect(call("float64", "x")).toBe(0);
  });

  it("toDecimal reads unix permission octal", () => {
    expect(call("toDecimal", "0777")).toBe(511n);
    expect(call("toDecimal", 755n)).toBe(493n);
    expect(call("toDecimal", "9")).toBe(0n);
  });
});

describe("Sprig reflection functions", () => {
  it("typeOf names Go types", () => {
    expect(call("typeOf", "x")).toBe("string");
    expect(call("typeOf", 1n)).toBe("int64");
    expect(call("typeOf", 1.5)).toBe("float64");
    expect(call("typeOf", true)).toBe("bool");
    expect(call("typeOf", null)).toBe("<nil>");
    expect(call("typeOf", [])).toBe("[]interface {}");
    expect(call("typeOf", {})).toBe("map[string]interface {}");
    expect(call("typeOf", new GoStruct("chartutil.Capabilities"))).toBe("chartutil.Capabilities");
  });

  it("kindOf names Go kinds and kindIs, typeIs, typeIsLike test them", () => {
    expect(call("kindOf", [])).toBe("slice");
    expect(call("kindOf", {})).toBe("map");
    expect(call("kindOf", null)).toBe("invalid");
    expect(call("kindOf", new GoStruct("x.T"))).toBe("struct");
    expect(call("kindOf", new GoStruct("*x.T"))).toBe("ptr");
    expect(call("kindIs", "int64", 3n)).toBe(true);
    expect(call("kindIs", "string", 3n)).toBe(false);
    expect(call("typeIs", "float64", 3.5)).toBe(true);
    expect(call("typeIsLike", "x.T", new GoStruct("*x.T"))).toBe(true);
  });

  it("deepEqual compares structure and Go types", () => {
    expect(call("deepEqual", { a: [1n, "x"] }, { a: [1n, "x"] })).toBe(true);
    expect(call("deepEqual", 1n, 1)).toBe(false);
    expect(call("deepEqual", { a: 1n }, { a: 1n, b: null })).toBe(false);
  });
});

describe("Sprig path functions", () => {
  it("base, dir, clean, ext and isAbs follow Go's path package", () => {
    expect(call("base", "/a/b/")).toBe("b");
    expect(call("base", "")).toBe(".");
    expect(call("base", "///")).toBe("/");
    expect(call("dir", "/a/b")).toBe("/a");
    expect(call("dir", "file")).toBe(".");
    expect(call("clean", "a//b/../c/")).toBe("a/c");
    expect(call("clean", "/../x")).toBe("/x");
    expect(call("clean", "../../x")).toBe("../../x");
    expect(call("ext", "x.tar.gz")).toBe(".gz");
    expect(call("ext", "dir.d/file")).toBe("");
    expect(call("isAbs", "/x")).toBe(true);
    expect(call("isAbs", "x")).toBe(false);
  });

  it("the os forms behave the same on Linux", () => {
    expect(call("osBase", "/a/b.txt")).toBe("b.txt");
    expect(call("osDir", "/a/b.txt")).toBe("/a");
    expect(call("osClean", "a/./b")).toBe("a/b");
    expect(call("osExt", "b.txt")).toBe(".txt");
    expect(call("osIsAbs", "/")).toBe(true);
  });
});

describe("Sprig URL functions", () => {
  it("urlParse splits a URL into Go's url.URL fields", () => {
    expect(call("urlParse", "https://user:pass@example.com:8080/a%20b/c?x=1&y=2#frag")).toEqual({
      scheme: "https",
      host: "example.com:8080",
      hostname: "example.com",
      path: "/a b/c",
      query: "x=1&y=2",
      opaque: "",
      fragment: "frag",
      userinfo: "user:pass",
    });
    expect(call("urlParse", "mailto:joe@example.com")).toMatchObject({ scheme: "mailto", opaque: "joe@example.com", host: "" });
    expect(call("urlParse", "proto://[::1]:80/")).toMatchObject({ hostname: "::1", host: "[::1]:80" });
    expect(() => call("urlParse", "%zz")).toThrow(/unable to parse url/);
  });

  it("urlJoin builds a URL from the same fields", () => {
    expect(call("urlJoin", { scheme: "https", host: "example.com:8080", path: "/a b", query: "x=1", fragment: "f", userinfo: "u:p" })).toBe(
      "https://u:p@example.com:8080/a%20b?x=1#f",
    );
    expect(call("urlJoin", { host: "localhost", path: "x" })).toBe("//localhost/x");
  });
});

describe("getHostByName", () => {
  it("resolves nothing during a pure render", () => {
    expect(call("getHostByName", "example.com")).toBe("");
  });
});

describe("the function table", () => {
  it("leaves out env and expandenv as Helm does", () => {
    expect(() => call("env", "HOME")).toThrow("no function env");
    expect(() => call("expandenv", "$HOME")).toThrow("no function expandenv");
  });

  it("keeps Sprig's hello", () => {
    expect(call("hello")).toBe("Hello!");
  });
});
