/**
 * Sprig's `semver` and `semverCompare`, with Masterminds/semver v3 semantics. Those differ from
 * node-semver (the `semver` package) in ways charts rely on: "1.2" as a constraint means 1.2.x, a
 * prerelease version satisfies a comparison only when that comparison names a prerelease (on any
 * version, not just the same major.minor.patch), `>11` means 12.0.0 or more, and constraints may be
 * joined by commas. So the constraint logic lives here; node-semver would answer differently.
 */
import { GoStruct } from "../../values.js";
import type { GoValue } from "../../values.js";
import type { FuncMap } from "../types.js";
import { needString } from "../args.js";

const NUM = "[0-9]+";
const IDENT = "[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*";
const VERSION_RE = new RegExp(`^v?(${NUM})(?:\\.(${NUM}))?(?:\\.(${NUM}))?(?:-(${IDENT}))?(?:\\+(${IDENT}))?$`);

/** A parsed semantic version; its methods are callable from templates (`(semver "1.2.3").Major`). */
export class SemverVersion extends GoStruct {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly pre: string;
  readonly metadata: string;
  readonly original: string;
  readonly Major: () => bigint;
  readonly Minor: () => bigint;
  readonly Patch: () => bigint;
  readonly Prerelease: () => string;
  readonly Metadata: () => string;
  readonly Original: () => string;
  readonly String: () => string;
  readonly Compare: (o: GoValue) => bigint;
  readonly LessThan: (o: GoValue) => boolean;
  readonly GreaterThan: (o: GoValue) => boolean;
  readonly Equal: (o: GoValue) => boolean;

  constructor(major: bigint, minor: bigint, patch: bigint, pre: string, metadata: string, original: string) {
    super("*semver.Version");
    this.major = major;
    this.minor = minor;
    this.patch = patch;
    this.pre = pre;
    this.metadata = metadata;
    this.original = original;
    this.Major = () => this.major;
    this.Minor = () => this.minor;
    this.Patch = () => this.patch;
    this.Prerelease = () => this.pre;
    this.Metadata = () => this.metadata;
    this.Original = () => this.original;
    this.String = () => this.toString();
    const other = (o: GoValue): SemverVersion => {
      if (o instanceof SemverVersion) return o;
      if (typeof o === "string") return parseVersion(o);
      throw new Error("wrong type for value; expected *semver.Version");
    };
    this.Compare = (o) => BigInt(compareVersions(this, other(o)));
    this.LessThan = (o) => compareVersions(this, other(o)) < 0;
    this.GreaterThan = (o) => compareVersions(this, other(o)) > 0;
    this.Equal = (o) => compareVersions(this, other(o)) === 0;
  }

  override toString(): string {
    let s = `${this.major}.${this.minor}.${this.patch}`;
    if (this.pre) s += "-" + this.pre;
    if (this.metadata) s += "+" + this.metadata;
    return s;
  }
}

/** Masterminds NewVersion: "v" prefix and missing minor/patch allowed. */
export function parseVersion(v: string): SemverVersion {
  const m = VERSION_RE.exec(v);
  if (!m) throw new Error("Invalid Semantic Version");
  const pre = m[4] ?? "";
  for (const id of pre ? pre.split(".") : []) {
    if (/^\d+$/.test(id) && id.length > 1 && id.startsWith("0")) throw new Error("Version segment starts with 0");
  }
  return new SemverVersion(BigInt(m[1] ?? "0"), BigInt(m[2] ?? "0"), BigInt(m[3] ?? "0"), pre, m[5] ?? "", v);
}

function comparePrereleaseIds(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x === y ? 0 : x < y ? -1 : 1;
  }
  if (an) return -1;
  if (bn) return 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

