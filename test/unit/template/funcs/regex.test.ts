import { describe, expect, it } from "vitest";
import { funcs } from "./helpers.js";

const call = funcs();

describe("Sprig regex functions", () => {
  it("regexMatch finds a match anywhere and is false on a bad pattern", () => {
    expect(call("regexMatch", "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[A-Za-z]{2,}$", "test@acme.com")).toBe(true);
    expect(call("regexMatch", "b+", "abbc")).toBe(true);
    expect(call("regexMatch", "^b", "abbc")).toBe(false);
    expect(call("regexMatch", "(", "x")).toBe(false);
    expect(() => call("mustRegexMatch", "(", "x")).toThrow(/error parsing regexp/);
  });

  it("RE2 inline flags, named groups and POSIX classes work", () => {
    expect(call("regexMatch", "(?i)^abc$", "ABC")).toBe(true);
    expect(call("regexFind", "(?P<num>[[:digit:]]+)", "ab123cd")).toBe("123");
    expect(call("regexReplaceAll", "(?P<first>\\w+) (?P<last>\\w+)", "John Smith", "${last}, ${first}")).toBe("Smith, John");
    expect(call("regexMatch", "\\Aab\\z", "ab")).toBe(true);
    expect(call("regexMatch", "\\Aab\\z", "ab\n")).toBe(false);
    expect(call("regexFind", "\\Qa.b\\E", "xa.by")).toBe("a.b");
  });

  it("lookaround, which RE2 lacks, is rejected like Go", () => {
    expect(() => call("mustRegexFind", "a(?=b)", "ab")).toThrow(/error parsing regexp/);
  });

  it("regexFindAll and regexFind return matches", () => {
    expect(call("regexFindAll", "[2,4,6,8]", "123456789", -1n)).toEqual(["2", "4", "6", "8"]);
    expect(call("regexFindAll", "[2,4,6,8]", "123456789", 2n)).toEqual(["2", "4"]);
    expect(call("regexFindAll", "x", "abc", -1n)).toEqual([]);
    expect(call("regexFindAll", "a*", "baaab", -1n)).toEqual(["", "aaa", ""]);
    expect(call("regexFind", "[a-zA-Z][1-9]", "abcd1234")).toBe("d1");
    expect(call("regexFind", "z", "abc")).toBe("");
    expect(call("mustRegexFindAll", "a", "aa", -1n)).toEqual(["a", "a"]);
    expect(call("mustRegexFind", "b", "ab")).toBe("b");
  });

  it("regexReplaceAll expands $ references the way Go does", () => {
    expect(call("regexReplaceAll", "a(x*)b", "-ab-axxb-", "${1}W")).toBe("-W-xxW-");
    expect(call("regexReplaceAll", "a(x*)b", "-ab-axxb-", "$1W")).toBe("---");
    expect(call("regexReplaceAll", "a(x*)b", "-ab-axxb-", "$$1")).toBe("-$1-$1-");
    expect(call("mustRegexReplaceAll", "\\s+", "a  b   c", " ")).toBe("a b c");
  });

  it("regexReplaceAllLiteral inserts the replacement unexpanded", () => {
    expect(call("regexReplaceAllLiteral", "a(x*)b", "-ab-axxb-", "${1}")).toBe("-${1}-${1}-");
    expect(call("mustRegexReplaceAllLiteral", "\\.", "a.b", "$")).toBe("a$b");
  });

  it("regexSplit splits like Go's Regexp.Split", () => {
    expect(call("regexSplit", "z+", "pizza", -1n)).toEqual(["pi", "a"]);
    expect(call("regexSplit", "z+", "pizza", 1n)).toEqual(["pizza"]);
    expect(call("regexSplit", "z+", "pizza", 0n)).toEqual([]);
    expect(call("regexSplit", "", "abc", -1n)).toEqual(["a", "b", "c"]);
    expect(call("mustRegexSplit", ",", "a,b,,c", 3n)).toEqual(["a", "b", ",c"]);
  });

  it("regexQuoteMeta escapes metacharacters", () => {
    expect(call("regexQuoteMeta", "1.2.3")).toBe("1\\.2\\.3");
    expect(call("regexQuoteMeta", "[a]+(b)")).toBe("\\[a\\]\\+\\(b\\)");
  });
});
