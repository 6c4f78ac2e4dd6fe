export { resolveStateDir } from "./paths.js";
export { configSchema, configuredNodes, DEFAULT_NODE, loadConfig, parseConfig, type CapstanConfig, type DaemonConfig, type NodeConfig, type RepositoryConfig } from "./config.js";
