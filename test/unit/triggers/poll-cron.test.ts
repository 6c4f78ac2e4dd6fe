import { describe, expect, it } from "vitest";
import { checkSchedule, cronProblem } from "../../../src/triggers/poll.js";

describe("poll schedules in the config file", () => {
  it.each([
    ["*/0 * * * *", '"*/0 * * * *": minute step must be at least 1'],
    ["*/30 */0 * * * *", '"*/30 */0 * * * *": minute step must be at least 1'],
    ["*/90 * * * *", '"*/90 * * * *": minute step 90 is larger than the whole minute range (0-59), so it would only ever fire at 0 (write 0, or a smaller step)'],
    ["0 5-3 * * *", '"0 5-3 * * *": hour range 5-3 runs backwards; ranges do not wrap around (write 5-23,0-3)'],
    ["0 0 * 13 *", '"0 0 * 13 *": month 13 is out of range 1-12 or JAN-DEC'],
    ["0 0 * * 8", '"0 0 * * 8": day-of-week 8 is out of range 0-7 or SUN-SAT'],
    ["61 * * * * *", '"61 * * * * *": second 61 is out of range 0-59'],
    ["5/15 * * * *", '"5/15 * * * *": minute "5/15" needs a range before the step (write 5-59/15)'],
    ["? * * * *", '"? * * * *": minute cannot be "?" (only day-of-month and day-of-week can; write *)'],
    ["1,,2 * * * *", '"1,,2 * * * *": minute "1,,2" has an empty list item'],
    ["@every 5m", expect.stringContaining('unknown macro "@every"')],
  ])("refuses %s, naming the field", (expr, message) => {
    expect(cronProblem(expr, { seconds: true })).toEqual(message);
  });

  it("refuses a seconds field unless it is allowed", () => {
    expect(cronProblem("*/30 * * * * *", { seconds: true })).toBeUndefined();
    expect(cronProblem("*/30 * * * * *", { seconds: false })).toMatch(/expected five fields .*found 6$/);
  });

  it.each(["*/30 * * * * *", "0 */5 * * * *", "*/5 * * * *", "0 9-17/2 * * MON-FRI", "0 0 ? * 7", "0 0 1,15 jan-jun *", "@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually"])(
    "accepts %s, which node-cron runs",
    (expr) => {
      expect(cronProblem(expr, { seconds: true })).toBeUndefined();
      expect(() => checkSchedule(expr)).not.toThrow();
    },
  );
});
