/** Sprig's date functions over a Go-like time value and Go duration strings. */
import { GoStruct, isWholeFloat } from "../../values.js";
import type { GoValue } from "../../values.js";
import type { FuncMap } from "../types.js";
import { needString, toInt64 } from "../args.js";
import { formatLayout, isKnownZone, parseLayout, utcMs, wallClock, zoneAt } from "./golayout.js";

const NS_PER_MS = 1_000_000n;
const NS_PER_SEC = 1_000_000_000n;

/** time.Time: an instant (nanoseconds since the Unix epoch) shown in a zone ("UTC", "Local", an IANA name). */
export class GoTime extends GoStruct {
  readonly unixNanos: bigint;
  readonly zone: string;
  /** A fixed offset parsed from text ("+02:00"), used instead of the zone's rules. */
  readonly fixedOffsetSec: number | null;
  readonly String: () => string;
  readonly Unix: () => bigint;
  readonly UnixNano: () => bigint;
  readonly Format: (layout: GoValue) => string;
  readonly UTC: () => GoTime;
  readonly Year: () => bigint;
  readonly IsZero: () => boolean;

  constructor(unixNanos: bigint, zone = "Local", fixedOffsetSec: number | null = null) {
    super("time.Time");
    this.unixNanos = unixNanos;
    this.zone = zone;
    this.fixedOffsetSec = fixedOffsetSec;
    this.String = () => this.format("2006-01-02 15:04:05.999999999 -0700 MST");
    this.Unix = () => floorDiv(this.unixNanos, NS_PER_SEC);
    this.UnixNano = () => this.unixNanos;
    this.Format = (layout) => this.format(needString(layout));
    this.UTC = () => new GoTime(this.unixNanos, "UTC");
    this.Year = () => BigInt(this.wall().year);
    this.IsZero = () => this.unixNanos === ZERO_TIME_NANOS;
  }

  get epochMs(): number {
    return Number(floorDiv(this.unixNanos, NS_PER_MS));
  }

  wall(): ReturnType<typeof wallClock> {
    const nanos = Number(((this.unixNanos % NS_PER_SEC) + NS_PER_SEC) % NS_PER_SEC);
    if (this.fixedOffsetSec !== null) {
      const w = wallClock(this.epochMs + this.fixedOffsetSec * 1000, nanos, "UTC");
      const sign = this.fixedOffsetSec < 0 ? "-" : "+";
      const abs = Math.abs(this.fixedOffsetSec);
      // Go prints a zone without a name in the -0700 form.
      const abbrev = `${sign}${String(Math.floor(abs / 3600)).padStart(2, "0")}${String(Math.floor((abs % 3600) / 60)).padStart(2, "0")}`;
      return { ...w, offsetSec: this.fixedOffsetSec, abbrev: this.zone || abbrev };
    }
    return wallClock(this.epochMs, nanos, this.zone);
  }

  format(layout: string): string {
    return formatLayout(layout, this.wall());
  }

  in(zone: string): GoTime {
    return new GoTime(this.unixNanos, zone);
  }

  add(nanos: bigint): GoTime {
    return new GoTime(this.unixNanos + nanos, this.zone, this.fixedOffsetSec);
  }

