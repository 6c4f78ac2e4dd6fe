/** Runs the CLI with the daemon's commands registered (until src/cli/commands/index.ts lists them). */
import { appCommands } from "../../../src/cli/commands/apps.js";
import { daemonCommand } from "../../../src/cli/commands/daemon.js";
import { commands } from "../../../src/cli/commands/index.js";
import { main, processIO } from "../../../src/cli/main.js";

const all = [...commands.filter((c) => c.name !== daemonCommand.name && !appCommands.some((a) => a.name === c.name)), daemonCommand, ...appCommands];
process.exitCode = await main(process.argv.slice(2), processIO(), all);
