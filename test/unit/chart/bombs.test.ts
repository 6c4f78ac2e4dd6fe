import { mkdirSync, truncateSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { createGzip } from "node:zlib";
import { describe, expect, test } from "vitest";
import { loadChart, parseValuesYaml, readChartArchive, readUserValues, renderChart } from "../../../src/chart/index.js";
import type { CapstanError} from "../../../src/errors.js";
import { formatProblem } from "../../../src/errors.js";
import { parseYamlFast } from "../../../src/manifest/fast-yaml.js";
import { parseYamlWithPositions } from "../../../src/manifest/yaml.js";
import { parseYamlAsJson } from "../../../src/template/funcs/helm.js";
import { capstanFailure, chartYaml, configMapTemplate, testRepo } from "../../fixtures/charts/repo.js";

const repo = testRepo;
const failure = capstanFailure;

/** What a user sees: the message and each problem, one line each (no stack, no multi-line YAML excerpt). */
const shown = (e: CapstanError): string[] => [e.message, ...e.problems.map(formatProblem)];

/** Nine aliases of nine aliases …, `levels` deep: a few hundred bytes, 9^levels values expanded. */
function billionLaughs(levels = 9, indent = ""): string {
  const lines = [`${indent}l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]`];
  for (let i = 1; i <= levels; i++) lines.push(`${indent}l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(", ")}]`);
  return `${lines.join("\n")}\n`;
}

const MiB = 1024 * 1024;

describe("YAML alias bombs are refused with a one-line error naming the file and line", () => {
  test("in a chart's values.yaml", async () => {
    const root = repo({ "charts/web/Chart.yaml": chartYaml("web"), "charts/web/values.yaml": `name: web\n${billionLaughs()}` });
    const e = await failure(loadChart(root, "charts/web"));
    expect(e.code).toBe("VALUES_INVALID");
    expect(shown(e)).toEqual([
      "charts/web/values.yaml: invalid YAML in values",
      "charts/web/values.yaml:7:15: aliases expand this document past 200000 values (an alias bomb?); write the values out or use fewer aliases",
    ]);
  });

  test("in an Application's values file", async () => {
    const root = repo({ "charts/web/Chart.yaml": chartYaml("web"), "envs/prod/web.yaml": billionLaughs() });
    const e = await failure(() => readUserValues(root, { valueFiles: ["/envs/prod/web.yaml"] }, { chartDir: "charts/web" }));
    expect(e.code).toBe("VALUES_INVALID");
    expect(e.problems.map(formatProblem)).toEqual([
      "envs/prod/web.yaml:6:15: aliases expand this document past 200000 values (an alias bomb?); write the values out or use fewer aliases",
    ]);
  });

  test("in Chart.yaml", async () => {
    const root = repo({ "charts/web/Chart.yaml": chartYaml("web", `annotations:\n${billionLaughs(9, "  ")}`) });
    const e = await failure(loadChart(root, "charts/web"));
    expect(e.code).toBe("CHART_INVALID");
    expect(e.problems.map(formatProblem)).toEqual([
      "charts/web/Chart.yaml:11:17: aliases expand this document past 200000 values (an alias bomb?); write the values out or use fewer aliases",
    ]);
  });

  test("in a rendered manifest", async () => {
    const root = repo({
      "charts/web/Chart.yaml": chartYaml("web"),
      "charts/web/templates/cm.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n${billionLaughs()}`,
    });
    const e = await failure(async () => renderChart(await loadChart(root, "charts/web"), { releaseName: "web", namespace: "prod" }));
    expect(e.code).toBe("CHART_RENDER_FAILED");
    expect(shown(e)).toEqual([
      "charts/web: chart does not render",
      "charts/web/templates/cm.yaml:10:15: rendered YAML does not parse: aliases expand this document past 200000 values (an alias bomb?); write the values out or use fewer aliases",
    ]);
  });

  test("in text a template reads with fromYaml (the function's error, as Helm returns it)", () => {
    expect(() => parseYamlAsJson(billionLaughs())).toThrow(
      "error converting YAML to JSON: yaml: line 6: aliases expand this document past 200000 values (an alias bomb?); write the values out or use fewer aliases at line 6, column 15:",
    );
  });

  test("an alias inside the node it names (a cycle) is refused, not turned into a circular value", () => {
    const r = parseYamlWithPositions("a: &a\n  b: *a\n", "values.yaml");
    expect(r.ok ? r.value.value : r.errors.map(formatProblem)).toEqual(["values.yaml:2:6: YAML syntax error: alias *a is inside the node it names (a cycle)"]);
  });

  test("a chain of anchors, each holding the previous one, is refused by the same bound", () => {
    const chain = ["a0: &a0 [x]", ...Array.from({ length: 1500 }, (_, i) => `a${i + 1}: &a${i + 1} [*a${i}, y]`)].join("\n");
    expect(() => parseYamlFast(chain)).toThrow("aliases expand this document past 200000 values (an alias bomb?); write the values out or use fewer aliases at line 449, column 14:");
  });

  test("a document with 20000 distinct anchors, each aliased once, is read (the library alone looks each alias up across the whole document)", () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `a${i}: &a${i} v${i}\nb${i}: *a${i}`).join("\n");
    const v = parseValuesYaml(text, "values.yaml");
    expect(Object.keys(v)).toHaveLength(40_000);
    expect(v["b19999"]).toBe("v19999");
  });

  test("ordinary aliases and merge keys still read as before, and aliased values are copies", () => {
    const text = "base: &base\n  image: web\n  port: 80\nprod:\n  <<: *base\n  port: 8080\nlist: [*base, *base]\n";
    const v = parseValuesYaml(text, "values.yaml");
    expect(v).toEqual({ base: { image: "web", port: 80 }, prod: { image: "web", port: 8080 }, list: [{ image: "web", port: 80 }, { image: "web", port: 80 }] });
    const list = v["list"] as unknown[];
    expect(list[0]).not.toBe(list[1]);
    // 5000 uses of one anchor: refused by the yaml library's own alias count (1000) before.
    const many = `a: &a x\n${Array.from({ length: 5000 }, (_, i) => `k${i}: *a`).join("\n")}\n`;
    expect(Object.keys(parseValuesYaml(many, "values.yaml"))).toHaveLength(5001);
  });
});

