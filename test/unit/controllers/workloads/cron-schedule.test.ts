import { describe, expect, it } from "vitest";
import { latestFireBetween, nextFire, parseSchedule } from "../../../../src/controllers/workloads/cron.js";
import type { CronSchedule } from "../../../../src/controllers/workloads/cron.js";
import { cronJobScheduleProblem } from "../../../../src/manifest/cron.js";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
function schedule(expr: string): CronSchedule {
  const p = parseSchedule(expr);
  if (!p.ok) throw new Error(p.error);
  return p.value;
}

describe("a CronJob's spec.schedule, checked as Kubernetes admits it", () => {
  it.each([
    ["*/0 * * * *", "minute step must be at least 1"],
    ["0 */0 * * *", "hour step must be at least 1"],
    ["*/90 * * * *", "minute step 90 is larger than the whole minute range (0-59), so it would only ever fire at 0 (write 0, or a smaller step)"],
    ["0 0 * * */7", "day-of-week step 7 is larger than the whole day-of-week range (0-6), so it would only ever fire at 0 (write 0, or a smaller step)"],
    ["5-3 * * * *", "minute range 5-3 runs backwards; ranges do not wrap around (write 5-59,0-3)"],
    ["0 22-2 * * *", "hour range 22-2 runs backwards; ranges do not wrap around (write 22-23,0-2)"],
    ["0 0 * * FRI-MON", "day-of-week range FRI-MON runs backwards; ranges do not wrap around (write 5-6,0-1)"],
    ["60 * * * *", "minute 60 is out of range 0-59"],
    ["0 24 * * *", "hour 24 is out of range 0-23"],
    ["0 0 0 * *", "day-of-month 0 is out of range 1-31"],
    ["0 0 32 * *", "day-of-month 32 is out of range 1-31"],
    ["0 0 * 13 *", "month 13 is out of range 1-12 or JAN-DEC"],
    ["0 0 * JANUARY *", 'month "JANUARY" is not a number or a name (1-12 or JAN-DEC)'],
    ["0 0 * * 8", "day-of-week 8 is out of range 0-7 or SUN-SAT"],
    ["0 0 L * *", 'day-of-month "L" is not a number'],
    ["0 0 * * 1#2", 'day-of-week "1#2" is not a number or a name (0-7 or SUN-SAT)'],
    ["*-5 * * * *", 'minute "*-5": * cannot start a range'],
    ["1-2-3 * * * *", 'minute "1-2-3" is not a value, a range or a step (such as 5, 1-5, */15 or 1-30/5)'],
    [", * * * *", "minute has no values"],
    ["* * * *", "expected five fields (minute hour day-of-month month day-of-week), or a macro such as @daily; found 4"],
    ["0 * * * * *", "expected five fields (minute hour day-of-month month day-of-week), or a macro such as @daily; found 6"],
    ["@reboot", 'unknown macro "@reboot" (use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every DURATION, or five fields)'],
    ["@every 1d", "@every needs a positive duration such as 90s, 15m or 1h30m"],
    ["@every 0s", "@every needs a positive duration such as 90s, 15m or 1h30m"],
    ["@every -5m", "@every needs a positive duration such as 90s, 15m or 1h30m"],
    ["CRON_TZ=Europe/Paris 0 3 * * *", "cannot use TZ or CRON_TZ in the schedule; set spec.timeZone instead"],
    ["TZ=UTC @daily", "cannot use TZ or CRON_TZ in the schedule; set spec.timeZone instead"],
    ["", "is empty"],
  ])("refuses %j: %s", (expr, reason) => {
    expect(cronJobScheduleProblem(expr)).toBe(`${JSON.stringify(expr)}: ${reason}`);
  });

  it.each([
    "* * * * *",
    "*/15 * * * *",
    "0 9-17 * * MON-FRI",
    "0 9 * * mon,wed,FRI",
    "0 0 1 jan-jun/2 *",
    "0 0 ? * ?",
    "? ? ? ? ?",
    "5/15 * * * *",
    "1,,2 * * * *",
    "0 0 * * 7",
    "*/59 * * * *",
    "@hourly",
    "@daily",
    "@midnight",
    "@weekly",
    "@monthly",
    "@yearly",
    "@annually",
    "@every 90s",
    "@every 1h30m",
    " 0 3 * * * ",
  ])("accepts %j", (expr) => {
    expect(cronJobScheduleProblem(expr)).toBeUndefined();
    expect(parseSchedule(expr).ok).toBe(true);
  });
});

describe("fire times read the way Kubernetes reads the schedule", () => {
  it.each([
    { expr: "5/15 * * * *", after: "2026-03-01T10:06:00Z", next: "2026-03-01T10:20:00.000Z" },
    { expr: "? 3 * * *", after: "2026-03-01T03:58:30Z", next: "2026-03-01T03:59:00.000Z" },
    { expr: "0 0 * * 7", after: "2026-03-02T00:00:00Z", next: "2026-03-08T00:00:00.000Z" },
    { expr: "0 0 * * 5-7", after: "2026-03-02T00:00:00Z", next: "2026-03-06T00:00:00.000Z" },
    { expr: "0 0 * JAN-MAR/2 *", after: "2026-01-31T12:00:00Z", next: "2026-03-01T00:00:00.000Z" },
    // A stepped * restricts its day field, so the two day fields match either (robfig's star bit).
    { expr: "0 0 */10 * MON", after: "2026-03-01T00:00:00Z", next: "2026-03-02T00:00:00.000Z" },
    { expr: "0 0 1 * *", after: "2026-03-01T00:00:00Z", next: "2026-04-01T00:00:00.000Z" },
  ])("$expr after $after fires at $next", ({ expr, after, next }) => {
    expect(iso(nextFire(schedule(expr), at(after)))).toBe(next);
  });

  it("fires @every on a fixed grid, so a restarted daemon keeps the same times", () => {
    const s = schedule("@every 1h30m");
    expect(iso(nextFire(s, at("2026-03-01T10:00:00Z")))).toBe("2026-03-01T10:30:00.000Z");
    expect(iso(nextFire(s, at("2026-03-01T10:30:00Z")))).toBe("2026-03-01T12:00:00.000Z");
    expect(latestFireBetween(s, at("2026-03-01T09:00:00Z"), at("2026-03-01T13:00:00Z"))).toEqual({ at: at("2026-03-01T12:00:00Z"), missed: 2 });
    expect(schedule("@every 200ms").everyMs).toBe(1000);
  });
});
