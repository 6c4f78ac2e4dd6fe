import { readdir, readFile, realpath, stat } from "node:fs/promises";
import * as path from "node:path";
import ignore from "ignore";
import { CapstanError } from "../errors.js";
import type { Problem } from "../errors.js";
import type { GoMap } from "../template/values.js";
import { parseChartYaml, parseRequirementsYaml } from "./chartfile.js";
import { parseValuesYaml } from "./values.js";
import { readChartArchive } from "./archive.js";
import { ChartBudget, DEFAULT_MAX_VALUES_BYTES, checkValuesSize } from "./limits.js";
import type { ChartLimits } from "./limits.js";
import { repoRelative, resolveInRepo } from "./paths.js";
import type { Chart, ChartFile } from "./types.js";

/** Template files Helm considers; others in templates/ are reported and skipped. */
export const TEMPLATE_EXTENSIONS = [".yaml", ".yml", ".tpl", ".txt"];
/** Files the chart itself uses, hidden from `.Files` as Helm hides them. */
const RESERVED = new Set(["Chart.yaml", "Chart.lock", "values.yaml", "values.schema.json", "requirements.yaml", "requirements.lock"]);

/**
 * Loads a chart directory or packaged `.tgz` from inside the repository at `root`.
 * `chartPath` is repository-relative (absolute means repository-relative too). The chart's files
 * (archives unpacked) and each values.yaml are capped by `limits`.
 */
export async function loadChart(root: string, chartPath: string, limits: ChartLimits = {}): Promise<Chart> {
  const realRoot = await realpath(root);
  const abs = await resolveInRepo(realRoot, chartPath);
  let st;
  try {
    st = await stat(abs);
  } catch {
    throw new CapstanError("CHART_INVALID", `${chartPath}: no chart there; give the path of a chart directory (with Chart.yaml) inside the repository`);
  }
  const display = repoRelative(realRoot, abs) || ".";
  const budget = new ChartBudget(limits.maxChartBytes);
  const options: BuildOptions = { budget, maxValuesBytes: limits.maxValuesBytes ?? DEFAULT_MAX_VALUES_BYTES };
  if (st.isDirectory()) {
    const files = await readChartDirectory(realRoot, abs, display, budget);
    return buildChart(files, display, options);
  }
  if (/\.tgz$|\.tar\.gz$/.test(abs)) {
    // Refused unread when the archive alone is over the cap; readChartArchive counts it unpacked.
    if (st.size > budget.remaining) throw budget.tooLarge(display);
    return buildChart(await readChartArchive(await readFile(abs), display, budget), display, options);
  }
  throw new CapstanError("CHART_INVALID", `${chartPath}: not a chart directory or .tgz archive`);
}

/**
 * Reads every file of a chart directory, honouring `.helmignore` and refusing links out of the
 * repository; sizes are counted against `budget` before each file is read.
 */
async function readChartDirectory(realRoot: string, dir: string, display: string, budget: ChartBudget): Promise<ChartFile[]> {
  const ig = ignore();
  // Helm always skips hidden files under templates/.
  ig.add("templates/.?*");
  try {
    ig.add(await readFile(path.join(dir, ".helmignore"), "utf8"));
  } catch {
    // No .helmignore: nothing more to skip.
  }
  const files: ChartFile[] = [];
  const seen = new Set<string>();
  const walk = async (realDir: string, rel: string): Promise<void> => {
    if (seen.has(realDir)) return;
    seen.add(realDir);
    const entries = await readdir(realDir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const childRel = rel === "" ? e.name : `${rel}/${e.name}`;
      let real = path.join(realDir, e.name);
      let isDir = e.isDirectory();
      if (e.isSymbolicLink()) {
        real = await resolveInRepo(realRoot, repoRelative(realRoot, real));
        try {
          isDir = (await stat(real)).isDirectory();
        } catch {
          continue; // dangling link inside the repository
        }
      } else if (!e.isFile() && !isDir) continue;
      if (ig.ignores(isDir ? `${childRel}/` : childRel)) continue;
      if (isDir) {
        await walk(real, childRel);
        continue;
      }
      budget.take((await stat(real)).size, `${display}/${childRel}`);
      files.push({ name: childRel, data: await readFile(real) });
    }
  };
  await walk(dir, "");
  return files;
}

