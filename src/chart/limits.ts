import { CapstanError } from "../errors.js";
import type { ErrorCode, Problem } from "../errors.js";

const KiB = 1024;
const MiB = 1024 * KiB;

/** Most bytes of one values file (values.yaml, a valueFiles entry, an Application's inline values). */
export const DEFAULT_MAX_VALUES_BYTES = 8 * MiB;
/** Most bytes a chart's files may hold once read or unpacked, subcharts and archives included (Helm's own limit). */
export const DEFAULT_MAX_CHART_BYTES = 100 * MiB;
/** Most bytes of text one render may produce. */
export const DEFAULT_MAX_OUTPUT_BYTES = 16 * MiB;

/** Caps on what a chart from Git may make Capstan read (every commit is untrusted input). */
export interface ChartLimits {
  /** Bytes of one values file or of inline values; DEFAULT_MAX_VALUES_BYTES when unset. */
  maxValuesBytes?: number;
  /** Bytes of a chart's files, archives counted unpacked; DEFAULT_MAX_CHART_BYTES when unset. */
  maxChartBytes?: number;
}

/** Codes of refusals by size or time. */
export type LimitErrorCode = Extract<ErrorCode, "RENDER_TIMEOUT" | "RENDER_TOO_LARGE" | "VALUES_TOO_LARGE">;

export function limitError(code: LimitErrorCode, message: string, problems: Problem[] = []): CapstanError {
  return new CapstanError(code, message, { problems });
}

/** `52 MiB`, `8 MiB`, `1.5 MiB`, `300 KiB`, `12 bytes`. */
export function formatBytes(n: number): string {
  const unit = (size: number, name: string): string => {
    const v = n / size;
    return `${v >= 10 || Number.isInteger(v) ? Math.round(v) : Math.round(v * 10) / 10} ${name}`;
  };
  if (n >= MiB) return unit(MiB, "MiB");
  if (n >= KiB) return unit(KiB, "KiB");
  return `${n} bytes`;
}

/**
 * Refuses a YAML file over the cap before it is parsed, in one line naming it: `charts/web/values.yaml
 * is 52 MiB; the limit is 8 MiB` (VALUES_TOO_LARGE; CHART_INVALID for Chart.yaml and requirements.yaml).
 */
export function checkValuesSize(bytes: number, file: string, limit = DEFAULT_MAX_VALUES_BYTES, code: "VALUES_TOO_LARGE" | "CHART_INVALID" = "VALUES_TOO_LARGE"): void {
  if (bytes <= limit) return;
  const message = `${file} is ${formatBytes(bytes)}; the limit is ${formatBytes(limit)}`;
  throw code === "CHART_INVALID" ? new CapstanError(code, message) : limitError(code, message);
}

/**
 * Bytes a chart may still read, shared by the chart, its subcharts and the archives inside them,
 * so that an archive nested in an archive cannot multiply the cap.
 */
export class ChartBudget {
  private used = 0;
  constructor(readonly limit = DEFAULT_MAX_CHART_BYTES) {}

  get remaining(): number {
    return Math.max(0, this.limit - this.used);
  }

  /** Counts `bytes` read from `file` (a chart file or archive); refuses once the chart holds more than the limit. */
  take(bytes: number, file: string): void {
    this.used += bytes;
    if (this.used > this.limit) throw this.tooLarge(file);
  }

  tooLarge(file: string): CapstanError {
    return new CapstanError("CHART_INVALID", `${file}: the chart holds more than ${formatBytes(this.limit)} once read and unpacked; the limit is ${formatBytes(this.limit)}`);
  }
}
