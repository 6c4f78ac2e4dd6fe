/**
 * Go's time layouts ("2006-01-02T15:04:05Z07:00"): tokenizing, formatting and parsing, plus
 * time zone offsets through Intl so named zones (America/New_York) work like time.LoadLocation.
 */

export type LayoutToken =
  | { kind: "lit"; text: string }
  | { kind: "field"; name: string; digits?: number; frac?: "0" | "9"; sep?: string };

const STD = [
  "January", "Jan", "Monday", "Mon", "MST",
  "2006", "06", "01", "15", "1", "002", "__2", "_2", "02", "2",
  "03", "3", "04", "4", "05", "5", "PM", "pm",
  "Z07:00:00", "Z07:00", "Z0700", "Z07", "-07:00:00", "-07:00", "-0700", "-07",
];

/** Splits a layout into Go's std chunks and literal text, as time.nextStdChunk does. */
export function tokenizeLayout(layout: string): LayoutToken[] {
  const out: LayoutToken[] = [];
  let lit = "";
  const flush = (): void => {
    if (lit) out.push({ kind: "lit", text: lit });
    lit = "";
  };
  let i = 0;
  while (i < layout.length) {
    // Fractional seconds: ".000", ".999", ",000" following a seconds field or anywhere Go accepts it.
    const fr = /^[.,](0+|9+)(?![0-9])/.exec(layout.slice(i));
    if (fr && fr[1] !== undefined && i > 0 && /[0-9]/.test(layout[i - 1] as string)) {
      flush();
      out.push({ kind: "field", name: "frac", digits: fr[1].length, frac: fr[1][0] as "0" | "9", sep: fr[0][0] as string });
      i += fr[0].length;
      continue;
    }
    let matched: string | undefined;
    for (const s of STD) {
      if (layout.startsWith(s, i)) {
        // "Jan"/"Mon" must not be the start of a longer lower-case word ("Month" is literal).
        if ((s === "Jan" || s === "Mon") && /^[a-z]/.test(layout.slice(i + 3))) continue;
        // "2006" wins over "2"; "01" etc. are matched by order above.
        matched = s;
        break;
      }
    }
    if (matched) {
      flush();
      out.push({ kind: "field", name: matched });
      i += matched.length;
      continue;
    }
    lit += layout[i];
    i++;
  }
  flush();
  return out;
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Wall-clock fields of an instant in a zone. */
export interface Wall {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  weekday: number; // 0 = Sunday
  yday: number; // 1-366
  offsetSec: number;
  abbrev: string;
}

function pad(n: number, width: number, ch = "0"): string {
  const s = String(Math.abs(n));
  return (n < 0 ? "-" : "") + s.padStart(width, ch);
}

function zoneOffset(offsetSec: number, sep: string, withSeconds: boolean, z: boolean, short: boolean): string {
  if (z && offsetSec === 0) return "Z";
  const sign = offsetSec < 0 ? "-" : "+";
  const abs = Math.abs(offsetSec);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const s = abs % 60;
  let out = sign + pad(h, 2);
  if (short) return out;
  out += sep + pad(m, 2);
  if (withSeconds) out += sep + pad(s, 2);
  return out;
}

export function formatLayout(layout: string, w: Wall): string {
  let out = "";
  for (const t of tokenizeLayout(layout)) {
    if (t.kind === "lit") {
      out += t.text;
      continue;
    }
    switch (t.name) {
      case "January":
        out += MONTHS[w.month - 1];
        break;
      case "Jan":
        out += (MONTHS[w.month - 1] ?? "").slice(0, 3);
        break;
      case "Monday":
        out += DAYS[w.weekday];
        break;
      case "Mon":
        out += (DAYS[w.weekday] ?? "").slice(0, 3);
        break;
      case "MST":
        out += w.abbrev;
        break;
      case "2006":
        out += pad(w.year, 4);
        break;
      case "06":
        out += pad(((w.year % 100) + 100) % 100, 2);
        break;
      case "01":
        out += pad(w.month, 2);
        break;
      case "1":
        out += String(w.month);
        break;
      case "002":
        out += pad(w.yday, 3);
        break;
      case "__2":
        out += pad(w.yday, 3, " ");
        break;
      case "_2":
        out += pad(w.day, 2, " ");
        break;
      case "02":
        out += pad(w.day, 2);
        break;
      case "2":
        out += String(w.day);
        break;
      case "15":
        out += pad(w.hour, 2);
        break;
      case "03":
        out += pad(w.hour % 12 === 0 ? 12 : w.hour % 12, 2);
        break;
      case "3":
        out += String(w.hour % 12 === 0 ? 12 : w.hour % 12);
        break;
      case "04":
        out += pad(w.minute, 2);
        break;
      case "4":
        out += String(w.minute);
        break;
      case "05":
        out += pad(w.second, 2);
        break;
      case "5":
        out += String(w.second);
        break;
      case "PM":
        out += w.hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += w.hour >= 12 ? "pm" : "am";
        break;
      case "Z07:00:00":
        out += zoneOffset(w.offsetSec, ":", true, true, false);
        break;
      case "Z07:00":
        out += zoneOffset(w.offsetSec, ":", false, true, false);
        break;
      case "Z0700":
        out += zoneOffset(w.offsetSec, "", false, true, false);
        break;
      case "Z07":
        out += zoneOffset(w.offsetSec, "", false, true, true);
        break;
      case "-07:00:00":
        out += zoneOffset(w.offsetSec, ":", true, false, false);
        break;
      case "-07:00":
        out += zoneOffset(w.offsetSec, ":", false, false, false);
        break;
      case "-0700":
        out += zoneOffset(w.offsetSec, "", false, false, false);
        break;
      case "-07":
        out += zoneOffset(w.offsetSec, "", false, false, true);
        break;
      case "frac": {
        const digits = String(w.nanos).padStart(9, "0").slice(0, t.digits);
        if (t.frac === "0") out += (t.sep ?? ".") + digits;
        else {
          const trimmed = digits.replace(/0+$/, "");
          if (trimmed) out += (t.sep ?? ".") + trimmed;
        }
        break;
      }
      default:
        out += t.name;
    }
  }
  return out;
}

/** Parsed fields; missing ones take Go's defaults (year 0 → 1 January of year 0 is Go's zero for time.Parse). */
export interface ParsedTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  offsetSec: number | null;
  zoneAbbrev: string | null;
}

