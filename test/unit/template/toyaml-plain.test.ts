import { describe, expect, it } from "vitest";
import { GoStruct } from "../../../src/template/values.js";
import type { GoValue } from "../../../src/template/values.js";
import { funcs } from "./funcs/helpers.js";

const call = funcs();

/** A struct that marshals to the given value, so toYaml must take the JSON road for it. */
class Wrapped extends GoStruct {
  readonly inner: GoValue;
  constructor(inner: GoValue) {
    super("test.Wrapped");
    this.inner = inner;
  }
  marshalJSON(): GoValue {
    return this.inner;
  }
}

describe("toYaml of plain values and of values that need the JSON round trip", () => {
  const values: Record<string, GoValue> = {
    resources: { limits: { cpu: "100m", memory: "128Mi" }, requests: {} },
    ports: [{ name: "http", containerPort: 80n, protocol: "TCP" }],
    numbers: { f: 1.5, whole: 3, big: 1e21, neg: -7n },
    quoting: { a: "yes", b: "0755", c: "a: b", d: "", e: "x\ny" },
  };

  for (const [name, v] of Object.entries(values)) {
    it(`writes the same YAML for ${name} given directly or through a struct's JSON form`, () => {
      expect(call("toYaml", { v })).toBe(call("toYaml", { v: new Wrapped(v) }));
    });
  }

  it("writes a missing map value as null, as JSON would", () => {
    expect(call("toYaml", { a: undefined, b: 1n })).toBe("a: null\nb: 1");
  });

  it("gives empty output for NaN nested in plain maps and lists, mustToYaml fails", () => {
    expect(call("toYaml", { a: [{ b: Number.NaN }] })).toBe("");
    expect(() => call("mustToYaml", { a: [Number.POSITIVE_INFINITY] })).toThrow("json: unsupported value: +Inf");
  });
});

describe("toYaml layout with non-ASCII text", () => {
  it("counts characters, not UTF-16 units, when deciding where to fold", () => {
    const s = "😀".repeat(50) + " x";
    expect(call("toYaml", { k: s })).toBe("k: " + s);
  });

  it("orders non-ASCII letters after ASCII ones by code point", () => {
    expect(call("toYaml", { é: 1n, z: 2n, a1: 3n, a: 4n, Z: 5n })).toBe("Z: 5\na: 4\na1: 3\nz: 2\né: 1");
  });

  it("writes a key longer than 128 UTF-8 bytes as an explicit key", () => {
    const short = "é".repeat(64);
    const long = "é".repeat(65);
    expect(call("toYaml", { [short]: 1n })).toBe(`${short}: 1`);
    expect(call("toYaml", { [long]: 1n })).toBe(`? ${long}\n: 1`);
  });
});
