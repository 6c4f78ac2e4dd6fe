import type { Command } from "../types.js";
import { getCommand, historyCommand, logsCommand, refreshCommand, resumeCommand, rollbackCommand, suspendCommand, syncDispatchCommand, unpinCommand, waitCommand } from "./apps.js";
import { daemonCommand } from "./daemon.js";
import { deleteCommand } from "./delete.js";
import { diffCommand } from "./diff.js";
import { doctorCommand } from "./doctor.js";
import { lintCommand } from "./lint.js";
import { cordonCommand, drainCommand, uncordonCommand } from "./nodes.js";
import { planCommand } from "./plan.js";
import { syncCommand } from "./sync.js";
import { templateCommand } from "./template.js";
import { versionCommand } from "./version.js";

/** Every command, in the order `capstan --help` lists them. `get` covers apps, app NAME and nodes. */
export const commands: Command[] = [
  daemonCommand,
  getCommand,
  historyCommand,
  syncDispatchCommand(syncCommand),
  rollbackCommand,
  unpinCommand,
  suspendCommand,
  resumeCommand,
  refreshCommand,
  waitCommand,
  logsCommand,
  templateCommand,
  lintCommand,
  diffCommand,
  planCommand,
  deleteCommand,
  cordonCommand,
  uncordonCommand,
  drainCommand,
  doctorCommand,
  versionCommand,
];