function quoteGo(s: string): string {
  return JSON.stringify(s);
}

/** Go's time.Parse over a layout; throws Go's `parsing time …` message. */
export function parseLayout(layout: string, value: string): ParsedTime {
  const r: ParsedTime = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0, nanos: 0, offsetSec: null, zoneAbbrev: null };
  let pm: boolean | null = null;
  let rest = value;
  const err = (elem: string, valueElem: string, msg = ""): Error =>
    new Error(
      msg
        ? `parsing time ${quoteGo(value)}${msg}`
        : `parsing time ${quoteGo(value)} as ${quoteGo(layout)}: cannot parse ${quoteGo(valueElem)} as ${quoteGo(elem)}`,
    );
  const num = (elem: string, min: number, max: number, fixed: boolean): number => {
    const m = fixed ? new RegExp(`^\\d{${min}}`).exec(rest) : new RegExp(`^\\d{${min},${max}}`).exec(rest);
    if (!m) throw err(elem, rest);
    rest = rest.slice(m[0].length);
    return Number(m[0]);
  };
  const word = (elem: string, list: string[]): number => {
    for (let i = 0; i < list.length; i++) {
      const w = list[i] as string;
      if (rest.toLowerCase().startsWith(w.toLowerCase())) {
        rest = rest.slice(w.length);
        return i;
      }
    }
    throw err(elem, rest);
  };
  const offset = (elem: string, z: boolean, sep: boolean, short: boolean): void => {
    if (z && rest.startsWith("Z")) {
      rest = rest.slice(1);
      r.offsetSec = 0;
      return;
    }
    const re = short ? /^([+-])(\d{2})/ : sep ? /^([+-])(\d{2}):(\d{2})(?::(\d{2}))?/ : /^([+-])(\d{2})(\d{2})(\d{2})?/;
    const m = re.exec(rest);
    if (!m) throw err(elem, rest);
    rest = rest.slice(m[0].length);
    const sec = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    r.offsetSec = m[1] === "-" ? -sec : sec;
  };
  const toks = tokenizeLayout(layout);
  for (const t of toks) {
    if (t.kind === "lit") {
      // Go skips leading spaces in the value where the layout has spaces.
      if (!rest.startsWith(t.text)) throw err(t.text, rest);
      rest = rest.slice(t.text.length);
      continue;
    }
    switch (t.name) {
      case "2006":
        r.year = num("2006", 4, 4, true);
        break;
      case "06": {
        const y = num("06", 2, 2, true);
        r.year = y >= 69 ? 1900 + y : 2000 + y;
        break;
      }
      case "January":
        r.month = word("January", MONTHS) + 1;
        break;
      case "Jan":
        r.month = word("Jan", MONTHS.map((m) => m.slice(0, 3))) + 1;
        break;
      case "Monday":
        word("Monday", DAYS);
        break;
      case "Mon":
        word("Mon", DAYS.map((d) => d.slice(0, 3)));
        break;
      case "01":
        r.month = num("01", 2, 2, true);
        break;
      case "1":
        r.month = num("1", 1, 2, false);
        break;
      case "02":
        r.day = num("02", 2, 2, true);
        break;
      case "_2":
        if (rest.startsWith(" ")) rest = rest.slice(1);
        r.day = num("_2", 1, 2, false);
        break;
      case "2":
        r.day = num("2", 1, 2, false);
        break;
      case "002":
      case "__2":
        num(t.name, 1, 3, false);
        break;
      case "15":
        r.hour = num("15", 1, 2, false);
        break;
      case "03":
        r.hour = num("03", 2, 2, true);
        break;
      case "3":
        r.hour = num("3", 1, 2, false);
        break;
      case "04":
        r.minute = num("04", 2, 2, true);
        break;
      case "4":
        r.minute = num("4", 1, 2, false);
        break;
      case "05":
      case "5": {
        r.second = t.name === "05" ? num("05", 2, 2, true) : num("5", 1, 2, false);
        // Go accepts fractional seconds after a seconds field even when the layout has none.
        const fm = /^[.,](\d+)/.exec(rest);
        const next = toks[toks.indexOf(t) + 1];
        if (fm && fm[1] !== undefined && !(next && next.kind === "field" && next.name === "frac")) {
          r.nanos = Number(fm[1].slice(0, 9).padEnd(9, "0"));
          rest = rest.slice(fm[0].length);
        }
        break;
      }
      case "frac": {
        const fm = t.frac === "9" ? /^[.,](\d+)/.exec(rest) : new RegExp(`^[.,](\\d{${t.digits}})`).exec(rest);
        if (fm && fm[1] !== undefined) {
          r.nanos = Number(fm[1].slice(0, 9).padEnd(9, "0"));
          rest = rest.slice(fm[0].length);
        } else if (t.frac === "0") {
          throw err(".000", rest);
        }
        break;
      }
      case "PM":
      case "pm": {
        const m = /^(AM|PM|am|pm)/.exec(rest);
        if (!m || !m[1]) throw err(t.name, rest);
        pm = m[1].toUpperCase() === "PM";
        rest = rest.slice(2);
        break;
      }
      case "MST": {
        const m = /^([A-Z]{3,5}|UTC|GMT[+-]\d+)/.exec(rest);
        if (!m || !m[1]) throw err("MST", rest);
        r.zoneAbbrev = m[1];
        if (m[1] === "UTC" || m[1] === "GMT") r.offsetSec = 0;
        rest = rest.slice(m[1].length);
        break;
      }
      case "Z07:00:00":
      case "Z07:00":
        offset(t.name, true, true, false);
        break;
      case "Z0700":
        offset(t.name, true, false, false);
        break;
      case "Z07":
        offset(t.name, true, false, true);
        break;
      case "-07:00:00":
      case "-07:00":
        offset(t.name, false, true, false);
        break;
      case "-0700":
        offset(t.name, false, false, false);
        break;
      case "-07":
        offset(t.name, false, false, true);
        break;
      default:
        break;
    }
  }
  if (rest !== "") throw err("", "", `: extra text: ${quoteGo(rest)}`);
  if (pm === true && r.hour < 12) r.hour += 12;
  if (pm === false && r.hour === 12) r.hour = 0;
  const ranges: [number, number, number, string][] = [
    [r.month, 1, 12, "month"],
    [r.hour, 0, 23, "hour"],
    [r.minute, 0, 59, "minute"],
    [r.second, 0, 59, "second"],
  ];
  for (const [v, lo, hi, what] of ranges) {
    if (v < lo || v > hi) throw err("", "", `: ${what} out of range`);
  }
  const dim = new Date(utcMs(r.year, r.month, 0)).getUTCDate();
  if (r.day < 1 || r.day > dim) throw err("", "", ": day out of range");
  return r;
}

