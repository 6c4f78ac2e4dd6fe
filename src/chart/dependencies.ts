import { CapstanError } from "../errors.js";
import type { Problem } from "../errors.js";
import { isGoMap } from "../template/values.js";
import type { GoMap, GoValue } from "../template/values.js";
import { mergeValues, pathValue, setPathValue } from "./values.js";
import type { Chart, ChartDependency } from "./types.js";

/** A chart placed in the render tree: its effective name (alias), template prefix and values path. */
export interface ChartNode {
  chart: Chart;
  /** The name templates and values know it by: the alias when one is given. */
  name: string;
  /** Template name prefix: `web`, `web/charts/db`. */
  prefix: string;
  /** Where its values sit in the top-level values: `[]` for the root, `["db"]` for a subchart. */
  valuesPath: string[];
  /** The Chart.yaml entry that brought it in, if any. */
  dependency?: ChartDependency;
  subcharts: ChartNode[];
}

/** Builds the full tree (before conditions and tags): Chart.yaml dependencies matched to charts/ by name. */
export function buildChartTree(chart: Chart, name = chart.metadata.name, prefix = name, valuesPath: string[] = []): ChartNode {
  const node: ChartNode = { chart, name, prefix, valuesPath, subcharts: [] };
  const problems: Problem[] = [];
  const used = new Set<Chart>();
  for (const dep of chart.metadata.dependencies) {
    const sub = chart.dependencies.find((c) => c.metadata.name === dep.name);
    if (!sub) {
      problems.push({
        file: `${chart.dir}/Chart.yaml`,
        field: "dependencies",
        message: `dependency "${dep.name}" is listed in Chart.yaml but missing from ${chart.dir}/charts/; add the chart directory or its .tgz there`,
      });
      continue;
    }
    used.add(sub);
    const subName = dep.alias ?? sub.metadata.name;
    const child = buildChartTree(sub, subName, `${prefix}/charts/${subName}`, [...valuesPath, subName]);
    child.dependency = dep;
    node.subcharts.push(child);
  }
  if (problems.length > 0) {
    throw new CapstanError("CHART_INVALID", `${chart.dir}: missing dependencies`, { problems });
  }
  // Charts in charts/ that Chart.yaml does not list are still part of the chart, as in Helm.
  for (const sub of chart.dependencies) {
    if (used.has(sub)) continue;
    const n = sub.metadata.name;
    node.subcharts.push(buildChartTree(sub, n, `${prefix}/charts/${n}`, [...valuesPath, n]));
  }
  return node;
}

/** Chart defaults with subchart defaults beneath the parent's `<subchart>:` sections, and imported values. */
export function defaultValues(node: ChartNode): GoMap {
  let out: GoMap = mergeValues({}, node.chart.values);
  let imported: GoMap = {};
  for (const sub of node.subcharts) {
    const own = out[sub.name];
    const subValues = mergeValues(defaultValues(sub), isGoMap(own) ? own : {});
    out[sub.name] = subValues;
    for (const iv of sub.dependency?.importValues ?? []) {
      const child = typeof iv === "string" ? `exports.${iv}` : iv.child;
      const parent = typeof iv === "string" ? "." : iv.parent;
      const v = pathValue(subValues, child);
      if (!isGoMap(v)) continue;
      if (parent === "." || parent === "") imported = mergeValues(imported, v);
      else {
        const m: GoMap = {};
        setPathValue(m, parent, v);
        imported = mergeValues(imported, m);
      }
    }
  }
  // Imported values sit beneath the parent's own, so a parent can override what it imports.
  if (Object.keys(imported).length > 0) out = mergeValues(imported, out);
  return out;
}

/**
 * Drops subcharts switched off by tags or conditions, as Helm decides: tags first (off only when
 * some tag is false and none is true), then the first condition path that holds a boolean wins.
 */
export function pruneDisabled(node: ChartNode, values: GoMap): ChartNode {
  const tags = values["tags"];
  const subcharts: ChartNode[] = [];
  for (const sub of node.subcharts) {
    let enabled = true;
    const dep = sub.dependency;
    if (dep) {
      if (isGoMap(tags) && dep.tags) {
        let hasTrue = false;
        let hasFalse = false;
        for (const t of dep.tags) {
          const v = tags[t];
          if (v === true) hasTrue = true;
          else if (v === false) hasFalse = true;
        }
        enabled = !(hasFalse && !hasTrue);
      }
      if (dep.condition) {
        const base = node.valuesPath.length > 0 ? `${node.valuesPath.join(".")}.` : "";
        for (const c of dep.condition.split(",").map((s) => s.trim())) {
          if (c === "") continue;
          const v: GoValue = pathValue(values, base + c);
          if (typeof v === "boolean") {
            enabled = v;
            break;
          }
        }
      }
    }
    if (enabled) subcharts.push(pruneDisabled(sub, values));
  }
  return { ...node, subcharts };
}

/** Copies `global` down to every subchart; the parent's globals win over a subchart's own. */
export function propagateGlobals(node: ChartNode, values: GoMap): void {
  const parentGlobal = values["global"];
  for (const sub of node.subcharts) {
    let sv = values[sub.name];
    if (!isGoMap(sv)) {
      sv = {};
      values[sub.name] = sv;
    }
    const own = sv["global"];
    sv["global"] = mergeValues(isGoMap(own) ? own : {}, isGoMap(parentGlobal) ? parentGlobal : {});
    propagateGlobals(sub, sv);
  }
}

/**
 * Final values of a chart tree, lowest precedence first: subchart values.yaml, parent values.yaml,
 * then each caller layer in order. Returns the enabled tree and the values (with globals copied down).
 */
export function coalesceChartValues(chart: Chart, layers: readonly GoMap[]): { tree: ChartNode; values: GoMap } {
  const full = buildChartTree(chart);
  const apply = (tree: ChartNode): GoMap => layers.reduce((acc, layer) => mergeValues(acc, layer), defaultValues(tree));
  const tree = pruneDisabled(full, apply(full));
  const values = apply(tree);
  propagateGlobals(tree, values);
  return { tree, values };
}

/** The values a node's templates see as `.Values`. */
export function nodeValues(values: GoMap, node: ChartNode): GoMap {
  let cur: GoValue = values;
  for (const p of node.valuesPath) cur = isGoMap(cur) ? cur[p] : undefined;
  return isGoMap(cur) ? cur : {};
}