  /** json.Marshal gives RFC 3339 with nanoseconds. */
  marshalJSON(): GoValue {
    return this.format("2006-01-02T15:04:05.999999999Z07:00");
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Go's zero time.Time: January 1, year 1, 00:00:00 UTC. */
const ZERO_TIME_NANOS = BigInt(utcMs(1, 0, 1)) * NS_PER_MS;

export function zeroTime(): GoTime {
  return new GoTime(ZERO_TIME_NANOS, "UTC");
}

/** The clock Sprig's `now` reads; tests replace it. */
export interface Clock {
  nowMs(): number;
}
const systemClock: Clock = { nowMs: () => Date.now() };

// ---------------------------------------------------------------------------------------------
// Durations

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  "µs": 1000n,
  "μs": 1000n,
  ms: 1_000_000n,
  s: NS_PER_SEC,
  m: 60n * NS_PER_SEC,
  h: 3600n * NS_PER_SEC,
};

/** Go's time.ParseDuration ("1h10m", "-1.5h", "300ms"). */
export function parseDuration(s: string): bigint {
  const orig = s;
  const bad = (): Error => new Error(`time: invalid duration ${JSON.stringify(orig)}`);
  let rest = s;
  let neg = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    neg = rest[0] === "-";
    rest = rest.slice(1);
  }
  if (rest === "0") return 0n;
  if (rest === "") throw bad();
  let total = 0n;
  while (rest !== "") {
    const m = /^(\d*)(?:\.(\d*))?/.exec(rest);
    if (!m || (m[1] === "" && (m[2] === undefined || m[2] === ""))) throw bad();
    rest = rest.slice(m[0].length);
    const u = /^(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!u || !u[1]) {
      if (/^[^0-9.]/.test(rest) || rest === "") throw new Error(`time: missing unit in duration ${JSON.stringify(orig)}`);
      throw bad();
    }
    rest = rest.slice(u[1].length);
    const unit = UNIT_NS[u[1]] as bigint;
    const whole = BigInt(m[1] || "0");
    const fracDigits = m[2] ?? "";
    let v = whole * unit;
    if (fracDigits) v += (BigInt(fracDigits) * unit) / 10n ** BigInt(fracDigits.length);
    total += v;
  }
  if (total > 2n ** 63n - 1n) throw bad();
  return neg ? -total : total;
}

function fmtFrac(v: bigint, prec: number): [string, bigint] {
  // Go's fmtFrac: print the fraction of v/10^prec, omitting trailing zeros.
  let out = "";
  let print = false;
  let x = v;
  for (let i = 0; i < prec; i++) {
    const digit = x % 10n;
    print = print || digit !== 0n;
    if (print) out = digit.toString() + out;
    x /= 10n;
  }
  if (print) out = "." + out;
  return [out, x];
}

/** Go's time.Duration.String ("1h2m3s", "1.5s", "300ms", "0s"). */
export function formatDuration(d: bigint): string {
  if (d === 0n) return "0s";
  const neg = d < 0n;
  let u = neg ? -d : d;
  let out: string;
  if (u < NS_PER_SEC) {
    let prec: number;
    let unit: string;
    if (u < 1000n) {
      return (neg ? "-" : "") + u.toString() + "ns";
    } else if (u < 1_000_000n) {
      prec = 3;
      unit = "µs";
    } else {
      prec = 6;
      unit = "ms";
    }
    const [frac, whole] = fmtFrac(u, prec);
    out = whole.toString() + frac + unit;
  } else {
    const [frac, secsWhole] = fmtFrac(u, 9);
    u = secsWhole;
    out = (u % 60n).toString() + frac + "s";
    u /= 60n;
    if (u > 0n) {
      out = (u % 60n).toString() + "m" + out;
      u /= 60n;
      if (u > 0n) out = u.toString() + "h" + out;
    }
  }
  return (neg ? "-" : "") + out;
}

/** Go's Duration.Round(m) for positive m: halfway values round away from zero. */
function roundDuration(d: bigint, m: bigint): bigint {
  let r = d % m;
  if (d < 0n) {
    r = -r;
    if (r + r < m) return d + r;
    return d - m + r;
  }
  if (r + r < m) return d - r;
  return d + m - r;
}

// ---------------------------------------------------------------------------------------------

function toTime(v: GoValue, clock: Clock): GoTime {
  if (v instanceof GoTime) return v;
  if (typeof v === "bigint") return new GoTime(v * NS_PER_SEC);
  if (isWholeFloat(v)) return new GoTime(BigInt(v) * NS_PER_SEC);
  return new GoTime(BigInt(clock.nowMs()) * NS_PER_MS);
}

function needTime(v: GoValue): GoTime {
  if (v instanceof GoTime) return v;
  throw new Error(`wrong type for value; expected time.Time; got ${v === null || v === undefined ? "<nil>" : typeof v}`);
}

function dateInZone(layout: GoValue, date: GoValue, zone: GoValue, clock: Clock): string {
  const z = needString(zone);
  const t = toTime(date, clock);
  return t.in(isKnownZone(z) ? z : "UTC").format(needString(layout));
}

