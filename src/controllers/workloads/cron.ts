import { KUBERNETES_CRON, parseCron, type CronTimes } from "../../manifest/cron.js";

/**
 * Next fire times of a cron schedule, in UTC, for any instant of an injected clock. The schedule
 * is read as Kubernetes reads a CronJob's (src/manifest/cron.ts, where manifests are checked);
 * a leading seconds field is accepted too.
 */

export interface CronSchedule extends CronTimes {
  expression: string;
  /**
   * `@every DURATION`: fires on multiples of this many milliseconds since the epoch. Kubernetes
   * counts from the CronJob's creation instead; a fixed grid keeps the same times across daemon
   * restarts, which forget when they first saw a CronJob.
   */
  everyMs?: number;
}

/** Parses a cron expression (5 fields, or 6 with seconds first), or returns the reason it is invalid. */
export function parseSchedule(expression: string): { ok: true; value: CronSchedule } | { ok: false; error: string } {
  const parsed = parseCron(expression, { ...KUBERNETES_CRON, seconds: true });
  if (!parsed.ok) return { ok: false, error: `"${expression}" is not a valid cron schedule: ${parsed.error}` };
  if (parsed.value.kind === "every") {
    const none = new Set<number>();
    return {
      ok: true,
      value: { expression, seconds: none, minutes: none, hours: none, daysOfMonth: none, months: none, daysOfWeek: none, dayOr: false, everyMs: parsed.value.everyMs },
    };
  }
  return { ok: true, value: { expression, ...parsed.value.times } };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const domOk = s.daysOfMonth.has(d.getUTCDate());
  const dowOk = s.daysOfWeek.has(d.getUTCDay());
  return s.dayOr ? domOk || dowOk : domOk && dowOk;
}

/** The first fire time strictly after `afterMs`, or undefined when none within five years. */
export function nextFire(s: CronSchedule, afterMs: number): number | undefined {
  if (s.everyMs !== undefined) return (Math.floor(afterMs / s.everyMs) + 1) * s.everyMs;
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
