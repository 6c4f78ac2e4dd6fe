import { describe, expect, it } from "vitest";
import { sprigFuncs } from "../../../../src/template/funcs/sprig/index.js";
import type { GoValue } from "../../../../src/template/values.js";

const f = sprigFuncs();
const call = (name: string, ...args: GoValue[]): GoValue => {
  const fn = f[name];
  if (!fn) throw new Error(`no function ${name}`);
  return fn(...args);
};

describe("Sprig string functions", () => {
  it("trim removes surrounding whitespace including tabs and newlines", () => {
    expect(call("trim", "  \t hello \n ")).toBe("hello");
  });

  it("trimAll removes a cutset from both ends, pipeline value last", () => {
    expect(call("trimAll", "$", "$$5.00$")).toBe("5.00");
    expect(call("trimall", "-_", "_-x-_")).toBe("x");
  });

  it("trimPrefix and trimSuffix strip once, pipeline value last", () => {
    expect(call("trimPrefix", "-", "--hello")).toBe("-hello");
    expect(call("trimSuffix", "-", "hello--")).toBe("hello-");
    expect(call("trimSuffix", "-", "hello")).toBe("hello");
    expect(call("trimSuffix", "", "hello")).toBe("hello");
    expect(call("trimSuffix", "é", "cafeé")).toBe("cafe");
  });

  it("trimSuffix rejects a non-string like Go's typed arguments do", () => {
    expect(() => call("trimSuffix", "-", 5n)).toThrow(/expected string; got int64/);
    expect(() => call("trimSuffix", "-", null)).toThrow(/expected string/);
  });

  it("upper, lower, title and untitle change case per rune", () => {
    expect(call("upper", "héllo")).toBe("HÉLLO");
    expect(call("lower", "HÉLLO")).toBe("héllo");
    expect(call("upper", "straße")).toBe("STRAßE");
    expect(call("title", "hello world-wide o'neil")).toBe("Hello World-Wide O'Neil");
    expect(call("untitle", "Hello World")).toBe("hello world");
  });

  it("repeat repeats the piped string", () => {
    expect(call("repeat", 3n, "ab")).toBe("ababab");
    expect(() => call("repeat", -1n, "ab")).toThrow(/negative Repeat count/);
  });

  it("substr slices bytes with Sprig's rules for negative bounds", () => {
    expect(call("substr", 0n, 5n, "hello world")).toBe("hello");
    expect(call("substr", 6n, -1n, "hello world")).toBe("world");
    expect(call("substr", 6n, 99n, "hello world")).toBe("world");
    expect(call("substr", -1n, 5n, "hello world")).toBe("hello");
  });

  it("nospace removes all whitespace", () => {
    expect(call("nospace", "hello w o r l d")).toBe("helloworld");
  });

  it("trunc keeps the first n bytes, or the last n when negative", () => {
    expect(call("trunc", 5n, "hello world")).toBe("hello");
    expect(call("trunc", -5n, "hello world")).toBe("world");
    expect(call("trunc", 63n, "short")).toBe("short");
    expect(call("trunc", -63n, "short")).toBe("short");
    expect(call("trunc", 0n, "abc")).toBe("");
    expect(call("trunc", 3.0, "abcdef")).toBe("abc");
  });

  it("trunc counts UTF-8 bytes like Go", () => {
    expect(call("trunc", 4n, "héllo")).toBe("hél");
    expect(call("trunc", -3n, "abcé")).toBe("cé");
  });

  it("trunc rejects a non-integer length", () => {
    expect(() => call("trunc", "5", "hello")).toThrow(/expected int/);
    expect(() => call("trunc", 2.5, "hello")).toThrow(/expected int/);
  });

  it("abbrev and abbrevboth add ellipses", () => {
    expect(call("abbrev", 5n, "hello world")).toBe("he...");
    expect(call("abbrev", 3n, "hello world")).toBe("hello world");
    expect(call("abbrevboth", 5n, 10n, "1234 5678 9123")).toBe("...5678...");
  });

  it("initials takes the first letter of each word", () => {
    expect(call("initials", "First Try")).toBe("FT");
  });

  it("random string functions give the requested length and alphabet", () => {
    expect(call("randAlphaNum", 12n)).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(call("randAlpha", 12n)).toMatch(/^[A-Za-z]{12}$/);
    expect(call("randNumeric", 12n)).toMatch(/^[0-9]{12}$/);
    expect(call("randAscii", 12n)).toMatch(/^[ -~]{12}$/);
  });

  it("wrap and wrapWith break at spaces", () => {
    expect(call("wrap", 5n, "Hello World")).toBe("Hello\nWorld");
    expect(call("wrapWith", 5n, "\t", "Hello World")).toBe("Hello\tWorld");
    expect(call("wrapWith", 3n, "\n", "abcdefg")).toBe("abc\ndef\ng");
  });

  it("contains, hasPrefix and hasSuffix take the substring first", () => {
    expect(call("contains", "cat", "catch")).toBe(true);
    expect(call("contains", "dog", "catch")).toBe(false);
    expect(call("contains", "", "")).toBe(true);
    expect(call("hasPrefix", "cat", "catch")).toBe(true);
    expect(call("hasSuffix", "ch", "catch")).toBe(true);
    expect(() => call("contains", "a", null)).toThrow(/expected string/);
  });

  it("quote uses Go's %q on each non-nil argument", () => {
    expect(call("quote", "hello")).toBe('"hello"');
    expect(call("quote", 'say "hi"\n')).toBe('"say \\"hi\\"\\n"');
    expect(call("quote", "a", 1n, null, true)).toBe('"a" "1" "true"');
    expect(call("quote", null)).toBe("");
    expect(call("quote", "héllo ✓")).toBe('"héllo ✓"');
    expect(call("quote", 8080)).toBe('"8080"');
    expect(call("quote", 1.5)).toBe('"1.5"');
    expect(call("quote", "\u0001")).toBe('"\\x01"');
  });

  it("squote wraps each non-nil argument in single quotes", () => {
    expect(call("squote", "a", 2n, null)).toBe("'a' '2'");
  });

  it("cat joins non-nil values with spaces", () => {
    expect(call("cat", "hello", "beautiful", "world")).toBe("hello beautiful world");
    expect(call("cat", "a", null, 1n, 2.5)).toBe("a 1 2.5");
  });

  it("indent and nindent pad every line", () => {
    expect(call("indent", 4n, "a\nb")).toBe("    a\n    b");
    expect(call("nindent", 2n, "a\nb")).toBe("\n  a\n  b");
    expect(call("indent", 2n, "")).toBe("  ");
    expect(call("indent", 0n, "a\nb")).toBe("a\nb");
    expect(call("indent", 2n, "a\n")).toBe("  a\n  ");
    expect(call("nindent", 4.0, "x")).toBe("\n    x");
    expect(() => call("indent", 2n, null)).toThrow(/expected string/);
    expect(() => call("nindent", -1n, "x")).toThrow("strings: negative Repeat count");
  });

  it("replace substitutes every occurrence, pipeline value last", () => {
    expect(call("replace", " ", "-", "I Am Henry VIII")).toBe("I-Am-Henry-VIII");
    expect(call("replace", "", "-", "ab")).toBe("-a-b-");
    expect(call("replace", "x", "y", "")).toBe("");
    expect(call("replace", "é", "e", "café é")).toBe("cafe e");
  });

  it("plural picks by count", () => {
    expect(call("plural", "one anchovy", "many anchovies", 1n)).toBe("one anchovy");
    expect(call("plural", "one anchovy", "many anchovies", 2n)).toBe("many anchovies");
  });

  it("snakecase, camelcase and kebabcase follow xstrings", () => {
    expect(call("snakecase", "FirstName")).toBe("first_name");
    expect(call("snakecase", "HTTPServer")).toBe("http_server");
    expect(call("snakecase", "GO PATH")).toBe("go_path");
    expect(call("camelcase", "http_server")).toBe("HttpServer");
    expect(call("camelcase", "_complex__case_")).toBe("_Complex_Case_");
    expect(call("kebabcase", "FirstName")).toBe("first-name");
  });

  it("swapcase and shuffle rearrange letters", () => {
    expect(call("swapcase", "This Is A.Test")).toBe("tHIS iS a.tEST");
    const s = call("shuffle", "hello") as string;
    expect(s.split("").sort().join("")).toBe("ehllo");
  });

  it("toString formats any value with Go's %v", () => {
    expect(call("toString", "x")).toBe("x");
    expect(call("toString", 42n)).toBe("42");
    expect(call("toString", 8080)).toBe("8080");
    expect(call("toString", 1.5)).toBe("1.5");
    expect(call("toString", true)).toBe("true");
    expect(call("toString", null)).toBe("<nil>");
    expect(call("toString", [1n, "a"])).toBe("[1 a]");
    expect(call("toString", { b: 1n, a: "x" })).toBe("map[a:x b:1]");
  });

  it("toStrings converts each non-nil element", () => {
    expect(call("toStrings", [1n, 2.5, null, "x"])).toEqual(["1", "2.5", "x"]);
    expect(call("toStrings", "solo")).toEqual(["solo"]);
  });

  it("splitList, split and splitn cut on a separator", () => {
    expect(call("splitList", "$", "foo$bar$baz")).toEqual(["foo", "bar", "baz"]);
    expect(call("splitList", "", "añb")).toEqual(["a", "ñ", "b"]);
    expect(call("split", "$", "foo$bar$baz")).toEqual({ _0: "foo", _1: "bar", _2: "baz" });
    expect(call("splitn", "$", 2n, "foo$bar$baz")).toEqual({ _0: "foo", _1: "bar$baz" });
    expect(call("splitn", "$", 0n, "foo$bar")).toEqual({});
  });

  it("join converts elements with toString and skips nils", () => {
    expect(call("join", "_", ["hello", "world"])).toBe("hello_world");
    expect(call("join", ",", [1n, 2.5, true, null, "x"])).toBe("1,2.5,true,x");
    expect(call("join", ",", null)).toBe("");
    expect(call("join", ",", "solo")).toBe("solo");
    expect(call("join", ", ", [])).toBe("");
  });

  it("sortAlpha sorts the string forms in byte order", () => {
    expect(call("sortAlpha", ["b", "a", "C", 10n, 9n])).toEqual(["10", "9", "C", "a", "b"]);
  });
});
