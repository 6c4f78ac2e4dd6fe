import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { Parser } from "tar";
import type { ReadEntry } from "tar";
import { CapstanError } from "../errors.js";
import { ChartBudget } from "./limits.js";
import type { ChartFile } from "./types.js";

const gunzipAsync = promisify(gunzip);
const isGzip = (b: Buffer): boolean => b[0] === 0x1f && b[1] === 0x8b;

function unreadable(display: string, reason: string): CapstanError {
  return new CapstanError("CHART_INVALID", `${display}: not a readable chart archive (${reason})`, {
    problems: [{ file: display, message: `not a readable chart archive: ${reason}` }],
  });
}

/**
 * The archive's tar stream, counted against the chart's budget. Capstan unpacks gzip itself, with
 * zlib stopping at the bytes the budget has left, so a gzip bomb (kilobytes that unpack to
 * gigabytes) is refused after at most the budget; the tar parser then sees plain tar only.
 */
async function tarBytes(data: Buffer, display: string, budget: ChartBudget): Promise<Buffer> {
  if (!isGzip(data)) {
    budget.take(data.length, display);
    return data;
  }
  let tar: Buffer;
  try {
    tar = await gunzipAsync(data, { maxOutputLength: Math.max(1, budget.remaining) });
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw budget.tooLarge(display);
    throw unreadable(display, (e as Error).message);
  }
  budget.take(tar.length, display);
  // The tar parser would unpack a second layer of gzip (or zstd) itself, uncounted.
  if (isGzip(tar) || tar.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) throw unreadable(display, "compressed twice");
  return tar;
}

/**
 * Reads a packaged chart (`.tgz`) in memory. Entries must sit under one top directory, which is
 * stripped; names climbing out with `..` or absolute names are refused, links are skipped.
 * Unpacked bytes count against `budget` (shared with the rest of the chart).
 */
export async function readChartArchive(data: Buffer, display: string, budget = new ChartBudget()): Promise<ChartFile[]> {
  const tar = await tarBytes(data, display, budget);
  const entries = await new Promise<ChartFile[]>((resolve, reject) => {
    const out: ChartFile[] = [];
    const parser = new Parser({
      brotli: false,
      zstd: false,
      onReadEntry(entry: ReadEntry) {
        if (entry.type !== "File" && entry.type !== "OldFile") {
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on("data", (c: Buffer) => chunks.push(c));
        entry.on("end", () => out.push({ name: entry.path, data: Buffer.concat(chunks) }));
      },
    });
    parser.on("error", (e: Error) => reject(e));
    parser.on("end", () => resolve(out));
    parser.on("close", () => resolve(out));
    parser.end(tar);
  }).catch((e: unknown) => {
    throw unreadable(display, (e as Error).message);
  });
  const files: ChartFile[] = [];
  for (const e of entries) {
    const parts = e.name.replace(/\\/g, "/").split("/").filter((p) => p !== "" && p !== ".");
    if (e.name.startsWith("/") || parts.includes("..")) {
      throw new CapstanError("PATH_OUTSIDE_REPO", `${display}: archive entry leaves the chart directory; repackage the chart`, {
        problems: [{ file: display, message: "archive entry leaves the chart directory; repackage the chart" }],
      });
    }
    if (parts.length < 2) continue;
    files.push({ name: parts.slice(1).join("/"), data: e.data });
  }
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return files;
}
