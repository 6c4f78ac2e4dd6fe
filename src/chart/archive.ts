import { Parser } from "tar";
import type { ReadEntry } from "tar";
import { CapstanError } from "../errors.js";
import type { ChartFile } from "./types.js";

/**
 * Reads a packaged chart (`.tgz`) in memory. Entries must sit under one top directory, which is
 * stripped; names climbing out with `..` or absolute names are refused, links are skipped.
 */
export async function readChartArchive(data: Buffer, display: string): Promise<ChartFile[]> {
  const entries = await new Promise<ChartFile[]>((resolve, reject) => {
    const out: ChartFile[] = [];
    const parser = new Parser({
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
    parser.end(data);
  }).catch((e: unknown) => {
    throw new CapstanError("CHART_INVALID", `${display}: not a readable chart archive (${(e as Error).message})`, {
      problems: [{ file: display, message: `not a readable chart archive: ${(e as Error).message}` }],
    });
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
