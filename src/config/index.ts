export { resolveStateDir } from "./paths.js";
export { configSchema, configuredNodes, DEFAULT_NODE, loadConfig, parseConfig, type CapstanConfig, type NodeConfig } from "./config.js";
