import { parseArgs } from "node:util";
import { VERSION } from "../../version.js";
import { formatData, parseOutputFormat } from "../printers.js";
import type { Command } from "../types.js";

export const versionCommand: Command = {
  name: "version",
  summary: "Print Capstan's version",
  usage: "capstan version [-o text|json|yaml]",
  async run(args, { io }) {
    const { values } = parseArgs({ args, options: { output: { type: "string", short: "o" } }, strict: true });
    const format = parseOutputFormat(values.output, ["text", "json", "yaml"] as const, "text");
    const data = { version: VERSION, node: process.version, platform: `${process.platform}/${process.arch}` };
    io.stdout(format === "text" ? `capstan ${VERSION} (node ${process.version.slice(1)}, ${data.platform})\n` : formatData(data, format));
    return 0;
  },
};
