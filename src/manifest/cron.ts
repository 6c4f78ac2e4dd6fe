/**
 * Cron schedules, read field by field the way the scheduler that runs them reads them, so a
 * schedule is refused when it is written, naming the field, rather than failing when it is due.
 *
 * A CronJob's `spec.schedule` follows Kubernetes, which parses it with robfig/cron's standard
 * parser: five fields, names for months and weekdays (any case), `N/step` meaning `N-max/step`,
 * `?` for `*` in any field, empty list items skipped, the `@yearly`…`@hourly` macros and
 * `@every DURATION`, and no `TZ=`/`CRON_TZ=` prefix (Kubernetes refuses it on create: the zone
 * goes in `spec.timeZone`). Where it parts from Kubernetes it is stricter only about schedules that
 * cannot mean what they say: a step wider than the whole field (every 90 minutes written as a
 * minute step fires once an hour), a field with no values, `*-5`. Day-of-week 7 is Sunday, as in
 * crontab (Kubernetes refuses 7).
 *
 * No library reads exactly this dialect (cron-parser, croner and node-cron accept `L`, `#` and six
 * fields and refuse `@every`, croner and node-cron refuse `5/15`), hence this file.
 */

interface FieldSpec {
  name: string;
  min: number;
  /** Largest value written. */
  max: number;
  /** Largest distinct value (day-of-week 7 is 0 again): `*` and `N/step` end here. */
  last: number;
  /** Lower-case names and their values. */
  names?: Readonly<Record<string, number>>;
  /** How the values read in a message: `0-59`, `1-12 or JAN-DEC`. */
  shown: string;
  day?: boolean;
}

const named = (names: string[], first: number) => Object.fromEntries(names.map((n, i) => [n, i + first]));
const MONTH_NAMES = named(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1);
const DAY_NAMES = named(["sun", "mon", "tue", "wed", "thu", "fri", "sat"], 0);

const SECOND: FieldSpec = { name: "second", min: 0, max: 59, last: 59, shown: "0-59" };
const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59, last: 59, shown: "0-59" },
  { name: "hour", min: 0, max: 23, last: 23, shown: "0-23" },
  { name: "day-of-month", min: 1, max: 31, last: 31, shown: "1-31", day: true },
  { name: "month", min: 1, max: 12, last: 12, names: MONTH_NAMES, shown: "1-12 or JAN-DEC" },
  { name: "day-of-week", min: 0, max: 7, last: 6, names: DAY_NAMES, shown: "0-7 or SUN-SAT", day: true },
];

/** The instants a calendar schedule matches, field by field. */
export interface CronTimes {
  seconds: Set<number>;
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  /** 0 is Sunday (7 is read as 0). */
  daysOfWeek: Set<number>;
  /** Day-of-month and day-of-week both restricted: a day matches either (cron's rule). */
  dayOr: boolean;
}

export type ParsedCron = { kind: "calendar"; times: CronTimes } | { kind: "every"; everyMs: number };

/** What a dialect accepts beyond the five standard fields. */
export interface CronSyntax {
  /** A sixth, leading field of seconds may be given. */
  seconds: boolean;
  /** `@every 1h30m`. */
  every: boolean;
  /** `5/15` means `5-max/15`. */
  stepFromValue: boolean;
  /** Where `?` may stand for `*`: every field, or the two day fields only. */
  question: "all" | "days";
  /** `1,,2` and a trailing comma are read as `1,2`. */
  emptyListItems: boolean;
}

