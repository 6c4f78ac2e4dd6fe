import { createRequire } from "node:module";
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import type { Ajv2019 } from "ajv/dist/2019.js";
import type { Ajv2020 } from "ajv/dist/2020.js";
import type { Problem } from "../errors.js";
import type { GoMap } from "../template/values.js";
import type { ChartNode } from "./dependencies.js";
import { nodeValues } from "./dependencies.js";
import { toJsonCompatible } from "./values.js";
import type { Chart } from "./types.js";

const compiled = new WeakMap<Chart, ValidateFunction | Problem>();

const options = { allErrors: true, strict: false, validateFormats: false, logger: false } as const;
let ajv07: Ajv | undefined;
let ajv2019: Ajv2019 | undefined;
let ajv2020: Ajv2020 | undefined;
/** ajv (about 10 MB resident) is loaded with the first chart that has a values.schema.json. */
const load = createRequire(import.meta.url);

/** Picks the draft the schema asks for (`$schema`), draft-07 otherwise, as Helm accepts both. */
function compile(chart: Chart): ValidateFunction | Problem {
  const cached = compiled.get(chart);
  if (cached) return cached;
  const schema: Record<string, unknown> = { ...(chart.schema ?? {}) };
  const dialect = typeof schema["$schema"] === "string" ? schema["$schema"] : "";
  // Every load of a chart compiles its schema again: a top-level $id would clash with the
  // previous compilation, so it is dropped, and the compiled schema is removed from ajv's
  // cache afterwards (the validate function keeps working) so a long-running daemon does not grow.
  delete schema["$id"];
  delete schema["id"];
  let result: ValidateFunction | Problem;
  try {
    let ajv: Ajv | Ajv2019 | Ajv2020;
    if (dialect.includes("2020-12")) ajv = ajv2020 ??= new (load("ajv/dist/2020.js") as { Ajv2020: typeof Ajv2020 }).Ajv2020(options);
    else if (dialect.includes("2019-09")) ajv = ajv2019 ??= new (load("ajv/dist/2019.js") as { Ajv2019: typeof Ajv2019 }).Ajv2019(options);
    else {
      // Draft-07 under any spelling of its URI, and older drafts (04, 06), validate as draft-07,
      // which reads them the same way for common schemas.
      delete schema["$schema"];
      ajv = ajv07 ??= new (load("ajv") as { Ajv: typeof Ajv }).Ajv(options);
    }
    result = ajv.compile(schema);
    ajv.removeSchema(schema);
  } catch (e) {
    result = { file: `${chart.dir}/values.schema.json`, message: `invalid JSON Schema: ${(e as Error).message}` };
  }
  compiled.set(chart, result);
  return result;
}

function fieldOf(e: ErrorObject): string {
  const parts = e.instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  const params = e.params as Record<string, unknown>;
  if (e.keyword === "required" && typeof params["missingProperty"] === "string") parts.push(params["missingProperty"]);
  if (e.keyword === "additionalProperties" && typeof params["additionalProperty"] === "string") {
    parts.push(params["additionalProperty"]);
  }
  return parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : p)).join(".").replace(/\.\[/g, "[") || "(root)";
}

function messageOf(e: ErrorObject, data: unknown): string {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return "is required by values.schema.json but not set";
    case "additionalProperties":
      return "is not allowed by values.schema.json (additionalProperties is false)";
    case "type": {
      const found = valueAt(data, e.instancePath);
      const kind = found === null ? "null" : Array.isArray(found) ? "array" : typeof found;
      return `must be ${String(params["type"])} (found ${kind})`;
    }
    case "enum":
      return `must be one of ${JSON.stringify(params["allowedValues"])}`;
    default:
      return e.message ?? e.keyword;
  }
}

function valueAt(data: unknown, pointer: string): unknown {
  let cur = data;
  for (const p of pointer.split("/").slice(1)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[p.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return cur;
}

/** Checks the values of each chart in the tree against its values.schema.json; every violation is returned. */
export function validateValues(tree: ChartNode, values: GoMap): Problem[] {
  const problems: Problem[] = [];
  const visit = (node: ChartNode): void => {
    if (node.chart.schema) {
      const validate = compile(node.chart);
      if (typeof validate !== "function") problems.push(validate);
      else {
        const data = toJsonCompatible(nodeValues(values, node));
        if (!validate(data)) {
          const prefix = node.valuesPath.length > 0 ? `${node.valuesPath.join(".")}.` : "";
          for (const e of validate.errors ?? []) {
            problems.push({
              file: `${node.chart.dir}/values.schema.json`,
              field: prefix + fieldOf(e),
              message: messageOf(e, data),
            });
          }
        }
      }
    }
    node.subcharts.forEach(visit);
  };
  visit(tree);
  return problems;
}
