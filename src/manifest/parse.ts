import type { ZodIssue } from "zod";
import { cronJobScheduleProblem } from "./cron.js";
import type { Problem } from "../errors.js";
import { applyDefaults } from "./defaults.js";
import {
  checkDns1035Label,
  checkDns1123Label,
  checkDns1123Subdomain,
  checkLabelKey,
  checkLabelValue,
  checkPortName,
} from "./names.js";
import { IGNORED_POD_FIELDS, KIND_SCHEMAS, SUPPORTED_KINDS } from "./schemas.js";
import type { LabelSelector, ManifestObject, PodTemplate, SupportedKind } from "./schemas.js";
import { readBlockYaml } from "./fast-yaml.js";
import { parseYamlWithPositions } from "./yaml.js";
import type { PositionedYaml } from "./yaml.js";

/** One rendered YAML document to validate. */
export interface ManifestInput {
  /** Where it came from, e.g. `web/templates/deployment.yaml`. */
  source: string;
  text: string;
  /** Repository-relative file for messages; `source` when absent. */
  file?: string;
  /** 1-based line where the document starts in that file's output. */
  line?: number;
  /** Index of the document within its file. */
  index?: number;
  /** The document already parsed, to skip parsing it again. */
  object?: unknown;
}

export interface ParseManifestsOptions {
  /** Namespace for objects that name none (the release's). */
  defaultNamespace: string;
}

/** Like Result, plus warnings (fields accepted but without effect on Docker). */
export type ManifestsResult = ({ ok: true; value: ManifestObject[] } | { ok: false; errors: Problem[] }) & {
  warnings: Problem[];
};

/** The stable identity of an object: `namespace/Kind/name`. */
export function manifestKey(obj: { kind: string; metadata: { name: string; namespace?: string } }, defaultNamespace = "default"): string {
  return `${obj.metadata.namespace || defaultNamespace}/${obj.kind}/${obj.metadata.name}`;
}

type Path = (string | number)[];

export function formatFieldPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? p : `.${p}`;
  return out;
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  integer: "an integer",
  boolean: "a boolean (true or false)",
  object: "a map",
  array: "a list",
  null: "null",
};

function issueMessages(issue: ZodIssue): { path: Path; message: string; key?: boolean }[] {
  const path = issue.path;
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((k) => ({
        path: [...path, k],
        key: true,
        message:
          k === "grpc"
            ? "grpc probes are not supported; use httpGet, tcpSocket or exec"
            : `unsupported field "${k}": Capstan does not run it; remove it (supported fields are listed in the docs)`,
      }));
    case "invalid_type":
      if (issue.received === "undefined") return [{ path, message: "is required" }];
      return [{ path, message: `must be ${TYPE_NAMES[issue.expected] ?? issue.expected} (found ${TYPE_NAMES[issue.received] ?? issue.received})` }];
    case "invalid_enum_value":
      return [{ path, message: `must be one of ${issue.options.join(", ")} (found ${JSON.stringify(issue.received)})` }];
    case "invalid_union":
      return [{ path, message: "must be an integer or a string" }];
    case "too_small":
      if (issue.type === "array") return [{ path, message: issue.message.startsWith("Array") ? "may not be empty" : issue.message }];
      return [{ path, message: `must be at least ${String(issue.minimum)}` }];
    case "too_big":
      return [{ path, message: `must be at most ${String(issue.maximum)}` }];
    default:
      return [{ path, message: issue.message }];
  }
}

