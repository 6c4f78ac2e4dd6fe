import type { GoMap } from "../template/values.js";
import type { Problem } from "../errors.js";

export interface ImportValue {
  child: string;
  parent: string;
}

/** One entry of Chart.yaml `dependencies`. */
export interface ChartDependency {
  name: string;
  version?: string;
  repository?: string;
  condition?: string;
  tags?: string[];
  alias?: string;
  importValues?: (string | ImportValue)[];
  enabled?: boolean;
}

export interface ChartMaintainer {
  name: string;
  email?: string;
  url?: string;
}

/** Chart.yaml, with Helm's field names. */
export interface ChartMetadata {
  apiVersion: "v1" | "v2";
  name: string;
  version: string;
  appVersion?: string;
  description?: string;
  type: "application" | "library";
  kubeVersion?: string;
  keywords: string[];
  home?: string;
  sources: string[];
  maintainers: ChartMaintainer[];
  icon?: string;
  deprecated: boolean;
  annotations: Record<string, string>;
  dependencies: ChartDependency[];
}

/** A file of a chart by its chart-relative name (`templates/deployment.yaml`). */
export interface ChartFile {
  name: string;
  data: Buffer;
}

/** A loaded chart: everything needed to render it, read once. */
export interface Chart {
  metadata: ChartMetadata;
  /** Repository-relative directory shown in messages (`charts/web`, `charts/web/charts/db-1.0.0.tgz`). */
  dir: string;
  values: GoMap;
  /** values.schema.json, parsed. */
  schema?: Record<string, unknown>;
  templates: ChartFile[];
  /** Everything `.Files` may see. */
  files: ChartFile[];
  /** Subcharts from charts/, keyed by the name they were loaded with. */
  dependencies: Chart[];
  /** Findings while loading (e.g. ignored files) that lint shows. */
  warnings: Problem[];
}
