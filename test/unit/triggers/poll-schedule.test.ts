import { describe, expect, it } from "vitest";
import { checkSchedule, schedulePoll } from "../../../src/triggers/poll.js";

describe("poll schedule", () => {
  it("names the field and value of an invalid cron expression", () => {
    expect(() => checkSchedule("*/30 61 * * * *", "https://git.example.com/acme/deploy")).toThrow(
      'poll schedule for https://git.example.com/acme/deploy is not a cron expression: "*/30 61 * * * *": minute 61 is out of range 0-59',
    );
    expect(() => checkSchedule("0 0 32 * *")).toThrow('"0 0 32 * *": day-of-month 32 is out of range 1-31');
    expect(() => checkSchedule("every 30s")).toThrow(/found 2 \(use five fields.*"\*\/30 \* \* \* \* \*" for every 30 seconds\)/);
  });

  it("accepts five and six field expressions and derives the period from them", async () => {
    expect(() => checkSchedule("*/5 * * * *")).not.toThrow();
    const p = schedulePoll({ repo: "r", onTick: () => undefined });
    expect(p.periodMs).toBe(30_000);
    expect(p.schedule).toBe("*/30 * * * * *");
    expect(p.nextRun()).toBeInstanceOf(Date);
    await p.stop();
    expect(p.nextRun()).toBeNull();
    const q = schedulePoll({ repo: "r", schedule: "0 */5 * * * *", onTick: () => undefined });
    expect(q.periodMs).toBe(300_000);
    await q.stop();
  });
});
