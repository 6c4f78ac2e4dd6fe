import { describe, expect, test } from "vitest";
import { canonicalQuantity, parseQuantity, quantityValue } from "../../../src/manifest/quantity.js";

describe("Kubernetes quantities", () => {
  test.each([
    ["500m", "500m"],
    ["0.5", "500m"],
    [0.5, "500m"],
    [2, "2"],
    ["1000m", "1"],
    ["1024Mi", "1Gi"],
    ["1.5Gi", "1536Mi"],
    ["1000M", "1G"],
    ["128Mi", "128Mi"],
    ["2000Ki", "2000Ki"],
    ["129e6", "129e6"],
    ["0", "0"],
  ])("%s is written canonically as %s", (input, expected) => {
    expect(canonicalQuantity(input)).toBe(expected);
  });

  test("equal amounts written differently compare equal", () => {
    expect(parseQuantity("1Gi")?.nano).toBe(parseQuantity("1024Mi")?.nano);
    expect(parseQuantity("0.25")?.nano).toBe(parseQuantity("250m")?.nano);
  });

  test("gives base units for the scheduler: cores and bytes", () => {
    expect(quantityValue("250m")).toBe(0.25);
    expect(quantityValue("64Mi")).toBe(64 * 1024 * 1024);
  });

  test.each(["abc", "1.2.3", "5 Gi", "Gi", "1gi"])("%s is not a quantity", (input) => {
    expect(parseQuantity(input)).toBeUndefined();
  });
});
