import { execFile } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { configuredNodes, type CapstanConfig, type NodeConfig } from "../config/index.js";
import { DockerRuntime } from "../runtime/docker.js";
import { LABEL, MANAGED_BY_VALUE } from "../runtime/labels.js";
import type { ContainerRuntime, ContainerSummary } from "../runtime/types.js";
import { readInstallationId } from "../state/index.js";

export interface DoctorCheck {
  check: string;
  status: "ok" | "warning" | "error";
  detail: string;
}

export interface DoctorOptions {
  config: CapstanConfig;
  stateDir: string;
  runtimeFor?: (node: NodeConfig) => ContainerRuntime;
  gitVersion?: () => Promise<string>;
}

const DEMO_IMAGES = ["capstan-demo/web:v1", "capstan-demo/web:v2", "capstan-demo/worker:latest"];

async function defaultGitVersion(): Promise<string> {
  const { stdout } = await promisify(execFile)("git", ["--version"], { timeout: 5_000 });
  return stdout.trim();
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/**
 * Capstan's containers on an engine by installation: this state directory's, other state
 * directories', and those made before installation ids (no label), which no daemon adopts.
 */
function containersCheck(node: string, containers: ContainerSummary[], mine: string | undefined): DoctorCheck {
  const check = `containers ${node}`;
  const ours = containers.filter((c) => mine !== undefined && c.labels[LABEL.installation] === mine).length;
  const unlabelled = containers.filter((c) => !c.labels[LABEL.installation]);
  const others = containers.length - ours - unlabelled.length;
  const counts = `${ours} of this state directory, ${others} of other state directories`;
  if (unlabelled.length === 0) return { check, status: "ok", detail: counts };
  const names = unlabelled.map((c) => c.name).sort();
  const shown = names.length > 5 ? `${names.slice(0, 5).join(" ")} …` : names.join(" ");
  return {
    check,
    status: "warning",
    detail: `${counts}; ${unlabelled.length} made by an earlier Capstan without the ${LABEL.installation} label, which no daemon adopts: remove them with docker rm -f ${shown}`,
  };
}

/** Checks what Capstan needs: each configured engine, git, and a writable state directory. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorCheck[]> {
  const runtimeFor = options.runtimeFor ?? ((n: NodeConfig) => new DockerRuntime({ node: n.name, address: n.address, tlsCertPath: n.tlsCertPath, requestTimeoutMs: 5_000 }));
  const checks: DoctorCheck[] = [];
  for (const node of configuredNodes(options.config)) {
    const rt = runtimeFor(node);
    try {
      const info = await rt.info();
      checks.push({
        check: `engine ${node.name}`,
        status: "ok",
        detail: `Docker ${info.engineVersion}, ${info.cpus} CPUs, ${gib(info.memoryBytes)} memory (${node.address ?? "DOCKER_HOST or the default socket"})`,
      });
      const missing: string[] = [];
      for (const image of DEMO_IMAGES) if (!(await rt.imagePresent(image))) missing.push(image);
      checks.push(
        missing.length === 0
          ? { check: `demo images ${node.name}`, status: "ok", detail: "capstan-demo images present" }
          : { check: `demo images ${node.name}`, status: "warning", detail: `missing ${missing.join(", ")} (run scripts/build-images.sh)` },
      );
      checks.push(containersCheck(node.name, await rt.list({ [LABEL.managedBy]: MANAGED_BY_VALUE }), readInstallationId(options.stateDir)));
    } catch (err) {
      checks.push({ check: `engine ${node.name}`, status: "error", detail: (err as Error).message });
    }
  }
  try {
    checks.push({ check: "git", status: "ok", detail: await (options.gitVersion ?? defaultGitVersion)() });
  } catch (err) {
    checks.push({ check: "git", status: "error", detail: `git is not usable: ${(err as Error).message.split("\n")[0]}` });
  }
  try {
    await mkdir(options.stateDir, { recursive: true, mode: 0o700 });
    const probe = join(options.stateDir, `.doctor-${process.pid}`);
    await writeFile(probe, "ok");
    await rm(probe);
    checks.push({ check: "state directory", status: "ok", detail: `${options.stateDir} is writable` });
  } catch (err) {
    checks.push({ check: "state directory", status: "error", detail: `${options.stateDir} is not writable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
  }
  return checks;
}
