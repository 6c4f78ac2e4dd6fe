/** Sprig's integer and float arithmetic. Integer results are int64 (bigint), float results float64 (number). */
import { randomInt } from "node:crypto";
import type { GoValue } from "../../values.js";
import type { FuncMap } from "../types.js";
import { needIntNum, toFloat64, toInt64, wrapInt64 } from "../args.js";

/** An exact decimal: value = mant × 10^-scale (shopspring/decimal, as Sprig's float functions use it). */
interface Decimal {
  mant: bigint;
  scale: number;
}

/** decimal.NewFromFloat: the shortest decimal that round-trips to the float. */
function decFromFloat(f: number): Decimal {
  if (!Number.isFinite(f)) throw new Error(`Cannot create a Decimal from ${f}`);
  const s = f.toString();
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(s);
  if (!m) throw new Error(`Cannot create a Decimal from ${s}`);
  const frac = m[3] ?? "";
  const exp = Number(m[4] ?? "0");
  let mant = BigInt((m[2] ?? "0") + frac);
  let scale = frac.length - exp;
  if (scale < 0) {
    mant *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { mant: m[1] === "-" ? -mant : mant, scale };
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.mant * 10n ** BigInt(scale - a.scale), b.mant * 10n ** BigInt(scale - b.scale), scale];
}

function decToFloat(d: Decimal): number {
  const neg = d.mant < 0n;
  let digits = (neg ? -d.mant : d.mant).toString();
  if (d.scale > 0) {
    digits = digits.padStart(d.scale + 1, "0");
    digits = digits.slice(0, digits.length - d.scale) + "." + digits.slice(digits.length - d.scale);
  }
  return Number((neg ? "-" : "") + digits);
}

/** Division rounded half away from zero to 16 places (decimal.DivisionPrecision). */
function decDiv(a: Decimal, b: Decimal): Decimal {
  if (b.mant === 0n) throw new Error("decimal division by 0");
  const precision = 16;
  // a/b = (a.mant / b.mant) × 10^(b.scale - a.scale); compute with precision+1 extra digits, then round.
  const shift = precision + 1 + b.scale - a.scale;
  let num = a.mant;
  let den = b.mant;
  if (shift >= 0) num *= 10n ** BigInt(shift);
  else den *= 10n ** BigInt(-shift);
  const neg = num < 0n !== den < 0n;
  const q = (num < 0n ? -num : num) / (den < 0n ? -den : den);
  let rounded = q / 10n;
  if (q % 10n >= 5n) rounded += 1n;
  return { mant: neg ? -rounded : rounded, scale: precision };
}

type DecOp = (a: Decimal, b: Decimal) => Decimal;
const decAdd: DecOp = (a, b) => {
  const [x, y, scale] = align(a, b);
  return { mant: x + y, scale };
};
const decSub: DecOp = (a, b) => {
  const [x, y, scale] = align(a, b);
  return { mant: x - y, scale };
};
const decMul: DecOp = (a, b) => ({ mant: a.mant * b.mant, scale: a.scale + b.scale });

function decimalOp(first: GoValue, rest: GoValue[], op: DecOp): number {
  let acc = decFromFloat(toFloat64(first));
  for (const x of rest) acc = op(acc, decFromFloat(toFloat64(x)));
  return decToFloat(acc);
}

function intDivByZero(): Error {
  return new Error("runtime error: integer divide by zero");
}

/** Go's untilStep: [start, stop) by step; an empty list when step points away from stop. */
export function untilStep(start: bigint, stop: bigint, step: bigint): bigint[] {
  const out: bigint[] = [];
  if (stop < start) {
    if (step >= 0n) return out;
    for (let i = start; i > stop; i += step) out.push(i);
    return out;
  }
  if (step <= 0n) return out;
  for (let i = start; i < stop; i += step) out.push(i);
  return out;
}