/** Checks that are not about shape: names, labels, references, selectors. */
function semanticChecks(obj: ManifestObject, add: (path: Path, message: string) => void): void {
  const name = obj.metadata.name;
  const nameError =
    obj.kind === "Service"
      ? checkDns1035Label(name)
      : obj.kind === "CronJob"
        ? checkDns1123Subdomain(name, 52)
        : checkDns1123Subdomain(name);
  if (nameError) add(["metadata", "name"], nameError);
  if (obj.metadata.namespace) {
    const e = checkDns1123Label(obj.metadata.namespace);
    if (e) add(["metadata", "namespace"], e);
  }
  checkLabels(obj.metadata.labels, ["metadata", "labels"], add);

  const withTemplate = (template: PodTemplate, base: Path, claimNames: string[] = []): void => {
    checkLabels(template.metadata?.labels, [...base, "metadata", "labels"], add);
    const spec = template.spec;
    const volumes = new Set<string>(claimNames);
    spec.volumes?.forEach((v, i) => {
      const e = checkDns1123Label(v.name);
      if (e) add([...base, "spec", "volumes", i, "name"], e);
      if (volumes.has(v.name)) add([...base, "spec", "volumes", i, "name"], `volume "${v.name}" is defined twice`);
      volumes.add(v.name);
      const sources = ["configMap", "secret", "persistentVolumeClaim", "emptyDir", "hostPath"].filter(
        (s) => (v as Record<string, unknown>)[s] !== undefined,
      );
      if (sources.length !== 1) {
        add([...base, "spec", "volumes", i], `volume "${v.name}" needs exactly one source (configMap, secret, persistentVolumeClaim, emptyDir or hostPath)`);
      }
    });
    const names = new Set<string>();
    const containers = (list: typeof spec.containers | undefined, field: string): void =>
      list?.forEach((c, i) => {
        const at: Path = [...base, "spec", field, i];
        const e = checkDns1123Label(c.name);
        if (e) add([...at, "name"], e);
        if (names.has(c.name)) add([...at, "name"], `container name "${c.name}" is used twice`);
        names.add(c.name);
        if (c.image.trim() === "") add([...at, "image"], "is required");
        c.ports?.forEach((p, j) => {
          if (p.name !== undefined) {
            const pe = checkPortName(p.name);
            if (pe) add([...at, "ports", j, "name"], pe);
          }
        });
        c.volumeMounts?.forEach((m, j) => {
          if (!volumes.has(m.name)) {
            add([...at, "volumeMounts", j, "name"], `mounts volume "${m.name}" which is not defined in ${formatFieldPath([...base, "spec", "volumes"])}`);
          }
        });
        for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"] as const) {
          const p = c[probe];
          if (!p) continue;
          const handlers = [p.httpGet, p.tcpSocket, p.exec].filter((h) => h !== undefined).length;
          if (handlers !== 1) add([...at, probe], "needs exactly one of httpGet, tcpSocket or exec");
        }
      });
    containers(spec.initContainers, "initContainers");
    containers(spec.containers, "containers");
  };

  const checkSelector = (selector: LabelSelector, template: PodTemplate): void => {
    const hasRules = Object.keys(selector.matchLabels ?? {}).length > 0 || (selector.matchExpressions?.length ?? 0) > 0;
    if (!hasRules) {
      add(["spec", "selector"], "may not be empty; select the pod template's labels with matchLabels");
      return;
    }
    if (!selectorMatches(selector, template.metadata?.labels ?? {})) {
      add(["spec", "template", "metadata", "labels"], "do not match spec.selector: the pod template's labels must satisfy the selector");
    }
  };

  switch (obj.kind) {
    case "Deployment":
    case "DaemonSet":
      withTemplate(obj.spec.template, ["spec", "template"]);
      checkSelector(obj.spec.selector, obj.spec.template);
      if (obj.spec.template.spec.restartPolicy && obj.spec.template.spec.restartPolicy !== "Always") {
        add(["spec", "template", "spec", "restartPolicy"], `must be Always for a ${obj.kind}`);
      }
      break;
    case "StatefulSet": {
      const claims = (obj.spec.volumeClaimTemplates ?? []).map((v) => v.metadata.name);
      withTemplate(obj.spec.template, ["spec", "template"], claims);
      checkSelector(obj.spec.selector, obj.spec.template);
      break;
    }
    case "Job":
      withTemplate(obj.spec.template, ["spec", "template"]);
      checkJobRestart(obj.spec.template, ["spec", "template", "spec", "restartPolicy"], add);
      break;
    case "CronJob": {
      withTemplate(obj.spec.jobTemplate.spec.template, ["spec", "jobTemplate", "spec", "template"]);
      checkJobRestart(obj.spec.jobTemplate.spec.template, ["spec", "jobTemplate", "spec", "template", "spec", "restartPolicy"], add);
      const e = cronJobScheduleProblem(obj.spec.schedule);
      if (e) add(["spec", "schedule"], e);
      break;
    }
    case "Service":
      obj.spec.ports?.forEach((p, i) => {
        if (p.name !== undefined) {
          const e = checkDns1123Label(p.name);
          if (e) add(["spec", "ports", i, "name"], e);
        }
        if (typeof p.targetPort === "string") {
          const e = checkPortName(p.targetPort);
          if (e) add(["spec", "ports", i, "targetPort"], e);
        }
      });
      if ((obj.spec.ports?.length ?? 0) > 1 && obj.spec.ports?.some((p) => p.name === undefined)) {
        add(["spec", "ports"], "each port needs a name when a Service has more than one");
      }
      break;
    case "Secret":
      for (const [k, v] of Object.entries(obj.data ?? {})) {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v.replace(/\s/g, "")) || v.replace(/\s/g, "").length % 4 !== 0) {
          add(["data", k], "is not base64; put plain text under stringData instead");
        }
      }
      break;
    default:
      break;
  }
}

