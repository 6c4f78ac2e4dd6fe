import type { PodSecurityExceptions, PodSecurityLevel } from "../../config/index.js";
import type { ManifestObject } from "../../manifest/index.js";
import type { PodView } from "./pod.js";

export type { PodSecurityExceptions, PodSecurityLevel };

/** The level a project runs at and what the operator grants beyond it (from the config file only). */
export interface PodSecurityPolicy {
  level: PodSecurityLevel;
  exceptions: PodSecurityExceptions;
}

export interface PodSecuritySubject {
  object: ManifestObject;
  /** Repository-relative file the object was rendered from, when known. */
  file?: string;
}

/** One field a rule refuses. */
export interface Violation {
  /** Full field path from the object's root, such as `spec.template.spec.hostIPC`. */
  field: string;
  /** Short name of the rule, as pod-security-admission words it (`host namespaces`). */
  reason: string;
  /** What exactly is refused (`hostIPC=true`). */
  detail: string;
  /** How to make it pass: change the manifest, or which exception the operator may grant. */
  fix: string;
}

/** One rule of the Pod Security Standards: a pure function of one pod. */
export interface PodSecurityCheck {
  /** pod-security-admission's check id, so rules can be looked up against upstream. */
  id: string;
  /** The lowest level that enforces it; higher levels include it. */
  level: PodSecurityLevel;
  /** Checks this one replaces when both apply (a stricter form of the same rule). */
  overrides?: readonly string[];
  check(pod: PodView, exceptions: PodSecurityExceptions): Violation[];
}
