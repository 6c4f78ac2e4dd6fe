import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { CapstanError } from "../errors.js";

/** What Capstan remembers about each node between runs: cordon state and when it first saw it. */
export interface StoredNode {
  unschedulable?: boolean;
  /** ISO time the node was cordoned. */
  cordonedAt?: string;
  /** ISO time Capstan first saw the node (the AGE column). */
  firstSeen?: string;
}

export interface StoredNodes {
  nodes: Record<string, StoredNode>;
  /**
   * Claim volume → the node it lives on, as last seen or placed: a StatefulSet pod waits for that
   * node while it is away, also after a restart, instead of starting on another with empty data.
   */
  claims?: Record<string, string>;
}

export function nodesFile(stateDir: string): string {
  return join(stateDir, "nodes.json");
}

export async function readStoredNodes(stateDir: string): Promise<StoredNodes> {
  const file = nodesFile(stateDir);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { nodes: {} };
    throw new CapstanError("STATE_ERROR", `${file}: cannot read node state (${(err as Error).message})`);
  }
  try {
    const data = JSON.parse(text) as Partial<StoredNodes>;
    if (!data || typeof data !== "object" || typeof data.nodes !== "object" || data.nodes === null) throw new Error("no \"nodes\" object");
    if (data.claims === undefined) return { nodes: data.nodes };
    const claims: unknown = data.claims;
    if (!claims || typeof claims !== "object" || Array.isArray(claims) || !Object.values(claims).every((n) => typeof n === "string")) {
      throw new Error("\"claims\" must map each claim volume to the name of its node");
    }
    return { nodes: data.nodes, claims: claims as Record<string, string> };
  } catch (err) {
    throw new CapstanError("STATE_ERROR", `${file}: node state is not valid JSON (${(err as Error).message}); fix or delete the file (cordons, and the nodes claim volumes live on, are then forgotten)`);
  }
}

/** Written to a temporary file and renamed, so a crash never leaves half a file. */
export async function writeStoredNodes(stateDir: string, data: StoredNodes): Promise<void> {
  const file = nodesFile(stateDir);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`);
  await rename(tmp, file);
}
