/** Helm's install order by kind; kinds not listed come after, alphabetically. */
export const INSTALL_ORDER: readonly string[] = [
  "PriorityClass",
  "Namespace",
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PodSecurityPolicy",
  "PodDisruptionBudget",
  "ServiceAccount",
  "Secret",
  "SecretList",
  "ConfigMap",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleList",
  "ClusterRoleBinding",
  "ClusterRoleBindingList",
  "Role",
  "RoleList",
  "RoleBinding",
  "RoleBindingList",
  "Service",
  "DaemonSet",
  "Pod",
  "ReplicationController",
  "ReplicaSet",
  "Deployment",
  "HorizontalPodAutoscaler",
  "StatefulSet",
  "Job",
  "CronJob",
  "IngressClass",
  "Ingress",
  "APIService",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
];

const rank = new Map(INSTALL_ORDER.map((k, i) => [k, i]));

/** Stable sort by install order; unknown kinds last, alphabetically by kind, original order otherwise. */
export function sortByInstallOrder<T>(items: readonly T[], kindOf: (t: T) => string): T[] {
  return items
    .map((item, i) => ({ item, i, kind: kindOf(item) }))
    .sort((a, b) => {
      const ra = rank.get(a.kind);
      const rb = rank.get(b.kind);
      if (ra === undefined && rb === undefined) {
        if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
        return a.i - b.i;
      }
      if (ra === undefined) return 1;
      if (rb === undefined) return -1;
      return ra - rb || a.i - b.i;
    })
    .map((x) => x.item);
}

/**
 * Splits rendered output into YAML documents as Helm does (on `---` lines), trimming each and
 * dropping empty ones. Each piece keeps the 1-based line where it starts in the rendered output.
 */
export function splitDocuments(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const sep = /(?:^|\s*\n)---\s*/g;
  let last = 0;
  const push = (start: number, end: number): void => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const piece = raw.trim();
    if (piece === "") return;
    const line = countLines(text, start + lead);
    out.push({ text: piece, line });
  };
  for (let m = sep.exec(text); m !== null; m = sep.exec(text)) {
    push(last, m.index);
    last = m.index + m[0].length;
  }
  push(last, text.length);
  return out;
}

function countLines(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
