import { describe, expect, test } from "vitest";
import { parseSetFlags } from "../../../src/chart/strvals.js";
import type { SetKind } from "../../../src/chart/strvals.js";
import { CapstanError } from "../../../src/errors.js";

const set = (text: string, kind: SetKind = "set") => parseSetFlags([{ kind, text }]);

describe("--set syntax (Helm's strvals)", () => {
  test.each([
    ["name1=value1", { name1: "value1" }],
    ["name1=value1,name2=value2", { name1: "value1", name2: "value2" }],
    ["name1=value1,name2=value2,", { name1: "value1", name2: "value2" }],
    ["name1=,name2=value2", { name1: "", name2: "value2" }],
    ["name1=one\\,two,name2=three\\,four", { name1: "one,two", name2: "three,four" }],
    ["name1=one\\=two", { name1: "one=two" }],
    ["name1=one two three", { name1: "one two three" }],
    ["outer.inner=value", { outer: { inner: "value" } }],
    ["outer.middle.inner=value", { outer: { middle: { inner: "value" } } }],
    ["outer.inner1=value,outer.inner2=value2", { outer: { inner1: "value", inner2: "value2" } }],
    ["name1.name2=", { name1: { name2: "" } }],
    ["a\\.b=c", { "a.b": "c" }],
    ["nodeSelector.kubernetes\\.io/role=master", { nodeSelector: { "kubernetes.io/role": "master" } }],
    ["name1={value1,value2}", { name1: ["value1", "value2"] }],
    ["name1={value1,value2},name2={value3}", { name1: ["value1", "value2"], name2: ["value3"] }],
    ["list[0]=foo", { list: ["foo"] }],
    ["list[0]=foo,list[1]=bar", { list: ["foo", "bar"] }],
    ["list[0]=foo,list[3]=bar", { list: ["foo", null, null, "bar"] }],
    ["list[0].foo=bar", { list: [{ foo: "bar" }] }],
    ["list[0].foo=bar,list[0].hello=world", { list: [{ foo: "bar", hello: "world" }] }],
    ["noval[0]=", { noval: [""] }],
    ["nested[0][0]=1", { nested: [[1n]] }],
    ["nested[1][1]=1", { nested: [null, [null, 1n]] }],
    ["name1.name2[0].foo=bar,name1.name2[1].foo=bar", { name1: { name2: [{ foo: "bar" }, { foo: "bar" }] } }],
    ["list[0]={a,b}", { list: [["a", "b"]] }],
  ])("%s", (text, expected) => {
    expect(set(text)).toEqual(expected);
  });

  test("types values as Helm does: base-10 integers become int64, booleans and null are typed, the rest stay strings", () => {
    expect(
      set("int=1234567890,neg=-5,zero=0,lead=00009,float=1.5,yes=true,no=FALSE,nothing=null,word=abc,big=99999999999999999999"),
    ).toEqual({
      int: 1234567890n,
      neg: -5n,
      zero: 0n,
      lead: "00009",
      float: "1.5",
      yes: true,
      no: false,
      nothing: null,
      word: "abc",
      big: "99999999999999999999",
    });
  });

  test("--set-string keeps every value a string", () => {
    expect(set("port=8080,on=true,nothing=null,list={1,2}", "set-string")).toEqual({
      port: "8080",
      on: "true",
      nothing: "null",
      list: ["1", "2"],
    });
  });

  test("--set-json reads each value as JSON, numbers as float64", () => {
    expect(set('a={"x":1,"y":[true,null]},b.c="s",d=[1,2]', "set-json")).toEqual({
      a: { x: 1, y: [true, null] },
      b: { c: "s" },
      d: [1, 2],
    });
    expect(set("list[1]={\"k\":\"v\"}", "set-json")).toEqual({ list: [null, { k: "v" }] });
  });

  test("--set-file reads the value from a file through the given reader", () => {
    const flags = [{ kind: "set-file" as const, text: "config=conf/app.ini" }];
    expect(parseSetFlags(flags, { readFile: (p) => `contents of ${p}` })).toEqual({ config: "contents of conf/app.ini" });
  });

  test("later flags override earlier ones and merge into maps", () => {
    const out = parseSetFlags([
      { kind: "set", text: "image.tag=v1,replicas=2" },
      { kind: "set", text: "image.tag=v2" },
      { kind: "set-string", text: "image.pullPolicy=Always" },
    ]);
    expect(out).toEqual({ image: { tag: "v2", pullPolicy: "Always" }, replicas: 2n });
  });

  test.each([
    ["name1", 'key "name1" has no value'],
    ["name1=value1,name2", 'key "name2" has no value'],
    ["name1,name2=value2", 'key "name1" has no value (cannot end with ,)'],
    ["name1=value1,,,,name2=value2", 'key "" has no value (cannot end with ,)'],
    ["illegal[0]name.foo=bar", 'unexpected data at end of array index: "name"'],
    ["list[-30].hello=world", "negative -30 index not allowed"],
    ["list[99999999]=1", "index of 99999999 is greater than maximum supported index of 65536"],
    ["list[x]=1", 'error parsing index: "x" is not a number'],
    ["name1={a,b", "list must terminate with '}'"],
  ])("rejects %s", (text, message) => {
    let error: unknown;
    try {
      set(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CapstanError);
    expect((error as CapstanError).code).toBe("VALUES_INVALID");
    expect((error as CapstanError).message).toBe(`--set ${text}: ${message}`);
  });
});
