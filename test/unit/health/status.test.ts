import { describe, expect, it } from "vitest";
import { HEALTH_ORDER, aggregateHealth, worstHealth } from "../../../src/health/index.js";
import * as legacy from "../../../src/controllers/health.js";

describe("health order", () => {
  it("follows the design's order from Healthy to Unknown", () => {
    expect(HEALTH_ORDER).toEqual(["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"]);
  });

  it.each([
    { a: "Healthy", b: "Suspended", worst: "Suspended" },
    { a: "Suspended", b: "Progressing", worst: "Progressing" },
    { a: "Degraded", b: "Missing", worst: "Degraded" },
    { a: "Unknown", b: "Degraded", worst: "Unknown" },
  ] as const)("$a and $b give $worst whichever side each is on", ({ a, b, worst }) => {
    expect(worstHealth(a, b)).toBe(worst);
    expect(worstHealth(b, a)).toBe(worst);
  });

  it("aggregates a suspended workload with healthy ones as Suspended, keeping its message", () => {
    expect(aggregateHealth([{ status: "Healthy" }, { status: "Suspended", message: "rollout paused" }])).toEqual({ status: "Suspended", message: "rollout paused" });
  });

  it("is the same from the controllers' old import path", () => {
    expect(legacy.HEALTH_ORDER).toBe(HEALTH_ORDER);
    expect(legacy.aggregateHealth).toBe(aggregateHealth);
  });
});
