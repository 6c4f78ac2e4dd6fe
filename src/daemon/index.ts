export { Daemon, startDaemon, type DaemonOptions, type RunningDaemon } from "./daemon.js";
export { DaemonViewImpl } from "./view.js";
export { revisionManifests } from "./manifests.js";
