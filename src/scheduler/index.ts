export type * from "./types.js";
export { DEFAULT_WEIGHTS, SCORE_NAMES } from "./types.js";
export { Scheduler, schedulePod, isUnschedulable, numFeasibleNodesToFind } from "./schedule.js";
export { SchedulerCache, HOSTNAME_LABEL, normalizeImage } from "./cache.js";
export { unschedulableMessage, NO_NODES_MESSAGE } from "./reasons.js";
export { allocatable, cpuMillis, memoryBytes, podRequests, podHostPorts, podToSchedule, schedulingNode, DEFAULT_RESERVE } from "./snapshot.js";
export { NOT_READY_TAINTS, toleratesTaint } from "./filters/taint-toleration.js";
export { UNSCHEDULABLE_TAINT } from "./filters/node-unschedulable.js";
