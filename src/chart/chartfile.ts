import { z } from "zod";
import { CapstanError } from "../errors.js";
import type { Problem } from "../errors.js";
import { parseYamlWithPositions } from "../manifest/yaml.js";
import type { ChartMetadata } from "./types.js";

// Helm accepts versions as Masterminds/semver does: an optional `v`, one to three numbers.
const SEMVER = /^v?(0|[1-9]\d*)(\.(0|[1-9]\d*)){0,2}(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
const ALIAS = /^[a-zA-Z0-9_-]+$/;

const str = z.union([z.string(), z.number().transform(String)]);

const importValue = z.union([z.string(), z.object({ child: z.string(), parent: z.string() }).strict()]);

const dependency = z
  .object({
    name: z.string().min(1, "a dependency needs a name"),
    version: str.optional(),
    repository: z.string().optional(),
    condition: z.string().optional(),
    tags: z.array(z.string()).optional(),
    alias: z.string().regex(ALIAS, "alias may only contain letters, digits, '-' and '_'").optional(),
    "import-values": z.array(importValue).optional(),
    enabled: z.boolean().optional(),
  })
  .passthrough();

const chartYaml = z
  .object({
    apiVersion: z.enum(["v1", "v2"], {
      errorMap: () => ({ message: "apiVersion must be v2 (or v1 for old charts)" }),
    }),
    name: z
      .string({ required_error: "name is required" })
      .min(1, "name is required")
      .regex(/^[^/\\\s]+$/, "name may not contain slashes or spaces"),
    version: str.refine((v) => SEMVER.test(v), { message: "version must be a semantic version such as 0.1.0" }),
    appVersion: str.optional(),
    description: z.string().optional(),
    type: z.enum(["application", "library"], {
      errorMap: () => ({ message: "type must be application or library" }),
    }).optional(),
    kubeVersion: z.string().optional(),
    keywords: z.array(z.string()).optional(),
    home: z.string().optional(),
    sources: z.array(z.string()).optional(),
    maintainers: z
      .array(z.object({ name: z.string(), email: z.string().optional(), url: z.string().optional() }).passthrough())
      .optional(),
    icon: z.string().optional(),
    deprecated: z.boolean().optional(),
    annotations: z.record(str).optional(),
    dependencies: z.array(dependency).optional(),
  })
  .passthrough();

/** Parses and checks Chart.yaml; every problem is reported at once. */
export function parseChartYaml(text: string, file: string): ChartMetadata {
  const parsed = parseYamlWithPositions(text, file);
  if (!parsed.ok) throw new CapstanError("CHART_INVALID", `${file}: invalid YAML`, { problems: parsed.errors });
  const raw = parsed.value.value ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new CapstanError("CHART_INVALID", `${file}: Chart.yaml must be a map`, {
      problems: [{ file, line: 1, message: "Chart.yaml must be a map of fields (apiVersion, name, version, …)" }],
    });
  }
  const result = chartYaml.safeParse(raw);
  if (!result.success) {
    const problems: Problem[] = result.error.issues.map((issue) => {
      const pos = parsed.value.position(issue.path);
      const field = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : p)).join(".").replace(/\.\[/g, "[");
      const missing = issue.code === "invalid_type" && issue.received === "undefined";
      const p: Problem = { file, field, message: missing ? `${field} is required` : issue.message };
      if (pos) {
        p.line = pos.line;
        p.column = pos.column;
      }
      return p;
    });
    throw new CapstanError("CHART_INVALID", `${file}: invalid Chart.yaml`, { problems });
  }
  const c = result.data;
  const metadata: ChartMetadata = {
    apiVersion: c.apiVersion,
    name: c.name,
    version: c.version,
    type: c.type ?? "application",
    keywords: c.keywords ?? [],
    sources: c.sources ?? [],
    maintainers: (c.maintainers ?? []).map((m) => ({ ...m })),
    deprecated: c.deprecated ?? false,
    annotations: c.annotations ?? {},
    dependencies: (c.dependencies ?? []).map((d) => {
      const dep: ChartMetadata["dependencies"][number] = { name: d.name };
      if (d.version !== undefined) dep.version = d.version;
      if (d.repository !== undefined) dep.repository = d.repository;
      if (d.condition !== undefined) dep.condition = d.condition;
      if (d.tags !== undefined) dep.tags = d.tags;
      if (d.alias !== undefined) dep.alias = d.alias;
      if (d["import-values"] !== undefined) dep.importValues = d["import-values"];
      if (d.enabled !== undefined) dep.enabled = d.enabled;
      return dep;
    }),
  };
  if (c.appVersion !== undefined) metadata.appVersion = c.appVersion;
  if (c.description !== undefined) metadata.description = c.description;
  if (c.kubeVersion !== undefined) metadata.kubeVersion = c.kubeVersion;
  if (c.home !== undefined) metadata.home = c.home;
  if (c.icon !== undefined) metadata.icon = c.icon;
  return metadata;
}

/** Helm v1 charts list dependencies in requirements.yaml; they are read the same way. */
export function parseRequirementsYaml(text: string, file: string): ChartMetadata["dependencies"] {
  const wrapped = `apiVersion: v1\nname: requirements\nversion: 0.0.0\n${text}`;
  try {
    return parseChartYaml(wrapped, file).dependencies;
  } catch (e) {
    if (e instanceof CapstanError) {
      // The three lines added in front shift every position.
      for (const p of e.problems) if (p.line !== undefined) p.line -= 3;
    }
    throw e;
  }
}