describe("large values files", () => {
  test("a values file with 43000 keys is read, and a duplicate key is still an error with its line", () => {
    // The yaml library's own duplicate check compares each key with all before it: about a billion comparisons here.
    const lines = Array.from({ length: 43_000 }, (_, i) => `key-${i}: value ${i}`);
    const text = `${lines.join("\n")}\n`;
    const v = parseValuesYaml(text, "values.yaml");
    expect(Object.keys(v)).toHaveLength(43_000);
    const e = (() => {
      try {
        parseValuesYaml(`${text}key-7: again\n`, "values.yaml");
      } catch (err) {
        return err as CapstanError;
      }
      throw new Error("expected an error");
    })();
    expect(e.problems.map(formatProblem)).toEqual(["values.yaml:43001:1: YAML syntax error: Map keys must be unique"]);
  });

  test("duplicate keys in flow maps and nested maps are reported as the yaml library reports them", () => {
    const r = parseYamlWithPositions("a:\n  b: 1\n  c: {x: 1, x: 2}\n", "values.yaml");
    expect(r.ok ? r.value.value : r.errors.map(formatProblem)).toEqual(["values.yaml:3:13: YAML syntax error: Map keys must be unique"]);
    expect(() => parseYamlFast("a: 1\nb: 2\na: 3\n")).toThrow("Map keys must be unique at line 3, column 1");
  });

  test("a 52 MiB values file is refused unread, naming the file and the limit", async () => {
    const root = repo({ "charts/web/Chart.yaml": chartYaml("web"), "envs/prod/web.yaml": "a: 1\n" });
    truncateSync(path.join(root, "envs/prod/web.yaml"), 52 * MiB); // sparse: nothing is written
    const e = await failure(() => readUserValues(root, { valueFiles: ["/envs/prod/web.yaml"] }, { chartDir: "charts/web" }));
    expect(e.code).toBe("VALUES_TOO_LARGE");
    expect(shown(e)).toEqual(["envs/prod/web.yaml is 52 MiB; the limit is 8 MiB"]);
  });

  test("a chart's values.yaml over the cap is refused, naming it", async () => {
    const root = repo({ "charts/web/Chart.yaml": chartYaml("web"), "charts/web/values.yaml": `pad: "${"x".repeat(2 * MiB)}"\n` });
    const e = await failure(loadChart(root, "charts/web", { maxValuesBytes: MiB }));
    expect(e.code).toBe("VALUES_TOO_LARGE");
    expect(e.message).toBe("charts/web/values.yaml is 2 MiB; the limit is 1 MiB");
  });
});