/** The UTC offset (seconds) and abbreviation of a zone at an instant. "Local" is the process zone. */
export function zoneAt(zone: string, epochMs: number): { offsetSec: number; abbrev: string } {
  if (zone === "UTC" || zone === "") return { offsetSec: 0, abbrev: "UTC" };
  if (zone === "Local") {
    const offsetSec = -new Date(epochMs).getTimezoneOffset() * 60;
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return { offsetSec, abbrev: tz === "UTC" || tz === "Etc/UTC" ? "UTC" : abbrevFor(tz, epochMs, offsetSec) };
  }
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  const parts = Object.fromEntries(fmt.formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
  const asUtc = utcMs(Number(parts["year"]), Number(parts["month"]) - 1, Number(parts["day"]), Number(parts["hour"]), Number(parts["minute"]), Number(parts["second"]));
  const offsetSec = Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 1000);
  return { offsetSec, abbrev: abbrevFor(zone, epochMs, offsetSec) };
}

function abbrevFor(zone: string, epochMs: number, offsetSec: number): string {
  try {
    const name = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "short" })
      .formatToParts(new Date(epochMs))
      .find((p) => p.type === "timeZoneName")?.value;
    if (name && /^[A-Z]{2,5}$/.test(name)) return name;
  } catch {
    // fall through to the numeric form Go uses for zones without an abbreviation
  }
  const sign = offsetSec < 0 ? "-" : "+";
  const abs = Math.abs(offsetSec);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  return sign + String(h).padStart(2, "0") + (m ? String(m).padStart(2, "0") : "");
}

/** Date.UTC without its 1900 offset for years 0-99. */
export function utcMs(year: number, month0: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(Date.UTC(2000, month0, day, hour, minute, second));
  d.setUTCFullYear(year + Math.floor(month0 / 12), ((month0 % 12) + 12) % 12, day);
  return d.getTime();
}

/** Whether time.LoadLocation would accept the name. */
export function isKnownZone(zone: string): boolean {
  if (zone === "" || zone === "UTC" || zone === "Local") return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function wallClock(epochMs: number, nanos: number, zone: string): Wall {
  const { offsetSec, abbrev } = zoneAt(zone, epochMs);
  const d = new Date(Math.floor(epochMs / 1000) * 1000 + offsetSec * 1000);
  const startOfYear = utcMs(d.getUTCFullYear(), 0, 1);
  const yday = Math.floor((utcMs(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - startOfYear) / 86400000) + 1;
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    nanos,
    weekday: d.getUTCDay(),
    yday,
    offsetSec,
    abbrev,
  };
}
