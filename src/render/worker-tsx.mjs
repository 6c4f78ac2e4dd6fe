// The render worker's entry when Capstan runs from its TypeScript sources (bin/capstan.js without
// dist/, vitest): a worker thread does not inherit the loader hooks that run .ts files, so this
// registers tsx in the thread, then loads worker.ts. Built code (dist/) starts worker.js directly.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
