import { describe, expect, it } from "vitest";
import { funcs } from "./helpers.js";

const call = funcs();

describe("Sprig math functions", () => {
  it("integer arithmetic accepts ints, floats and numeric strings and returns int64", () => {
    expect(call("add", 1n, 2n, 3n)).toBe(6n);
    expect(call("add", 1n, 2.9, "3")).toBe(6n);
    expect(call("add")).toBe(0n);
    expect(call("add1", 41n)).toBe(42n);
    expect(call("sub", 3n, 5n)).toBe(-2n);
    expect(call("div", 7n, 2n)).toBe(3n);
    expect(call("div", -7n, 2n)).toBe(-3n);
    expect(call("mod", -7n, 3n)).toBe(-1n);
    expect(call("mul", 2n, 3n, 4n)).toBe(24n);
    expect(call("add", 8080, 1n)).toBe(8081n);
    expect(call("add", null, "x")).toBe(0n);
  });

  it("integer division by zero fails like Go", () => {
    expect(() => call("div", 1n, 0n)).toThrow("integer divide by zero");
    expect(() => call("mod", 1n, 0n)).toThrow("integer divide by zero");
  });

  it("int64 arithmetic wraps on overflow", () => {
    expect(call("add", 9223372036854775807n, 1n)).toBe(-9223372036854775808n);
  });

  it("max, min and biggest compare as int64", () => {
    expect(call("max", 1n, 5n, 3n)).toBe(5n);
    expect(call("biggest", 1n, 5n)).toBe(5n);
    expect(call("min", 4n, -2n, 3.7)).toBe(-2n);
    expect(call("max", "10", 9n)).toBe(10n);
  });

  it("float functions use decimal arithmetic like Sprig", () => {
    expect(call("addf", 1.1, 2.2)).toBe(3.3);
    expect(call("add1f", 1.5)).toBe(2.5);
    expect(call("subf", 1.5, 0.1)).toBe(1.4);
    expect(call("mulf", 1.1, 3n)).toBe(3.3);
    expect(call("divf", 1n, 3n)).toBe(0.3333333333333333);
    expect(call("divf", 10, 4)).toBe(2.5);
    expect(call("addf", "1.5", 1n)).toBe(2.5);
    expect(call("maxf", 1, 2.5, -3)).toBe(2.5);
    expect(call("minf", 1, 2.5, -3)).toBe(-3);
  });

  it("floor, ceil and round give floats", () => {
    expect(call("floor", 123.9999)).toBe(123);
    expect(call("ceil", 123.001)).toBe(124);
    expect(call("round", 123.555555, 3n)).toBe(123.556);
    expect(call("round", 3.14159, 2n)).toBe(3.14);
    expect(call("round", 2.5, 0n)).toBe(3);
    expect(call("round", 123.4, 0n, 0.3)).toBe(124);
  });

  it("randInt stays within [min, max)", () => {
    for (let i = 0; i < 20; i++) {
      const v = call("randInt", 5n, 8n) as bigint;
      expect(v >= 5n && v < 8n).toBe(true);
    }
    expect(() => call("randInt", 5n, 5n)).toThrow("invalid argument to Intn");
  });
});
