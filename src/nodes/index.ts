export { NodeRegistry, defaultRuntimeFor, type NodeCapacity, type NodeRegistryOptions } from "./registry.js";
export { NodeHealthMonitor, type NodeEvent, type NodeEventReason, type NodeHealth, type NodeHealthOptions, type PingTarget } from "./health.js";
export { nodesFile, readStoredNodes, writeStoredNodes, type StoredNode, type StoredNodes } from "./state.js";
export { createPlacer, intentToSchedule, placedPod, REASON_VOLUME_NODE_CONFLICT, type NodePlacer, type PlacerOptions } from "./placer.js";
export { containerPods, nodeUsage, NO_USAGE, type NodeUsage } from "./usage.js";
