/** Capstan's library surface. */
export * from "./errors.js";
export * from "./runtime/index.js";
export * from "./config/index.js";
export { main as runCli } from "./cli/main.js";
export { runDoctor, type DoctorCheck } from "./cli/doctor.js";
