import type { Command } from "../types.js";
import { doctorCommand } from "./doctor.js";
import { versionCommand } from "./version.js";

/** Every command, in the order `capstan --help` lists them. */
export const commands: Command[] = [doctorCommand, versionCommand];