export interface BuildOptions {
  /** Bytes the chart may still unpack from archives in charts/ (shared with the caller's reads). */
  budget?: ChartBudget;
  /** Largest values.yaml accepted, in bytes; DEFAULT_MAX_VALUES_BYTES when unset. */
  maxValuesBytes?: number;
}

/** Builds a chart from its files (from a directory or an archive), loading subcharts from charts/. */
export async function buildChart(files: ChartFile[], dir: string, options: BuildOptions = {}): Promise<Chart> {
  const budget = options.budget ?? new ChartBudget();
  const byName = new Map(files.map((f) => [f.name, f]));
  const chartYaml = byName.get("Chart.yaml");
  if (!chartYaml) {
    throw new CapstanError("CHART_INVALID", `${dir}: Chart.yaml is missing; a chart directory needs Chart.yaml with apiVersion, name and version`, {
      problems: [{ file: `${dir}/Chart.yaml`, message: "Chart.yaml is missing; add one with apiVersion, name and version" }],
    });
  }
  checkValuesSize(chartYaml.data.length, `${dir}/Chart.yaml`, options.maxValuesBytes, "CHART_INVALID");
  const metadata = parseChartYaml(chartYaml.data.toString("utf8"), `${dir}/Chart.yaml`);
  const requirements = byName.get("requirements.yaml");
  if (metadata.apiVersion === "v1" && requirements && metadata.dependencies.length === 0) {
    checkValuesSize(requirements.data.length, `${dir}/requirements.yaml`, options.maxValuesBytes, "CHART_INVALID");
    metadata.dependencies = parseRequirementsYaml(requirements.data.toString("utf8"), `${dir}/requirements.yaml`);
  }
  const valuesFile = byName.get("values.yaml");
  let values: GoMap = {};
  if (valuesFile) {
    checkValuesSize(valuesFile.data.length, `${dir}/values.yaml`, options.maxValuesBytes);
    values = parseValuesYaml(valuesFile.data.toString("utf8"), `${dir}/values.yaml`);
  }
  const chart: Chart = { metadata, dir, values, templates: [], files: [], dependencies: [], warnings: [] };

  const schemaFile = byName.get("values.schema.json");
  if (schemaFile) {
    try {
      chart.schema = JSON.parse(schemaFile.data.toString("utf8")) as Record<string, unknown>;
    } catch (e) {
      const p: Problem = { file: `${dir}/values.schema.json`, message: `invalid JSON: ${(e as Error).message}` };
      throw new CapstanError("CHART_INVALID", `${dir}/values.schema.json: invalid JSON`, { problems: [p] });
    }
  }

  const subchartFiles = new Map<string, ChartFile[]>();
  for (const f of files) {
    if (f.name.startsWith("templates/")) {
      if (TEMPLATE_EXTENSIONS.some((ext) => f.name.endsWith(ext))) chart.templates.push(f);
      else {
        chart.warnings.push({
          file: `${dir}/${f.name}`,
          severity: "warning",
          message: "not a template (only .yaml, .yml, .tpl and .txt files in templates/ are rendered); skipped",
        });
      }
    } else if (f.name.startsWith("charts/")) {
      const rest = f.name.slice("charts/".length);
      const slash = rest.indexOf("/");
      if (slash === -1) {
        if (rest.endsWith(".tgz") || rest.endsWith(".tar.gz")) {
          const subDir = `${dir}/charts/${rest}`;
          chart.dependencies.push(await buildChart(await readChartArchive(f.data, subDir, budget), subDir, { ...options, budget }));
        } else if (!rest.endsWith(".prov")) {
          chart.warnings.push({
            file: `${dir}/${f.name}`,
            severity: "warning",
            message: "not a subchart (charts/ holds chart directories and .tgz archives); skipped",
          });
        }
        continue;
      }
      const sub = rest.slice(0, slash);
      const list = subchartFiles.get(sub) ?? [];
      list.push({ name: rest.slice(slash + 1), data: f.data });
      subchartFiles.set(sub, list);
    } else if (!RESERVED.has(f.name)) {
      chart.files.push(f);
    }
  }
  for (const [sub, list] of subchartFiles) {
    chart.dependencies.push(await buildChart(list, `${dir}/charts/${sub}`, { ...options, budget }));
  }
  chart.dependencies.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  return chart;
}