function seq(...params: GoValue[]): string {
  const p = params.map((x) => BigInt(needIntNum(x)));
  const join = (xs: bigint[]): string => xs.map(String).join(" ");
  switch (p.length) {
    case 1: {
      const end = p[0] as bigint;
      const inc = end < 1n ? -1n : 1n;
      return join(untilStep(1n, end + inc, inc));
    }
    case 2: {
      const [start, end] = p as [bigint, bigint];
      const step = end < start ? -1n : 1n;
      return join(untilStep(start, end + step, step));
    }
    case 3: {
      const [start, step, end] = p as [bigint, bigint, bigint];
      let inc = 1n;
      if (end < start) {
        inc = -1n;
        if (step > 0n) return "";
      }
      return join(untilStep(start, end + inc, step));
    }
    default:
      return "";
  }
}

function round(a: GoValue, p: GoValue, ...opt: GoValue[]): number {
  const roundOn = opt.length > 0 ? toFloat64(opt[0] ?? null) : 0.5;
  const val = toFloat64(a);
  const pow = Math.pow(10, needIntNum(p));
  const digit = pow * val;
  const frac = digit - Math.trunc(digit);
  const r = frac >= roundOn ? Math.ceil(digit) : Math.floor(digit);
  return r / pow;
}

export function mathFuncs(): FuncMap {
  const maxInt = (a: GoValue, ...rest: GoValue[]): bigint =>
    rest.reduce<bigint>((acc, x) => {
      const v = toInt64(x);
      return v > acc ? v : acc;
    }, toInt64(a));
  const minInt = (a: GoValue, ...rest: GoValue[]): bigint =>
    rest.reduce<bigint>((acc, x) => {
      const v = toInt64(x);
      return v < acc ? v : acc;
    }, toInt64(a));
  return {
    add1: (i) => wrapInt64(toInt64(i) + 1n),
    add: (...xs) => wrapInt64(xs.reduce<bigint>((acc, x) => acc + toInt64(x), 0n)),
    sub: (a, b) => wrapInt64(toInt64(a) - toInt64(b)),
    div: (a, b) => {
      const d = toInt64(b);
      if (d === 0n) throw intDivByZero();
      return wrapInt64(toInt64(a) / d);
    },
    mod: (a, b) => {
      const d = toInt64(b);
      if (d === 0n) throw intDivByZero();
      return toInt64(a) % d;
    },
    mul: (a, ...rest) => wrapInt64(rest.reduce<bigint>((acc, x) => acc * toInt64(x), toInt64(a))),
    randInt: (min, max) => {
      const lo = needIntNum(min);
      const hi = needIntNum(max);
      if (hi - lo <= 0) throw new Error("invalid argument to Intn");
      return BigInt(randomInt(hi - lo) + lo);
    },
    add1f: (i) => decimalOp(i, [1], decAdd),
    addf: (...xs) => decimalOp(0, xs, decAdd),
    subf: (a, ...rest) => decimalOp(a, rest, decSub),
    divf: (a, ...rest) => decimalOp(a, rest, decDiv),
    mulf: (a, ...rest) => decimalOp(a, rest, decMul),
    max: maxInt,
    biggest: maxInt,
    min: minInt,
    maxf: (a, ...rest) => rest.reduce<number>((acc, x) => Math.max(acc, toFloat64(x)), toFloat64(a)),
    minf: (a, ...rest) => rest.reduce<number>((acc, x) => Math.min(acc, toFloat64(x)), toFloat64(a)),
    floor: (a) => Math.floor(toFloat64(a)),
    ceil: (a) => Math.ceil(toFloat64(a)),
    round,
    until: (n) => {
      const count = BigInt(needIntNum(n));
      return untilStep(0n, count, count < 0n ? -1n : 1n);
    },
    untilStep: (a, b, c) => untilStep(BigInt(needIntNum(a)), BigInt(needIntNum(b)), BigInt(needIntNum(c))),
    seq,
  };
}
