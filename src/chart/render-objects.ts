import { GoStruct } from "../template/values.js";
import type { GoMap, GoValue } from "../template/values.js";
import type { ChartDependency, ChartMaintainer, ChartMetadata } from "./types.js";

/** `.Chart`: Chart.yaml with Go field names, as Helm's chart.Metadata (plus IsRoot). */
/** Go's `omitempty`: leave out empty strings, false, nil and empty lists/maps. */
function omitEmpty(entries: [string, GoValue, boolean?][]): GoMap {
  const out: GoMap = {};
  for (const [key, value, always] of entries) {
    const empty = value === null || value === undefined || value === "" || value === false || (Array.isArray(value) && value.length === 0);
    if (always || !empty) out[key] = value;
  }
  return out;
}

export class ChartObject extends GoStruct {
  readonly Name: string;
  readonly Home: string;
  readonly Sources: string[] | null;
  readonly Version: string;
  readonly Description: string;
  readonly Keywords: string[] | null;
  readonly Maintainers: MaintainerObject[] | null;
  readonly Icon: string;
  readonly APIVersion: string;
  readonly Condition: string;
  readonly Tags: string;
  readonly AppVersion: string;
  readonly Deprecated: boolean;
  readonly Annotations: GoMap | null;
  readonly KubeVersion: string;
  readonly Dependencies: DependencyObject[] | null;
  readonly Type: string;
  readonly IsRoot: boolean;

  constructor(m: ChartMetadata, name: string, isRoot: boolean) {
    super("chart.Metadata");
    this.Name = name;
    this.Home = m.home ?? "";
    this.Sources = m.sources.length > 0 ? [...m.sources] : null;
    this.Version = m.version;
    this.Description = m.description ?? "";
    this.Keywords = m.keywords.length > 0 ? [...m.keywords] : null;
    this.Maintainers = m.maintainers.length > 0 ? m.maintainers.map((x) => new MaintainerObject(x)) : null;
    this.Icon = m.icon ?? "";
    this.APIVersion = m.apiVersion;
    this.Condition = "";
    this.Tags = "";
    this.AppVersion = m.appVersion ?? "";
    this.Deprecated = m.deprecated;
    this.Annotations = Object.keys(m.annotations).length > 0 ? { ...m.annotations } : null;
    this.KubeVersion = m.kubeVersion ?? "";
    this.Dependencies = m.dependencies.length > 0 ? m.dependencies.map((d) => new DependencyObject(d)) : null;
    this.Type = m.type;
    this.IsRoot = isRoot;
  }

  /** Helm's chart.Metadata JSON names, so `toJson .Chart` and `toYaml .Chart` read as in Helm. */
  marshalJSON(): GoValue {
    return omitEmpty([
      ["name", this.Name],
      ["home", this.Home],
      ["sources", this.Sources],
      ["version", this.Version],
      ["description", this.Description],
      ["keywords", this.Keywords],
      ["maintainers", this.Maintainers],
      ["icon", this.Icon],
      ["apiVersion", this.APIVersion],
      ["condition", this.Condition],
      ["tags", this.Tags],
      ["appVersion", this.AppVersion],
      ["deprecated", this.Deprecated],
      ["annotations", this.Annotations],
      ["kubeVersion", this.KubeVersion],
      ["dependencies", this.Dependencies],
      ["type", this.Type],
    ]);
  }
}

export class MaintainerObject extends GoStruct {
  readonly Name: string;
  readonly Email: string;
  readonly URL: string;
  constructor(m: ChartMaintainer) {
    super("chart.Maintainer");
    this.Name = m.name;
    this.Email = m.email ?? "";
    this.URL = m.url ?? "";
  }

  marshalJSON(): GoValue {
    return omitEmpty([
      ["name", this.Name],
      ["email", this.Email],
      ["url", this.URL],
    ]);
  }
}

export class DependencyObject extends GoStruct {
  readonly Name: string;
  readonly Version: string;
  readonly Repository: string;
  readonly Condition: string;
  readonly Tags: string[] | null;
  readonly Enabled: boolean;
  readonly Alias: string;
  readonly ImportValues: GoValue[] | null;
  constructor(d: ChartDependency) {
    super("chart.Dependency");
    this.Name = d.name;
    this.Version = d.version ?? "";
    this.Repository = d.repository ?? "";
    this.Condition = d.condition ?? "";
    this.Tags = d.tags && d.tags.length > 0 ? [...d.tags] : null;
    this.Enabled = d.enabled ?? true;
    this.Alias = d.alias ?? "";
    this.ImportValues = d.importValues ? d.importValues.map((v) => (typeof v === "string" ? v : { ...v })) : null;
  }

  marshalJSON(): GoValue {
    return omitEmpty([
      ["name", this.Name, true],
      ["version", this.Version],
      ["repository", this.Repository, true],
      ["condition", this.Condition],
      ["tags", this.Tags],
      ["enabled", this.Enabled],
      ["import-values", this.ImportValues],
      ["alias", this.Alias],
    ]);
  }
}

/** The kinds Capstan runs, by group/version. */
export const SUPPORTED_API_VERSIONS: Record<string, string[]> = {
  v1: ["Service", "ConfigMap", "Secret", "PersistentVolumeClaim"],
  "apps/v1": ["Deployment", "StatefulSet", "DaemonSet"],
  "batch/v1": ["Job", "CronJob"],
};

export class KubeVersionObject extends GoStruct {
  readonly Version: string;
  readonly Major: string;
  readonly Minor: string;
  readonly GitVersion: () => GoValue;
  readonly String: () => GoValue;
  constructor(version: string) {
    super("chartutil.KubeVersion");
    const m = /^v?(\d+)\.(\d+)/.exec(version);
    this.Version = version.startsWith("v") ? version : `v${version}`;
    this.Major = m?.[1] ?? "1";
    this.Minor = m?.[2] ?? "0";
    this.GitVersion = () => this.Version;
    this.String = () => this.Version;
  }
}

export class APIVersionsObject extends GoStruct {
  readonly Has: (apiVersion: GoValue) => GoValue;
  constructor(versions: ReadonlySet<string>) {
    super("chartutil.VersionSet");
    this.Has = (v) => versions.has(String(v));
  }
}

/** The Kubernetes version templates see by default. */
export const DEFAULT_KUBE_VERSION = "v1.30.0";

/** `.Capabilities`: what the target accepts; `APIVersions.Has` knows `apps/v1` and `apps/v1/Deployment`. */
export class CapabilitiesObject extends GoStruct {
  readonly KubeVersion: KubeVersionObject;
  readonly APIVersions: APIVersionsObject;
  readonly HelmVersion: GoMap;
  constructor(kubeVersion = DEFAULT_KUBE_VERSION) {
    super("chartutil.Capabilities");
    const versions = new Set<string>();
    for (const [gv, kinds] of Object.entries(SUPPORTED_API_VERSIONS)) {
      versions.add(gv);
      for (const k of kinds) versions.add(`${gv}/${k}`);
    }
    this.KubeVersion = new KubeVersionObject(kubeVersion);
    this.APIVersions = new APIVersionsObject(versions);
    this.HelmVersion = { Version: "v3.15.0", GitCommit: "", GitTreeState: "", GoVersion: "" };
  }
}
