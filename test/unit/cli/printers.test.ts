import { describe, expect, it } from "vitest";
import { colorEnabled, formatData, formatTable, paint } from "../../../src/cli/printers.js";

describe("printers", () => {
  it("aligns table columns under upper-case headers", () => {
    const out = formatTable(
      [
        { name: "web", health: "Healthy" },
        { name: "worker-long", health: "Degraded" },
      ],
      [
        { header: "name", value: (r) => r.name },
        { header: "health", value: (r) => r.health },
      ],
    );
    expect(out).toBe("NAME          HEALTH\nweb           Healthy\nworker-long   Degraded\n");
  });

  it("prints JSON and YAML", () => {
    expect(formatData({ a: [1, "x"] }, "json")).toBe('{\n  "a": [\n    1,\n    "x"\n  ]\n}\n');
    expect(formatData({ a: [1, "x"] }, "yaml")).toBe("a:\n  - 1\n  - x\n");
  });

  it("colours only on a terminal without NO_COLOR", () => {
    expect(colorEnabled(true, {})).toBe(true);
    expect(colorEnabled(true, { NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled(false, {})).toBe(false);
    expect(paint(false, "red", "x")).toBe("x");
    expect(paint(true, "red", "x")).toBe("\u001b[31mx\u001b[0m");
  });
});
