/** Labels on every container Capstan makes: live state is rebuilt from them at start-up. */
export const LABEL = {
  managedBy: "capstan.dev/managed-by",
  application: "capstan.dev/application",
  namespace: "capstan.dev/namespace",
  ownerKind: "capstan.dev/owner-kind",
  ownerName: "capstan.dev/owner-name",
  revision: "capstan.dev/revision",
  commit: "capstan.dev/commit",
  pod: "capstan.dev/pod",
  specDigest: "capstan.dev/spec-digest",
  /** The state directory's installation id (see state/installation.ts). */
  installation: "capstan.dev/installation",
} as const;

export const MANAGED_BY_VALUE = "capstan";

export function matchesSelector(labels: Record<string, string>, selector: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector)) {
    if (labels[k] !== v) return false;
  }
  return true;
}
