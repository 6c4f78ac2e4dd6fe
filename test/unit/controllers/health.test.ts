import { describe, expect, it } from "vitest";
import { HEALTH_ORDER, aggregateHealth, worstHealth } from "../../../src/controllers/health.js";

describe("health order", () => {
  it("follows the design's order from Healthy to Unknown", () => {
    expect(HEALTH_ORDER).toEqual(["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"]);
  });

  it("lets the worse of two values win whichever side it is on", () => {
    expect(worstHealth("Healthy", "Degraded")).toBe("Degraded");
    expect(worstHealth("Degraded", "Progressing")).toBe("Degraded");
    expect(worstHealth("Missing", "Suspended")).toBe("Missing");
    expect(worstHealth("Unknown", "Degraded")).toBe("Unknown");
  });

  it("aggregates many objects and keeps the deciding message", () => {
    expect(aggregateHealth([])).toEqual({ status: "Healthy" });
    expect(
      aggregateHealth([{ status: "Healthy" }, { status: "Degraded", message: "web-1: CrashLoopBackOff" }, { status: "Progressing", message: "rolling" }]),
    ).toEqual({ status: "Degraded", message: "web-1: CrashLoopBackOff" });
  });
});