function comparePrerelease(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "") return 1;
  if (b === "") return -1;
  const pa = a.split(".");
  const pb = b.split(".");
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const c = comparePrereleaseIds(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

export function compareVersions(a: SemverVersion, b: SemverVersion): number {
  for (const [x, y] of [
    [a.major, b.major],
    [a.minor, b.minor],
    [a.patch, b.patch],
  ] as const) {
    if (x !== y) return x < y ? -1 : 1;
  }
  return comparePrerelease(a.pre, b.pre);
}

interface Constraint {
  op: string;
  con: SemverVersion;
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

const isX = (s: string): boolean => s === "x" || s === "X" || s === "*";
const CV = "v?([0-9xX*]+)(\\.[0-9xX*]+)?(\\.[0-9xX*]+)?(-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?";
const OPS = "=|!=|>=|=>|<=|=<|~>|~|\\^|>|<";
const CONSTRAINT_RE = new RegExp(`^\\s*(${OPS})?\\s*(${CV})\\s*$`);
const FIND_RE = new RegExp(`(${OPS})?\\s*(${CV})`, "g");
const VALID_RE = new RegExp(`^\\s*(${OPS})?\\s*${CV}\\s*((?:\\s+|,\\s*)(${OPS})?\\s*${CV}\\s*)*$`);
const RANGE_RE = new RegExp(`\\s*(${CV})\\s+-\\s+(${CV})\\s*`, "g");

function parseConstraint(c: string): Constraint {
  if (c.trim() === "") {
    return { op: "", con: parseVersion("0.0.0"), dirty: true, minorDirty: false, patchDirty: false };
  }
  const m = CONSTRAINT_RE.exec(c);
  if (!m) throw new Error(`improper constraint: ${c}`);
  const op = m[1] ?? "";
  const major = m[3] ?? "";
  const minor = (m[4] ?? "").replace(/^\./, "");
  const patch = (m[5] ?? "").replace(/^\./, "");
  const pre = m[6] ?? "";
  let ver = m[2] ?? "";
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(major)) {
    ver = `0.0.0${pre}`;
    dirty = true;
  } else if (minor === "" || isX(minor)) {
    ver = `${major}.0.0${pre}`;
    dirty = minorDirty = true;
  } else if (patch === "" || isX(patch)) {
    ver = `${major}.${minor}.0${pre}`;
    dirty = patchDirty = true;
  } else {
    ver = `${major}.${minor}.${patch}${pre}`;
  }
  let con: SemverVersion;
  try {
    con = parseVersion(ver);
  } catch {
    throw new Error(`improper constraint: ${c}`);
  }
  return { op, con, dirty, minorDirty, patchDirty };
}

const lt = (a: SemverVersion, b: SemverVersion): boolean => compareVersions(a, b) < 0;

function tilde(v: SemverVersion, c: Constraint): boolean {
  if (lt(v, c.con)) return false;
  if (c.con.major === 0n && c.con.minor === 0n && c.con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== c.con.major) return false;
  if (v.minor !== c.con.minor && !c.minorDirty) return false;
  return true;
}

function check(v: SemverVersion, c: Constraint): boolean {
  const con = c.con;
  // A prerelease version only matches a comparison that itself names a prerelease.
  const preBlocked = v.pre !== "" && con.pre === "";
  switch (c.op) {
    case "":
    case "=":
      if (preBlocked) return false;
      if (c.dirty) return tilde(v, c);
      return compareVersions(v, con) === 0;
    case "!=":
      if (c.dirty) {
        if (preBlocked) return false;
        if (con.major !== v.major) return true;
        if (con.minor !== v.minor && !c.minorDirty) return true;
        if (c.minorDirty) return false;
        if (con.patch !== v.patch && !c.patchDirty) return true;
        if (c.patchDirty) {
          if (v.pre !== "" || con.pre !== "") return comparePrerelease(v.pre, con.pre) !== 0;
          return false;
        }
      }
      return compareVersions(v, con) !== 0;
    case ">":
      if (preBlocked) return false;
      if (!c.dirty) return compareVersions(v, con) > 0;
      if (v.major > con.major) return true;
      if (v.major < con.major) return false;
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > con.minor;
      return compareVersions(v, con) > 0;
    case "<":
      if (preBlocked) return false;
      return compareVersions(v, con) < 0;
    case ">=":
    case "=>":
      if (preBlocked) return false;
      return compareVersions(v, con) >= 0;
    case "<=":
    case "=<":
      if (preBlocked) return false;
      if (!c.dirty) return compareVersions(v, con) <= 0;
      if (v.major > con.major) return false;
      if (v.major === con.major && v.minor > con.minor && !c.minorDirty) return false;
      return true;
    case "~":
    case "~>":
      if (preBlocked) return false;
      return tilde(v, c);
    case "^":
      if (preBlocked) return false;
      if (lt(v, con)) return false;
      if (con.major > 0n || c.minorDirty) return v.major === con.major;
      if (con.minor > 0n || c.patchDirty) return v.major === con.major && v.minor === con.minor;
      return v.major === con.major && v.minor === con.minor && v.patch === con.patch;
    default:
      throw new Error(`improper constraint: ${c.op}`);
  }
}

/** Masterminds NewConstraint: `||` between alternatives, spaces or commas between required comparisons. */
export function parseConstraints(constraint: string): Constraint[][] {
  const rewritten = constraint.replace(RANGE_RE, (_all, from: string, ...rest: unknown[]) => {
    // rest holds the capture groups of the first version, then the second version.
    const to = rest[5] as string;
    return ` >= ${from}, <= ${to} `;
  });
  return rewritten.split("||").map((alt) => {
    if (!VALID_RE.test(alt)) throw new Error(`improper constraint: ${alt}`);
    return Array.from(alt.matchAll(FIND_RE), (m) => parseConstraint(m[0]));
  });
}

export function semverCompare(constraint: string, version: string): boolean {
  const alts = parseConstraints(constraint);
  const v = parseVersion(version);
  return alts.some((group) => group.every((c) => check(v, c)));
}

export function semverFuncs(): FuncMap {
  return {
    semver: (v) => parseVersion(needString(v)),
    semverCompare: (c, v) => semverCompare(needString(c), needString(v)),
  };
}
