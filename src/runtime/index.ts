export type * from "./types.js";
export { DockerRuntime, type DockerRuntimeOptions } from "./docker.js";
export { FakeRuntime, type FakeRuntimeOptions } from "./fake.js";
export { LABEL, MANAGED_BY_VALUE, matchesSelector } from "./labels.js";
export { dockerOptions, type EngineAddress } from "./address.js";
