import { describe, expect, test } from "vitest";
import { coalesceChartValues, mergeValues, mergeMaps } from "../../../src/chart/index.js";
import type { Chart } from "../../../src/chart/index.js";
import type { GoMap } from "../../../src/template/values.js";
import { CapstanError, formatProblem } from "../../../src/errors.js";

function chart(name: string, values: GoMap, dependencies: Chart[] = [], deps: Chart["metadata"]["dependencies"] = []): Chart {
  return {
    metadata: {
      apiVersion: "v2",
      name,
      version: "0.1.0",
      type: "application",
      keywords: [],
      sources: [],
      maintainers: [],
      deprecated: false,
      annotations: {},
      dependencies: deps,
    },
    dir: `charts/${name}`,
    values,
    templates: [],
    files: [],
    dependencies,
    warnings: [],
  };
}

describe("merging values", () => {
  test("maps merge deeply, lists and scalars are replaced", () => {
    expect(
      mergeValues({ image: { repository: "web", tag: "v1" }, ports: [80, 443], replicas: 1 }, { image: { tag: "v2" }, ports: [8080], replicas: 3 }),
    ).toEqual({ image: { repository: "web", tag: "v2" }, ports: [8080], replicas: 3 });
  });

  test("null in an override deletes the default", () => {
    expect(mergeValues({ resources: { limits: { cpu: "1" } }, keep: true }, { resources: null })).toEqual({ keep: true });
    expect(mergeValues({ a: { b: 1, c: 2 } }, { a: { b: null } })).toEqual({ a: { c: 2 } });
  });

  test("inputs are left unchanged", () => {
    const base = { a: { b: 1 } };
    const over = { a: { c: 2 } };
    mergeValues(base, over);
    expect(base).toEqual({ a: { b: 1 } });
    expect(over).toEqual({ a: { c: 2 } });
  });

  test("user files merged among themselves keep null so it still deletes the chart default", () => {
    const user = mergeMaps(mergeMaps({}, { a: 1, b: 2 }), { b: null });
    expect(user).toEqual({ a: 1, b: null });
    expect(mergeValues({ b: "default", c: 3 }, user)).toEqual({ a: 1, c: 3 });
  });
});

describe("values precedence across charts and layers", () => {
  test("subchart values.yaml < parent's section < caller layers in order", () => {
    const db = chart("db", { port: 5432, user: "app", image: { tag: "15" } });
    const web = chart("web", { db: { user: "web", image: { tag: "16" } }, replicas: 1 }, [db]);
    const { values } = coalesceChartValues(web, [{ replicas: 2, db: { image: { tag: "17" } } }, { replicas: 3 }]);
    expect(values).toEqual({
      replicas: 3,
      db: { port: 5432, user: "web", image: { tag: "17" }, global: {} },
    });
  });

  test("global values are copied down to every subchart, the parent's winning", () => {
    const leaf = chart("leaf", { global: { region: "leaf-default", own: true } });
    const db = chart("db", {}, [leaf]);
    const web = chart("web", { global: { region: "eu" } }, [db]);
    const { values } = coalesceChartValues(web, [{ global: { tier: "prod" } }]);
    expect(values["global"]).toEqual({ region: "eu", tier: "prod" });
    expect((values["db"] as GoMap)["global"]).toEqual({ region: "eu", tier: "prod" });
    expect(((values["db"] as GoMap)["leaf"] as GoMap)["global"]).toEqual({ region: "eu", own: true, tier: "prod" });
  });

  test("a condition turns a subchart off, and its defaults go with it", () => {
    const db = chart("db", { port: 5432 });
    const web = chart("web", { db: { enabled: false } }, [db], [{ name: "db", condition: "db.enabled" }]);
    const off = coalesceChartValues(web, []);
    expect(off.tree.subcharts).toEqual([]);
    expect(off.values["db"]).toEqual({ enabled: false });
    const on = coalesceChartValues(web, [{ db: { enabled: true } }]);
    expect(on.tree.subcharts.map((s) => s.name)).toEqual(["db"]);
    expect(on.values["db"]).toEqual({ enabled: true, port: 5432, global: {} });
  });

  test("tags switch subcharts off only when a tag is false and none is true; a condition wins over tags", () => {
    const a = chart("a", {});
    const b = chart("b", {});
    const c = chart("c", {});
    const web = chart("web", { tags: { backend: false, extra: true } }, [a, b, c], [
      { name: "a", tags: ["backend"] },
      { name: "b", tags: ["backend", "extra"] },
      { name: "c", tags: ["backend"], condition: "c.on" },
    ]);
    expect(coalesceChartValues(web, []).tree.subcharts.map((s) => s.name)).toEqual(["b"]);
    expect(coalesceChartValues(web, [{ c: { on: true } }]).tree.subcharts.map((s) => s.name)).toEqual(["b", "c"]);
  });

  test("an alias renames the subchart for its values and templates", () => {
    const db = chart("db", { port: 5432 });
    const web = chart("web", { primary: { port: 6000 } }, [db], [{ name: "db", alias: "primary" }, { name: "db", alias: "replica" }]);
    const { tree, values } = coalesceChartValues(web, []);
    expect(tree.subcharts.map((s) => [s.name, s.prefix])).toEqual([
      ["primary", "web/charts/primary"],
      ["replica", "web/charts/replica"],
    ]);
    expect(values["primary"]).toMatchObject({ port: 6000 });
    expect(values["replica"]).toMatchObject({ port: 5432 });
  });

  test("import-values bring a child's exports beneath the parent's own values", () => {
    const db = chart("db", { exports: { data: { dbPort: 5432, dbHost: "db" } }, conn: { pool: 5 } });
    const web = chart("web", { dbHost: "override" }, [db], [
      { name: "db", importValues: ["data", { child: "conn", parent: "database.conn" }] },
    ]);
    const { values } = coalesceChartValues(web, []);
    expect(values).toMatchObject({ dbPort: 5432, dbHost: "override", database: { conn: { pool: 5 } } });
  });

  test("a dependency listed in Chart.yaml but absent from charts/ is reported", () => {
    const web = chart("web", {}, [], [{ name: "db" }]);
    let error: unknown;
    try {
      coalesceChartValues(web, []);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CapstanError);
    expect((error as CapstanError).problems.map(formatProblem)).toEqual([
      'charts/web/Chart.yaml: dependencies: dependency "db" is listed in Chart.yaml but missing from charts/web/charts/; add the chart directory or its .tgz there',
    ]);
  });
});
