/**
 * The pod inside any workload, read loosely: rules look at the raw object as plain records, so
 * they keep working on fields the typed manifest schema does not (yet) carry, and on kinds such as
 * Pod and ReplicaSet whatever the schema accepts.
 */

export type Fields = Readonly<Record<string, unknown>>;

export function fieldsOf(v: unknown): Fields | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Fields) : undefined;
}

export function listOf(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A field that is forbidden unless absent or false: anything else (true, "true", 1) counts as set. */
export function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false;
}

/** A value for a message: strings as they are, anything else as JSON. */
export function shown(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v) ?? String(v);
}

export interface ContainerView {
  name: string;
  /** Field path of the container, such as `spec.template.spec.containers[0]`. */
  path: string;
  fields: Fields;
  securityContext: Fields | undefined;
}

export interface PodView {
  /** `Deployment web`, for messages. */
  who: string;
  /** Field path of the pod's metadata (`spec.template.metadata`, or `metadata` for a Pod). */
  metadataPath: string;
  annotations: Fields;
  /** Field path of the pod spec (`spec.template.spec`, or `spec` for a Pod). */
  specPath: string;
  spec: Fields;
  securityContext: Fields | undefined;
  /** Init containers, containers and ephemeral containers, in that order (as pod-security-admission visits them). */
  containers: ContainerView[];
}

const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"] as const;

/** Where each kind keeps its pod template, as field names from the object's root. */
const TEMPLATE_AT: Readonly<Record<string, readonly string[]>> = {
  Deployment: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  Job: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
  Pod: [],
};

/** The pod an object runs, or undefined for kinds that run none. */
export function podOf(object: unknown): PodView | undefined {
  const obj = fieldsOf(object);
  const kind = typeof obj?.["kind"] === "string" ? obj["kind"] : undefined;
  if (!obj || kind === undefined) return undefined;
  const at = TEMPLATE_AT[kind];
  if (!at) return undefined;
  let template: Fields | undefined = obj;
  for (const key of at) template = fieldsOf(template?.[key]);
  const spec = fieldsOf(template?.["spec"]);
  if (!template || !spec) return undefined;
  const prefix = at.join(".");
  const path = (field: string) => (prefix ? `${prefix}.${field}` : field);
  const name = fieldsOf(obj["metadata"])?.["name"];
  const specPath = path("spec");
  const containers: ContainerView[] = [];
  for (const list of CONTAINER_LISTS) {
    listOf(spec[list]).forEach((c, i) => {
      const fields = fieldsOf(c) ?? {};
      containers.push({
        name: typeof fields["name"] === "string" ? fields["name"] : `${list}[${i}]`,
        path: `${specPath}.${list}[${i}]`,
        fields,
        securityContext: fieldsOf(fields["securityContext"]),
      });
    });
  }
  return {
    who: `${kind} ${typeof name === "string" ? name : "(unnamed)"}`,
    metadataPath: path("metadata"),
    annotations: fieldsOf(fieldsOf(template["metadata"])?.["annotations"]) ?? {},
    specPath,
    spec,
    securityContext: fieldsOf(spec["securityContext"]),
    containers,
  };
}

