import type { Command } from "../types.js";
import { diffCommand } from "./diff.js";
import { doctorCommand } from "./doctor.js";
import { lintCommand } from "./lint.js";
import { templateCommand } from "./template.js";
import { versionCommand } from "./version.js";

/** Every command, in the order `capstan --help` lists them. */
export const commands: Command[] = [templateCommand, lintCommand, diffCommand, doctorCommand, versionCommand];
