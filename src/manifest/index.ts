export { parseManifests, manifestKey, selectorMatches, formatFieldPath } from "./parse.js";
export { cronJobScheduleProblem } from "./cron.js";
export type { ManifestInput, ManifestsResult, ParseManifestsOptions } from "./parse.js";
export { applyDefaults, normalize, defaultPullPolicy } from "./defaults.js";
export { parseQuantity, formatQuantity, canonicalQuantity, quantityValue } from "./quantity.js";
export type { Quantity, QuantityFormat } from "./quantity.js";
export { SUPPORTED_KINDS, KIND_SCHEMAS, IGNORED_POD_FIELDS, subPathProblem } from "./schemas.js";
export type {
  ConfigMap,
  Container,
  CronJob,
  DaemonSet,
  Deployment,
  Job,
  LabelSelector,
  ManifestObject,
  ObjectMeta,
  PersistentVolumeClaim,
  PodSpec,
  PodTemplate,
  Probe,
  Secret,
  Service,
  StatefulSet,
  SupportedKind,
  Volume,
} from "./schemas.js";
export { parseYamlWithPositions } from "./yaml.js";
export type { PositionedYaml } from "./yaml.js";
export { HELM_YAML_OPTIONS } from "./yaml.js";
export { parseYamlFast, readBlockYaml } from "./fast-yaml.js";