/** A one-file tar (`dir/name`, `size` bytes of zeros), gzipped as it is produced so the test never holds it unpacked. */
async function zeroArchive(dir: string, name: string, size: number, level = 1): Promise<Buffer> {
  const header = Buffer.alloc(512);
  header.write(`${dir}/${name}`, 0, "utf8");
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  header.write("00000000000\0", 136);
  header.write("0", 156);
  header.write("ustar\0" + "00", 257);
  header.fill(" ", 148, 156);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  const gzip = createGzip({ level });
  const chunks: Buffer[] = [];
  gzip.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => gzip.on("end", resolve));
  gzip.write(header);
  const zeros = Buffer.alloc(MiB);
  for (let left = size; left > 0; left -= MiB) gzip.write(left >= MiB ? zeros : zeros.subarray(0, left));
  gzip.end(Buffer.alloc(1024 + ((512 - (size % 512)) % 512)));
  await done;
  return Buffer.concat(chunks);
}

describe("chart archives and directories are capped once unpacked", () => {
  test("a gzip bomb in charts/ (a small .tgz unpacking past the cap) is refused, naming the archive", async () => {
    const root = repo({ "charts/web/Chart.yaml": chartYaml("web") });
    const bomb = await zeroArchive("bomb", "templates/zeros.yaml", 150 * MiB);
    expect(bomb.length).toBeLessThan(MiB);
    mkdirSync(path.join(root, "charts/web/charts"), { recursive: true });
    writeFileSync(path.join(root, "charts/web/charts/bomb-1.0.0.tgz"), bomb);
    const e = await failure(loadChart(root, "charts/web"));
    expect(e.code).toBe("CHART_INVALID");
    expect(shown(e)).toEqual(["charts/web/charts/bomb-1.0.0.tgz: the chart holds more than 100 MiB once read and unpacked; the limit is 100 MiB"]);
  });

  test("archives inside archives share one budget", async () => {
    const inner = await zeroArchive("inner", "files/zeros.bin", 3 * MiB);
    const e = await failure(async () => {
      const budget = new (await import("../../../src/chart/index.js")).ChartBudget(4 * MiB);
      await readChartArchive(inner, "charts/web/charts/a.tgz", budget);
      await readChartArchive(inner, "charts/web/charts/b.tgz", budget);
    });
    expect(e.message).toBe("charts/web/charts/b.tgz: the chart holds more than 4 MiB once read and unpacked; the limit is 4 MiB");
  });

  test("an archive within the cap still loads", async () => {
    const small = await zeroArchive("small", "files/zeros.bin", 64 * 1024);
    const files = await readChartArchive(small, "charts/small.tgz");
    expect(files.map((f) => [f.name, f.data.length])).toEqual([["files/zeros.bin", 64 * 1024]]);
  });

  test("a chart directory whose files pass the cap is refused before they are read, naming the file", async () => {
    const root = repo({ "charts/web/Chart.yaml": chartYaml("web"), "charts/web/templates/cm.yaml": configMapTemplate("web", "  a: b\n"), "charts/web/files/big.bin": "" });
    truncateSync(path.join(root, "charts/web/files/big.bin"), 200 * MiB);
    const e = await failure(loadChart(root, "charts/web"));
    expect(e.code).toBe("CHART_INVALID");
    expect(e.message).toBe("charts/web/files/big.bin: the chart holds more than 100 MiB once read and unpacked; the limit is 100 MiB");
  });
});