function toDate(layout: string, value: string): GoTime {
  const p = parseLayout(layout, value);
  const wallMs = utcMs(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const nanos = BigInt(p.nanos);
  if (p.offsetSec !== null) {
    const epochNs = BigInt(wallMs - p.offsetSec * 1000) * NS_PER_MS + nanos;
    if (p.offsetSec === 0 && (p.zoneAbbrev === null || p.zoneAbbrev === "UTC")) return new GoTime(epochNs, "UTC");
    return new GoTime(epochNs, p.zoneAbbrev ?? "", p.offsetSec);
  }
  // No offset in the text: the wall clock is local time (time.ParseInLocation with time.Local).
  const guess = zoneAt("Local", wallMs).offsetSec;
  const offset = zoneAt("Local", wallMs - guess * 1000).offsetSec;
  return new GoTime(BigInt(wallMs - offset * 1000) * NS_PER_MS + nanos, "Local");
}

function durationOf(v: GoValue): bigint {
  if (typeof v === "string") {
    try {
      return parseDuration(v);
    } catch {
      return 0n;
    }
  }
  return 0n;
}

export function dateFuncs(clock: Clock = systemClock): FuncMap {
  const now = (): GoTime => new GoTime(BigInt(clock.nowMs()) * NS_PER_MS);
  const dateModify = (fmt: GoValue, date: GoValue): GoTime => needTime(date).add(parseDuration(needString(fmt)));
  const mustToDate = (fmt: GoValue, s: GoValue): GoTime => toDate(needString(fmt), needString(s));
  return {
    now,
    date: (fmt, d) => dateInZone(fmt, d, "Local", clock),
    dateInZone: (fmt, d, z) => dateInZone(fmt, d, z, clock),
    date_in_zone: (fmt, d, z) => dateInZone(fmt, d, z, clock),
    htmlDate: (d) => dateInZone("2006-01-02", d, "Local", clock),
    htmlDateInZone: (d, z) => dateInZone("2006-01-02", d, z, clock),
    dateModify: (fmt, d) => {
      try {
        return dateModify(fmt, d);
      } catch (e) {
        if (!(d instanceof GoTime)) throw e;
        return d;
      }
    },
    date_modify: (fmt, d) => {
      try {
        return dateModify(fmt, d);
      } catch (e) {
        if (!(d instanceof GoTime)) throw e;
        return d;
      }
    },
    mustDateModify: dateModify,
    must_date_modify: dateModify,
    toDate: (fmt, s) => {
      try {
        return mustToDate(fmt, s);
      } catch {
        return zeroTime();
      }
    },
    mustToDate,
    unixEpoch: (d) => needTime(d).Unix().toString(),
    // Seconds to a duration string; ints (and whole floats, unlike Sprig) or numeric strings.
    duration: (sec) => {
      let n = 0n;
      if (typeof sec === "string") n = /^[+-]?\d+$/.test(sec) ? BigInt(sec) : 0n;
      else if (typeof sec === "bigint" || isWholeFloat(sec)) n = toInt64(sec);
      return formatDuration(n * NS_PER_SEC);
    },
    durationRound: (v) => {
      let d: bigint;
      if (v instanceof GoTime) d = BigInt(clock.nowMs()) * NS_PER_MS - v.unixNanos;
      else if (typeof v === "bigint") d = v;
      else d = durationOf(v ?? null);
      const u = d < 0n ? -d : d;
      const hour = 3600n * NS_PER_SEC;
      const steps: [bigint, string][] = [
        [hour * 24n * 365n, "y"],
        [hour * 24n * 30n, "mo"],
        [hour * 24n, "d"],
        [hour, "h"],
        [60n * NS_PER_SEC, "m"],
        [NS_PER_SEC, "s"],
      ];
      for (const [unit, suffix] of steps) {
        if (u > unit) return (u / unit).toString() + suffix;
      }
      return "0s";
    },
    ago: (d) => {
      const t = toTime(d ?? null, clock);
      const since = BigInt(clock.nowMs()) * NS_PER_MS - t.unixNanos;
      return formatDuration(roundDuration(since, NS_PER_SEC));
    },
  };
}
