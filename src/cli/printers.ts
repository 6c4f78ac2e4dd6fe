import { stringify } from "yaml";

export type OutputFormat = "table" | "json" | "yaml";

export interface Column<T> {
  header: string;
  value: (row: T) => string;
}

/**
 * Kubectl-style table: upper-case headers, columns padded to the widest cell, three spaces apart.
 * A cell with line breaks spans as many lines; the row's other cells are blank on the extra lines.
 */
export function formatTable<T>(rows: T[], columns: Column<T>[]): string {
  const header = columns.map((c) => c.header.toUpperCase());
  const lines: string[][] = [header];
  for (const row of rows) {
    const cells = columns.map((c) => c.value(row).split("\n"));
    const height = Math.max(1, ...cells.map((c) => c.length));
    for (let i = 0; i < height; i++) lines.push(cells.map((c) => c[i] ?? ""));
  }
  const widths = columns.map((_, i) => Math.max(...lines.map((line) => (line[i] ?? "").length)));
  return lines
    .map((line) =>
      line
        .map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join("   ")
        .trimEnd(),
    )
    .join("\n")
    .concat("\n");
}

export function formatData(data: unknown, format: "json" | "yaml"): string {
  return format === "json" ? `${JSON.stringify(data, null, 2)}\n` : stringify(data, { lineWidth: 0 });
}

export function parseOutputFormat<F extends string>(value: string | undefined, allowed: readonly F[], fallback: F): F {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as F;
  throw new Error(`-o ${value}: unknown output format (use ${allowed.join(", ")})`);
}

/** Colour only on a terminal and never when NO_COLOR is set (https://no-color.org). */
export function colorEnabled(isTTY: boolean, env: Record<string, string | undefined>): boolean {
  return isTTY && !env.NO_COLOR && env.TERM !== "dumb";
}

export function paint(enabled: boolean, code: "red" | "green" | "yellow" | "bold" | "dim", text: string): string {
  if (!enabled) return text;
  const codes = { red: 31, green: 32, yellow: 33, bold: 1, dim: 2 } as const;
  return `\u001b[${codes[code]}m${text}\u001b[0m`;
}
