/** Takes the daemon lock of a state directory and holds it until killed (for the lock tests). */
import { writeSync } from "node:fs";
import { acquireDaemonLock } from "../../../src/state/lock.js";

const stateDir = process.argv[2];
if (!stateDir) throw new Error("usage: lock-holder STATE_DIR");
acquireDaemonLock(stateDir, { apiAddress: "127.0.0.1:7171" });
writeSync(1, "locked\n");
setInterval(() => undefined, 60_000);
