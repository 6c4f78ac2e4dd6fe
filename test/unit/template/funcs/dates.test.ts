import { describe, expect, it } from "vitest";
import { GoTime } from "../../../../src/template/funcs/sprig/index.js";
import { formatDuration, parseDuration } from "../../../../src/template/funcs/sprig/dates.js";
import { funcs } from "./helpers.js";

// 2023-11-14T22:13:20Z
const NOW_MS = 1_700_000_000_000;
const call = funcs({ clock: { nowMs: () => NOW_MS } });
const at = (layout: string, text: string): GoTime => call("mustToDate", layout, text) as GoTime;

describe("Sprig date functions", () => {
  it("now reads the clock and prints like Go's time.Time", () => {
    const now = call("now") as GoTime;
    expect(now).toBeInstanceOf(GoTime);
    expect(now.UTC().String()).toBe("2023-11-14 22:13:20 +0000 UTC");
    expect(call("unixEpoch", now)).toBe("1700000000");
  });

  it("dateInZone formats with Go layouts in a named zone", () => {
    const layout = "2006-01-02T15:04:05Z07:00 Mon Jan _2 3PM MST -0700";
    expect(call("dateInZone", layout, 1700000000n, "UTC")).toBe("2023-11-14T22:13:20Z Tue Nov 14 10PM UTC +0000");
    expect(call("dateInZone", "2006-01-02 15:04:05 MST", 1700000000n, "America/New_York")).toBe("2023-11-14 17:13:20 EST");
    expect(call("date_in_zone", "Monday, January 2, 2006", 1700000000n, "Asia/Tokyo")).toBe("Wednesday, November 15, 2023");
  });

  it("dateInZone falls back to UTC for an unknown zone and to now for a non-time", () => {
    expect(call("dateInZone", "15:04", 1700000000n, "Nowhere/Bad")).toBe("22:13");
    expect(call("dateInZone", "2006", "not a time", "UTC")).toBe("2023");
  });

  it("date and htmlDate format times and unix seconds", () => {
    const t = at("2006-01-02T15:04:05Z07:00", "2024-03-15T10:30:45Z");
    expect(call("dateInZone", "02/01/06 .000", t, "UTC")).toBe("15/03/24 .000");
    expect(call("htmlDateInZone", t, "UTC")).toBe("2024-03-15");
    expect(call("htmlDate", t)).toMatch(/^2024-03-1[45]$/);
    expect(call("date", "2006", 0n)).toMatch(/^19(69|70)$/);
  });

  it("toDate parses Go layouts, zero time on failure; mustToDate fails", () => {
    const t = at("2006-01-02T15:04:05.999Z07:00", "2024-03-15T10:00:00.123+02:00");
    expect(t.String()).toBe("2024-03-15 10:00:00.123 +0200 +0200");
    expect(t.Unix()).toBe(1710489600n);
    expect((call("toDate", "2006-01-02", "garbage") as GoTime).UTC().String()).toBe("0001-01-01 00:00:00 +0000 UTC");
    expect(() => at("2006-01-02", "24-03-15")).toThrow('parsing time "24-03-15" as "2006-01-02": cannot parse "24-03-15" as "2006"');
    expect(() => at("2006-01-02", "2024-02-30")).toThrow(/day out of range/);
  });

  it("dateModify adds a Go duration; the must form fails on a bad one", () => {
    const t = at("2006-01-02T15:04:05Z07:00", "2024-03-15T10:00:00Z");
    expect((call("dateModify", "-1.5h", t) as GoTime).String()).toBe("2024-03-15 08:30:00 +0000 UTC");
    expect((call("date_modify", "90m", t) as GoTime).String()).toBe("2024-03-15 11:30:00 +0000 UTC");
    expect(call("dateModify", "bogus", t)).toBe(t);
    expect(() => call("mustDateModify", "bogus", t)).toThrow(/time: invalid duration/);
    expect(() => call("must_date_modify", "5", t)).toThrow(/missing unit/);
  });

  it("duration prints seconds as a Go duration", () => {
    expect(call("duration", 95n)).toBe("1m35s");
    expect(call("duration", "3723")).toBe("1h2m3s");
    expect(call("duration", 0n)).toBe("0s");
    expect(call("duration", 60.0)).toBe("1m0s");
  });

  it("durationRound keeps the largest unit", () => {
    expect(call("durationRound", "2h10m5s")).toBe("2h");
    expect(call("durationRound", 3600000000000n * 24n * 400n)).toBe("1y");
    expect(call("durationRound", "0s")).toBe("0s");
    expect(call("durationRound", "1000h")).toBe("1mo");
    expect(call("durationRound", "-3h30m")).toBe("3h");
    // Sprig compares with >, so exactly one hour is still counted in minutes.
    expect(call("durationRound", at("2006-01-02T15:04:05Z07:00", "2023-11-14T21:13:20Z"))).toBe("60m");
    expect(call("durationRound", at("2006-01-02T15:04:05Z07:00", "2023-11-14T21:13:19Z"))).toBe("1h");
  });

  it("ago measures from the clock in whole seconds", () => {
    expect(call("ago", at("2006-01-02T15:04:05Z07:00", "2023-11-14T20:10:00Z"))).toBe("2h3m20s");
    expect(call("ago", 1699999999n)).toBe("1s");
  });

  it("time values marshal to RFC 3339 in JSON", () => {
    const t = at("2006-01-02T15:04:05Z07:00", "2024-03-15T10:00:00Z");
    expect(call("toJson", { t })).toBe('{"t":"2024-03-15T10:00:00Z"}');
  });
});

describe("Go durations", () => {
  it("parse and print like time.ParseDuration and Duration.String", () => {
    expect(parseDuration("1h10m10.5s")).toBe(4210500000000n);
    expect(parseDuration("-1.5h")).toBe(-5400000000000n);
    expect(parseDuration("300ms")).toBe(300000000n);
    expect(() => parseDuration("10")).toThrow(/missing unit/);
    expect(formatDuration(4210500000000n)).toBe("1h10m10.5s");
    expect(formatDuration(1500000n)).toBe("1.5ms");
    expect(formatDuration(-2000000000n)).toBe("-2s");
    expect(formatDuration(999n)).toBe("999ns");
  });
});