function checkJobRestart(template: PodTemplate, path: Path, add: (path: Path, message: string) => void): void {
  const rp = template.spec.restartPolicy;
  if (rp === undefined) add(path, "is required for a Job: set OnFailure or Never");
  else if (rp === "Always") add(path, "must be OnFailure or Never for a Job (found Always)");
}

function checkLabels(labels: Record<string, string> | undefined, path: Path, add: (path: Path, message: string) => void): void {
  for (const [k, v] of Object.entries(labels ?? {})) {
    const ke = checkLabelKey(k);
    if (ke) add([...path, k], ke);
    const ve = checkLabelValue(v);
    if (ve) add([...path, k], ve);
  }
}

/** True when `labels` satisfy the selector's matchLabels and matchExpressions. */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const v = labels[e.key];
    switch (e.operator) {
      case "In":
        if (!has || !(e.values ?? []).includes(v as string)) return false;
        break;
      case "NotIn":
        if (has && (e.values ?? []).includes(v as string)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
    }
  }
  return true;
}

/** Documents that validated before, by namespace, place and text: the same input validates the same way. */
const VALID_CACHE_SIZE = 4096;
const validCache = new Map<string, { object: ManifestObject; warnings: Problem[] }>();

/**
 * Validates rendered documents into typed objects with Kubernetes defaults applied.
 * Every problem of every document is reported at once, each with file, line and field.
 */
