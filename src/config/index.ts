export { resolveStateDir } from "./paths.js";
export {
  configSchema,
  configuredNodes,
  DEFAULT_NODE,
  loadConfig,
  parseConfig,
  POD_SECURITY_LEVELS,
  type CapstanConfig,
  type CredentialConfig,
  type DaemonConfig,
  type GitConfig,
  type NodeConfig,
  type PodSecurityExceptions,
  type PodSecurityLevel,
  type ProjectConfig,
  type RepositoryConfig,
} from "./config.js";
