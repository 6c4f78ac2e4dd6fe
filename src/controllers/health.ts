export * from "../health/status.js";
