import type { Command } from "../types.js";
import { deleteCommand } from "./delete.js";
import { diffCommand } from "./diff.js";
import { doctorCommand } from "./doctor.js";
import { lintCommand } from "./lint.js";
import { cordonCommand, drainCommand, getNodesCommand, uncordonCommand } from "./nodes.js";
import { planCommand } from "./plan.js";
import { syncCommand } from "./sync.js";
import { templateCommand } from "./template.js";
import { versionCommand } from "./version.js";

/** Every command, in the order `capstan --help` lists them. */
export const commands: Command[] = [
  templateCommand,
  lintCommand,
  diffCommand,
  planCommand,
  syncCommand,
  deleteCommand,
  getNodesCommand,
  cordonCommand,
  uncordonCommand,
  drainCommand,
  doctorCommand,
  versionCommand,
];
