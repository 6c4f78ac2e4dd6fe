import { parseArgs } from "node:util";
import { loadConfig } from "../../config/index.js";
import { runDoctor } from "../doctor.js";
import { colorEnabled, formatData, formatTable, paint, parseOutputFormat } from "../printers.js";
import type { Command } from "../types.js";

export const doctorCommand: Command = {
  name: "doctor",
  summary: "Check that each engine answers, git works and the state directory is writable",
  usage: "capstan doctor [-o table|json|yaml]",
  async run(args, { io, global }) {
    const { values } = parseArgs({ args, options: { output: { type: "string", short: "o" } }, strict: true });
    const format = parseOutputFormat(values.output, ["table", "json", "yaml"] as const, "table");
    const checks = await runDoctor({ config: await loadConfig(global.config), stateDir: global.stateDir });
    const failed = checks.some((c) => c.status === "error");
    if (format !== "table") {
      io.stdout(formatData({ ok: !failed, checks }, format));
    } else {
      const color = colorEnabled(io.isTTY, io.env);
      const word = { ok: paint(color, "green", "ok"), warning: paint(color, "yellow", "warning"), error: paint(color, "red", "error") };
      io.stdout(formatTable(checks, [
        { header: "check", value: (c) => c.check },
        { header: "status", value: (c) => word[c.status] },
        { header: "detail", value: (c) => c.detail },
      ]));
      io.stdout(failed ? "Some checks failed.\n" : "Capstan is ready.\n");
    }
    return failed ? 1 : 0;
  },
};
