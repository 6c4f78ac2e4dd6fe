import { parse as parseCron, validateDetailed } from "node-cron";

/**
 * Next fire times of a cron schedule, in UTC. node-cron parses and validates the expression
 * (ranges, steps, names, macros, an optional seconds field); this file only walks the calendar
 * over its parsed fields, because node-cron's own next-run needs a live scheduled task and a
 * real clock, while controllers need an answer for any instant of an injected clock.
 */

export interface CronSchedule {
  expression: string;
  seconds: Set<number>;
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  lastDayOfMonth: boolean;
  months: Set<number>;
  daysOfWeek: Set<number>;
  /** Day-of-month and day-of-week both restricted: a day matches either (cron's rule). */
  dayOr: boolean;
}

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** Parses a cron expression (5 fields, or 6 with seconds first), or returns the reason it is invalid. */
export function parseSchedule(expression: string): { ok: true; value: CronSchedule } | { ok: false; error: string } {
  const text = MACROS[expression.trim()] ?? expression.trim();
  const check = validateDetailed(text);
  if (!check.valid) {
    const first = check.errors[0];
    return { ok: false, error: `"${expression}" is not a valid cron schedule${first ? `: ${first.field}: ${first.message}` : ""}` };
  }
  const fields = parseCron(text);
  const raw = text.split(/\s+/);
  const five = raw.length === 6 ? raw.slice(1) : raw;
  const star = (f: string | undefined) => f === "*" || f === "?";
  const nums = (xs: (number | string)[]) => new Set(xs.filter((x): x is number => typeof x === "number"));
  return {
    ok: true,
    value: {
      expression,
      seconds: new Set(fields.second),
      minutes: new Set(fields.minute),
      hours: new Set(fields.hour),
      daysOfMonth: nums(fields.dayOfMonth),
      lastDayOfMonth: fields.dayOfMonth.includes("L"),
      months: new Set(fields.month),
      // Sunday may be written 0 or 7.
      daysOfWeek: new Set([...nums(fields.dayOfWeek)].map((d) => d % 7)),
      dayOr: !star(five[2]) && !star(five[4]),
    },
  };
}

function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const dom = d.getUTCDate();
  const domOk = s.daysOfMonth.has(dom) || (s.lastDayOfMonth && dom === daysInMonth(d.getUTCFullYear(), d.getUTCMonth()));
  const dowOk = s.daysOfWeek.has(d.getUTCDay());
  return s.dayOr ? domOk || dowOk : domOk && dowOk;
}

/** The first fire time strictly after `afterMs`, or undefined when none within five years. */
export function nextFire(s: CronSchedule, afterMs: number): number | undefined {
  const d = new Date(Math.floor(afterMs / 1000) * 1000 + 1000);
  const limit = afterMs + 5 * 366 * 86_400_000;
  while (d.getTime() <= limit) {
    if (!s.months.has(d.getUTCMonth() + 1)) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(s, d)) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hours.has(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!s.minutes.has(d.getUTCMinutes())) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    if (!s.seconds.has(d.getUTCSeconds())) {
      d.setUTCSeconds(d.getUTCSeconds() + 1, 0);
      continue;
    }
    return d.getTime();
  }
  return undefined;
}

/** The latest fire time in (afterMs, untilMs], or undefined; also how many were missed. */
export function latestFireBetween(s: CronSchedule, afterMs: number, untilMs: number): { at: number; missed: number } | undefined {
  let at: number | undefined;
  let missed = 0;
  for (let t = nextFire(s, afterMs); t !== undefined && t <= untilMs; t = nextFire(s, t)) {
    at = t;
    missed++;
    // Kubernetes gives up counting after 100 missed starts; so does this.
    if (missed > 100) break;
  }
  return at === undefined ? undefined : { at, missed };
}
