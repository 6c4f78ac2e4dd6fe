import { parseArgs } from "node:util";
import { configuredNodes } from "../../config/index.js";
import { deleteApplication } from "../../controllers/apply/index.js";
import { DockerRuntime } from "../../runtime/docker.js";
import type { DeleteResult } from "../../server/index.js";
import { callDaemon, findDaemon } from "../client.js";
import { CapstanError } from "../../errors.js";
import { installationLabels } from "../../state/index.js";
import type { Command } from "../types.js";
import { commandEnv, reportError } from "./plan.js";

const USAGE = "capstan delete --app NAME [--volumes]";

export interface DeleteArgs {
  app: string;
  volumes: boolean;
}

export function parseDeleteArgs(args: string[]): DeleteArgs {
  const { values, positionals } = parseArgs({
    args,
    options: { app: { type: "string" }, volumes: { type: "boolean" } },
    strict: true,
    allowPositionals: true,
  });
  const app = values.app ?? positionals[0];
  if (positionals.length > (values.app ? 0 : 1)) throw new CapstanError("USAGE", `unexpected argument "${positionals.at(-1) ?? ""}" (usage: ${USAGE})`);
  if (!app) throw new CapstanError("USAGE", `name the application with --app NAME (usage: ${USAGE})`);
  return { app, volumes: values.volumes ?? false };
}

export const deleteCommand: Command = {
  name: "delete",
  summary: "Remove every container, network, generated file (and with --volumes, named volume) Capstan made for an application",
  usage: USAGE,
  async run(args, { io, global }) {
    let parsed: DeleteArgs;
    try {
      parsed = parseDeleteArgs(args);
    } catch (err) {
      io.stderr(`error: ${(err as Error).message}\n`);
      return 2;
    }
    try {
      let report: DeleteResult;
      const daemon = findDaemon(global.stateDir);
      if (daemon) {
        // The daemon removes it on every node and stops syncing it; done here, the daemon would make it again.
        report = await callDaemon<DeleteResult>(daemon, "POST", `/apps/${encodeURIComponent(parsed.app)}/delete`, { volumes: parsed.volumes });
      } else {
        const env = await commandEnv(io, global);
        // Only what this state directory's installation made: another's application of the same name stays.
        const labels = installationLabels(env.stateDir);
        const runtimes = configuredNodes(env.config).map((n) => new DockerRuntime({ node: n.name, address: n.address, tlsCertPath: n.tlsCertPath, env: io.env }));
        report = await deleteApplication(parsed.app, { runtime: env.runtime, runtimes, store: env.store, stateDir: env.stateDir, volumes: parsed.volumes, labels });
      }
      for (const c of report.containers) io.stdout(`container ${c} removed\n`);
      for (const n of report.networks) io.stdout(`network ${n} removed\n`);
      for (const v of report.volumes) io.stdout(`volume ${v} removed\n`);
      for (const v of report.keptVolumes) io.stdout(`volume ${v} kept (pass --volumes to remove named volumes)\n`);
      if (report.containers.length + report.networks.length + report.volumes.length === 0) io.stdout(`${parsed.app}: nothing to remove\n`);
      return 0;
    } catch (err) {
      return reportError(io, err);
    }
  },
};