export function parseManifests(docs: readonly ManifestInput[], options: ParseManifestsOptions): ManifestsResult {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const objects: ManifestObject[] = [];
  const seen = new Map<string, string>();

  const accept = (obj: ManifestObject, file: string, nameLine: () => { line?: number; column?: number }): void => {
    const key = manifestKey(obj, options.defaultNamespace);
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({
        file,
        ...nameLine(),
        field: "metadata.name",
        message: `duplicate object ${key} (also defined in ${first}); names must be unique per kind and namespace`,
      });
      return;
    }
    seen.set(key, file);
    objects.push(obj);
  };

  docs.forEach((doc, docIndex) => {
    const file = doc.file ?? doc.source;
    const startLine = doc.line ?? 1;
    const cacheKey = `${options.defaultNamespace}\u0000${file}\u0000${startLine}\u0000${doc.text}`;
    const cached = validCache.get(cacheKey);
    if (cached) {
      warnings.push(...cached.warnings);
      accept(structuredClone(cached.object), file, () => {
        const r = parseYamlWithPositions(doc.text, file, startLine - 1);
        const pos = r.ok ? r.value.position(["metadata", "name"]) : undefined;
        return pos ? { line: pos.line, column: pos.column } : { line: startLine };
      });
      return;
    }
    let positioned: PositionedYaml | undefined;
    const where = (path: Path, key = false): { line?: number; column?: number } => {
      if (!positioned) {
        const r = parseYamlWithPositions(doc.text, file, startLine - 1);
        if (r.ok) positioned = r.value;
      }
      const pos = positioned?.position(path, key);
      return pos ? { line: pos.line, column: pos.column } : { line: startLine };
    };
    const problem = (list: Problem[], path: Path, message: string, key = false, severity?: "warning"): void => {
      const p: Problem = { file, ...where(path, key), message };
      if (path.length > 0) p.field = formatFieldPath(path);
      if (severity) p.severity = severity;
      list.push(p);
    };

    const warningsBefore = warnings.length;
    let raw = doc.object;
    if (raw === undefined) raw = readBlockYaml(doc.text)?.value;
    if (raw === undefined) {
      const r = parseYamlWithPositions(doc.text, file, startLine - 1);
      if (!r.ok) {
        errors.push(...r.errors);
        return;
      }
      positioned = r.value;
      raw = r.value.value;
    }
    if (raw === null || raw === undefined) return;
    if (typeof raw !== "object" || Array.isArray(raw)) {
      problem(errors, [], `document ${doc.index ?? docIndex} is not a Kubernetes object (a map with apiVersion, kind and metadata)`);
      return;
    }
    const record = raw as Record<string, unknown>;
    const kind = record["kind"];
    const supported = `supported kinds: ${SUPPORTED_KINDS.join(", ")}`;
    if (typeof kind !== "string" || kind === "") {
      problem(errors, ["kind"], `is required (${supported})`);
      return;
    }
    if (!(kind in KIND_SCHEMAS)) {
      problem(errors, ["kind"], `kind "${kind}" is not supported by Capstan (${supported})`);
      return;
    }
    const entry = KIND_SCHEMAS[kind as SupportedKind];
    if (record["apiVersion"] !== entry.apiVersion) {
      problem(errors, ["apiVersion"], `${kind} must use apiVersion ${entry.apiVersion} (found ${JSON.stringify(record["apiVersion"] ?? null)})`);
      return;
    }
    const result = entry.schema.safeParse(raw);
    if (!result.success) {
      const found: Problem[] = [];
      for (const issue of result.error.issues) {
        for (const m of issueMessages(issue)) problem(found, m.path, m.message, m.key);
      }
      errors.push(...found.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)));
      return;
    }
    const obj = result.data as ManifestObject;
    let bad = false;
    semanticChecks(obj, (path, message) => {
      bad = true;
      problem(errors, path, message);
    });
    const pod =
      obj.kind === "CronJob"
        ? { t: obj.spec.jobTemplate.spec.template, path: ["spec", "jobTemplate", "spec", "template", "spec"] }
        : "spec" in obj && obj.spec && "template" in obj.spec
          ? { t: obj.spec.template as PodTemplate, path: ["spec", "template", "spec"] }
          : undefined;
    if (pod) {
      for (const f of IGNORED_POD_FIELDS) {
        if ((pod.t.spec as Record<string, unknown>)[f] !== undefined) {
          problem(warnings, [...pod.path, f], "has no effect on Docker and is ignored", true, "warning");
        }
      }
    }
    if (bad) return;
    applyDefaults(obj, options.defaultNamespace);
    const docWarnings = warnings.slice(warningsBefore);
    validCache.set(cacheKey, { object: structuredClone(obj), warnings: docWarnings });
    if (validCache.size > VALID_CACHE_SIZE) validCache.delete(validCache.keys().next().value as string);
    accept(obj, file, () => where(["metadata", "name"]));
  });
  return errors.length > 0 ? { ok: false, errors, warnings } : { ok: true, value: objects, warnings };
}

