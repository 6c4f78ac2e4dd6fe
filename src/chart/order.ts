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
 *
 * Helm splits on the RE2 pattern `(?:^|\s*\n)---\s*`. The same pattern in JavaScript retries
 * `\s*` from every blank of a long run (minutes for a few megabytes of blanks), so the matches
 * are found by hand, in one pass: a separator is `---` at the start of the text or right after a
 * newline not taken by the previous separator; it takes the blanks before that newline and after
 * the dashes.
 */
export function splitDocuments(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  // Line numbers are counted forward once, as pieces start further on.
  let counted = 0;
  let line = 1;
  const lineAt = (offset: number): number => {
    for (; counted < offset; counted++) if (text.charCodeAt(counted) === 10) line++;
    return line;
  };
  const push = (start: number, end: number): void => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const piece = raw.trim();
    if (piece === "") return;
    out.push({ text: piece, line: lineAt(start + lead) });
  };
  let last = 0;
  let from = 0;
  for (;;) {
    const dashes = text.indexOf("---", from);
    if (dashes === -1) break;
    if (!(dashes === 0 || (text.charCodeAt(dashes - 1) === 10 && dashes - 1 >= last))) {
      from = dashes + 1;
      continue;
    }
    let start = dashes;
    if (dashes > 0) {
      start = dashes - 1;
      while (start > last && isSpace(text.charCodeAt(start - 1))) start--;
    }
    let end = dashes + 3;
    while (end < text.length && isSpace(text.charCodeAt(end))) end++;
    push(last, start);
    last = end;
    from = end;
  }
  push(last, text.length);
  return out;
}

/** JavaScript's `\s`: what the pattern this replaces (and String.prototype.trim) count as blank. */
function isSpace(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    c === 32 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
