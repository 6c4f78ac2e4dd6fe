export type * from "./types.js";
export { DockerPodManager, createPodManager, type PodManagerOptions } from "./manager.js";
export {
  materializePod,
  specDigest,
  expandVars,
  PodConfigError,
  POD_LABEL,
  containerName,
  networkName,
  claimVolumeName,
  emptyDirVolumeName,
  type MaterializedPod,
  type MaterializeOptions,
  type PodFile,
  type PodVolume,
  type PodProbes,
  type PodConfigReason,
} from "./materialize.js";
export { DEFAULT_RESTART_BACKOFF, NO_BACKOFF, backoffDelay, recordFailure, waitLeft, type BackoffPolicy, type BackoffState } from "./backoff.js";
export {
  PROBE_DEFAULTS,
  ProbeWorker,
  initialProbeState,
  observeProbe,
  probeSettings,
  runProbe,
  type ProbeExecutor,
  type ProbeKind,
  type ProbeOutcome,
  type ProbeState,
  type ProbeTarget,
} from "./probes.js";
export { livePodFromContainer, type LivePod } from "./live.js";
export { containerDrift, describeDrift, formatCpu, formatMemory, type DriftOptions } from "./drift.js";
export { foreignContainer, strayContainer, type ForeignContainer, type StrayContainer, type StrayFinding } from "./strays.js";
export { podHealth } from "./health.js";
export { writePodFiles, removePodFiles } from "./config-files.js";