/** A CronJob's schedule as Kubernetes admits it. */
export const KUBERNETES_CRON: CronSyntax = { seconds: false, every: true, stepFromValue: true, question: "all", emptyListItems: true };

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const GO_DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in milliseconds (`1h30m`, `1.5h`, `90s`; no days). */
function goDurationMs(text: string): number | undefined {
  if (text === "0") return 0;
  const m = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(text);
  if (!m) return undefined;
  let total = 0;
  for (const part of (m[2] ?? "").matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(part[1]) * (GO_DURATION_UNITS[part[2] ?? ""] ?? 0);
  return m[1] === "-" ? -total : total;
}

function valueOf(text: string, spec: FieldSpec): number | string {
  const byName = spec.names && Object.hasOwn(spec.names, text.toLowerCase()) ? spec.names[text.toLowerCase()] : undefined;
  if (byName !== undefined) return byName;
  if (!/^\+?\d+$/.test(text)) return `${spec.name} ${JSON.stringify(text)} is not ${spec.names ? `a number or a name (${spec.shown})` : "a number"}`;
  const n = Number(text);
  if (n < spec.min || n > spec.max) return `${spec.name} ${text} is out of range ${spec.shown}`;
  return n;
}

/** One field: a comma-separated list of `*`, values, ranges, each with an optional step. */
function parseField(text: string, spec: FieldSpec, syntax: CronSyntax): { values: Set<number>; star: boolean } | string {
  const items = text.split(",");
  if (!syntax.emptyListItems && items.includes("")) return `${spec.name} ${JSON.stringify(text)} has an empty list item`;
  const present = items.filter((i) => i !== "");
  if (present.length === 0) return `${spec.name} has no values`;
  const values = new Set<number>();
  let star = false;
  for (const item of present) {
    const notValue = `${spec.name} ${JSON.stringify(item)} is not a value, a range or a step (such as 5, 1-5, */15 or 1-30/5)`;
    const [rangeText = "", stepText, ...extraSlashes] = item.split("/");
    if (extraSlashes.length > 0) return notValue;
    const bounds = rangeText.split("-");
    let start: number;
    let end: number;
    let whole = false;
    if (bounds[0] === "*" || bounds[0] === "?") {
      if (bounds[0] === "?" && syntax.question === "days" && !spec.day) return `${spec.name} cannot be "?" (only day-of-month and day-of-week can; write *)`;
      if (bounds.length > 1) return `${spec.name} ${JSON.stringify(item)}: ${bounds[0]} cannot start a range`;
      [start, end, whole] = [spec.min, spec.last, true];
    } else {
      if (bounds.length > 2) return notValue;
      const first = valueOf(bounds[0] ?? "", spec);
      if (typeof first === "string") return first;
      const second = bounds.length === 2 ? valueOf(bounds[1] ?? "", spec) : first;
      if (typeof second === "string") return second;
      [start, end] = [first, second];
      if (start > end) {
        const instead = start <= spec.last ? ` (write ${start}-${spec.last},${spec.min}-${end})` : "";
        return `${spec.name} range ${rangeText} runs backwards; ranges do not wrap around${instead}`;
      }
    }
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\+?\d+$/.test(stepText)) return `${spec.name} step ${JSON.stringify(stepText)} is not a number`;
      step = Number(stepText);
      if (step === 0) return `${spec.name} step must be at least 1`;
      if (bounds.length === 1 && !whole) {
        if (!syntax.stepFromValue) return `${spec.name} ${JSON.stringify(item)} needs a range before the step (write ${bounds[0]}-${spec.last}/${stepText})`;
        end = spec.last;
      }
      if (step > spec.last - spec.min) {
        return `${spec.name} step ${step} is larger than the whole ${spec.name} range (${spec.min}-${spec.last}), so it would only ever fire at ${start} (write ${start}, or a smaller step)`;
      }
    }
    // A stepped `*` restricts its field like any list: only a bare `*` or `?` leaves it open (robfig's star bit).
    if (whole && step === 1) star = true;
    for (let v = start; v <= end; v += step) values.add(spec.name === "day-of-week" ? v % 7 : v);
  }
  return { values, star };
}

/** Parses a schedule in the given dialect, or says what is wrong with it (without repeating it). */
export function parseCron(expression: string, syntax: CronSyntax): { ok: true; value: ParsedCron } | { ok: false; error: string } {
  const text = expression.trim();
  if (text === "") return { ok: false, error: "is empty" };
  if (text.startsWith("@")) {
    const macro = MACROS[text];
    if (macro !== undefined) return parseCron(macro, syntax);
    if (syntax.every && text.startsWith("@every ")) {
      const ms = goDurationMs(text.slice("@every ".length).trim());
      if (ms === undefined || ms <= 0) return { ok: false, error: "@every needs a positive duration such as 90s, 15m or 1h30m" };
      // As robfig/cron: under a second counts as one, and the rest is cut to whole seconds.
      return { ok: true, value: { kind: "every", everyMs: Math.max(1000, Math.floor(ms / 1000) * 1000) } };
    }
    const known = `${Object.keys(MACROS).join(", ")}${syntax.every ? " or @every DURATION" : ""}`;
    return { ok: false, error: `unknown macro ${JSON.stringify(text.split(/\s+/)[0])} (use ${known}, or five fields)` };
  }
  const fields = text.split(/\s+/);
  const specs = syntax.seconds && fields.length === 6 ? [SECOND, ...FIELDS] : FIELDS;
  if (fields.length !== specs.length) {
    const wanted = `five fields (minute hour day-of-month month day-of-week)${syntax.seconds ? " or six with seconds first" : ""}`;
    return { ok: false, error: `expected ${wanted}, or a macro such as @daily; found ${fields.length}` };
  }
  const parsed: { values: Set<number>; star: boolean }[] = [];
  for (const [i, spec] of specs.entries()) {
    const field = parseField(fields[i] ?? "", spec, syntax);
    if (typeof field === "string") return { ok: false, error: field };
    parsed.push(field);
  }
  const [second, minute, hour, dom, month, dow] = specs.length === 6 ? parsed : [{ values: new Set([0]), star: false }, ...parsed];
  if (!second || !minute || !hour || !dom || !month || !dow) return { ok: false, error: "is not a cron schedule" };
  return {
    ok: true,
    value: {
      kind: "calendar",
      times: {
        seconds: second.values,
        minutes: minute.values,
        hours: hour.values,
        daysOfMonth: dom.values,
        months: month.values,
        daysOfWeek: dow.values,
        dayOr: !dom.star && !dow.star,
      },
    },
  };
}

/**
 * Why a CronJob's `spec.schedule` is not one Kubernetes would run, or undefined. The message is
 * the schedule in quotes, then the reason naming the field: `"0 24 * * *": hour 24 is out of range 0-23`.
 */
export function cronJobScheduleProblem(schedule: string): string | undefined {
  // Kubernetes refuses any schedule mentioning TZ on create ("use timeZone field instead").
  if (schedule.includes("TZ")) return `${JSON.stringify(schedule)}: cannot use TZ or CRON_TZ in the schedule; set spec.timeZone instead`;
  const parsed = parseCron(schedule, KUBERNETES_CRON);
  return parsed.ok ? undefined : `${JSON.stringify(schedule)}: ${parsed.error}`;
}
