/**
 * Kubernetes resource quantities (`500m`, `0.5`, `1Gi`, `129e6`), held exactly in nano-units so
 * that `1024Mi` and `1Gi`, or `0.5` and `500m`, compare equal and print the same canonical way.
 */
export type QuantityFormat = "BinarySI" | "DecimalSI" | "DecimalExponent";

export interface Quantity {
  /** The value × 10⁹, exact (Kubernetes rounds finer values up to 1n). */
  nano: bigint;
  format: QuantityFormat;
}

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const PATTERN = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Parses a quantity; undefined when it is not one. Numbers (from YAML) are read as decimal. */
export function parseQuantity(input: string | number): Quantity | undefined {
  const text = typeof input === "number" ? numberText(input) : input.trim();
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const sign = m[1] === "-" ? -1n : 1n;
  const [whole = "", frac = ""] = (m[2] as string).split(".");
  const digits = BigInt(`${whole || "0"}${frac}`);
  const scale = frac.length; // value = digits / 10^scale
  const suffix = m[3] ?? "";
  let nano: bigint;
  let format: QuantityFormat;
  if (suffix in BINARY) {
    format = "BinarySI";
    nano = ceilDiv(digits * (1n << BigInt(BINARY[suffix] as number)) * pow10(9), pow10(scale));
  } else {
    let exp: number;
    if (suffix in DECIMAL) {
      format = "DecimalSI";
      exp = DECIMAL[suffix] as number;
    } else {
      format = "DecimalExponent";
      exp = Number(suffix.slice(1));
      if (Math.abs(exp) > 100) return undefined;
    }
    const e = exp + 9 - scale;
    nano = e >= 0 ? digits * pow10(e) : ceilDiv(digits, pow10(-e));
  }
  return { nano: sign * nano, format };
}

function numberText(n: number): string {
  if (Number.isInteger(n)) return BigInt(n).toString();
  return String(n).replace(/e\+?/, "e");
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** The canonical text Kubernetes prints for a quantity (largest exact suffix in its format). */
export function formatQuantity(q: Quantity): string {
  const neg = q.nano < 0n;
  const abs = neg ? -q.nano : q.nano;
  const sign = neg ? "-" : "";
  if (abs === 0n) return "0";
  if (q.format === "BinarySI" && abs % pow10(9) === 0n) {
    const units = abs / pow10(9);
    if (units >= 1024n) {
      const suffixes = ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"];
      for (const s of suffixes) {
        const div = 1n << BigInt(BINARY[s] as number);
        if (units % div === 0n) return `${sign}${units / div}${s}`;
      }
    }
  }
  // Decimal: the largest power of 1000 (from n up to E) that divides exactly.
  const ordered: [string, number][] = [["E", 18], ["P", 15], ["T", 12], ["G", 9], ["M", 6], ["k", 3], ["", 0], ["m", -3], ["u", -6], ["n", -9]];
  for (const [s, e] of ordered) {
    const div = pow10(e + 9);
    if (abs % div === 0n) {
      const n = abs / div;
      if (q.format === "DecimalExponent") return `${sign}${n}${e === 0 ? "" : `e${e}`}`;
      return `${sign}${n}${s}`;
    }
  }
  return `${sign}${abs}n`;
}

/** `cpu: 0.5` → `500m`; undefined when not a quantity. */
export function canonicalQuantity(input: string | number): string | undefined {
  const q = parseQuantity(input);
  return q ? formatQuantity(q) : undefined;
}

/** The quantity as a float in base units (cores, bytes). */
export function quantityValue(input: string | number): number | undefined {
  const q = parseQuantity(input);
  return q ? Number(q.nano) / 1e9 : undefined;
}
