import type { Problem } from "../../errors.js";
import type { ManifestObject, PodSpec } from "../../manifest/index.js";

/**
 * What a chart may ask of the host. Everything here is refused unless the Application allows it,
 * because each one hands a container power over the Docker host itself.
 */
export const ALLOWANCES = ["privileged", "hostNetwork", "hostPID", "hostPath", "dockerSocket", "capabilities"] as const;
export type Allowance = (typeof ALLOWANCES)[number];

/**
 * Until the Application schema has a `spec.policy.allow` list, an application opts in through the
 * annotation `capstan.dev/allow: "hostPath,capabilities"` on the Application.
 */
export const ALLOW_ANNOTATION = "capstan.dev/allow";

export function allowancesOf(annotations: Record<string, string> | undefined): Set<Allowance> {
  const out = new Set<Allowance>();
  for (const part of (annotations?.[ALLOW_ANNOTATION] ?? "").split(",")) {
    const a = part.trim();
    if ((ALLOWANCES as readonly string[]).includes(a)) out.add(a as Allowance);
  }
  return out;
}

const DOCKER_SOCKETS = ["/var/run/docker.sock", "/run/docker.sock", "/var/run/docker", "/run/docker"];

function isDockerSocket(path: string): boolean {
  const p = path.replace(/\/+$/, "");
  return DOCKER_SOCKETS.some((s) => p === s || p.startsWith(`${s}/`)) || /(^|\/)docker\.sock$/.test(p);
}

function podSpecOf(obj: ManifestObject): { spec: PodSpec; path: string } | undefined {
  switch (obj.kind) {
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "Job":
      return { spec: obj.spec.template.spec, path: "spec.template.spec" };
    case "CronJob":
      return { spec: obj.spec.jobTemplate.spec.template.spec, path: "spec.jobTemplate.spec.template.spec" };
    default:
      return undefined;
  }
}

export interface PolicySubject {
  object: ManifestObject;
  /** Repository-relative file the object was rendered from, when known. */
  file?: string;
}

/**
 * Every refusal in one pass, each naming the object, its file (when known) and the field, and
 * saying how to allow it on purpose.
 */
export function checkPolicy(subjects: PolicySubject[], allowed: ReadonlySet<Allowance>): Problem[] {
  const problems: Problem[] = [];
  for (const { object, file } of subjects) {
    const pod = podSpecOf(object);
    if (!pod) continue;
    const who = `${object.kind} ${object.metadata.name}`;
    const refuse = (allowance: Allowance, field: string, what: string) => {
      if (allowed.has(allowance)) return;
      problems.push({
        ...(file ? { file } : {}),
        field: `${pod.path}.${field}`,
        message: `${who}: ${what} is refused by policy (it gives the container control of the Docker host); remove it, or allow it on purpose with the annotation ${ALLOW_ANNOTATION}: "${allowance}" on the Application`,
      });
    };
    const { spec } = pod;
    if (spec.hostNetwork) refuse("hostNetwork", "hostNetwork", "hostNetwork: true (the host's network)");
    if (spec.hostPID) refuse("hostPID", "hostPID", "hostPID: true (the host's processes)");
    (spec.volumes ?? []).forEach((v, i) => {
      if (!v.hostPath) return;
      if (isDockerSocket(v.hostPath.path)) refuse("dockerSocket", `volumes[${i}].hostPath.path`, `mounting the Docker socket (${v.hostPath.path})`);
      else refuse("hostPath", `volumes[${i}].hostPath`, `hostPath volume "${v.name}" (${v.hostPath.path})`);
    });
    const lists = [
      ["initContainers", spec.initContainers ?? []],
      ["containers", spec.containers],
    ] as const;
    for (const [listName, containers] of lists) {
      containers.forEach((c, i) => {
        const at = `${listName}[${i}].securityContext`;
        if (c.securityContext?.privileged) refuse("privileged", `${at}.privileged`, `privileged container "${c.name}"`);
        const add = c.securityContext?.capabilities?.add ?? [];
        if (add.length > 0) refuse("capabilities", `${at}.capabilities.add`, `container "${c.name}" adds capabilities ${add.join(", ")}`);
      });
    }
  }
  return problems;
}
