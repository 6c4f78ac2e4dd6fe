import { readFile } from "node:fs/promises";
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import { z } from "zod";
import { CapstanError, type Problem } from "../errors.js";

const taint = z
  .object({
    key: z.string().min(1),
    value: z.string().optional(),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
  })
  .strict();

const node = z
  .object({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1123 label (lower-case letters, digits and '-')"),
    /** DOCKER_HOST-style: unix:///path, tcp://host:port, ssh://user@host. */
    address: z.string().min(1).optional(),
    tlsCertPath: z.string().optional(),
    labels: z.record(z.string()).default({}),
    taints: z.array(taint).default([]),
    capacity: z.object({ cpus: z.number().positive().optional(), memory: z.string().optional() }).strict().optional(),
    /** Address the NodePort proxy listens on for this node. */
    proxyAddress: z.string().default("127.0.0.1"),
  })
  .strict();

const duration = z.string().regex(/^(\d+(\.\d+)?(ms|s|m|h))+$/, "must be a duration such as 90s, 10m or 1h30m");

const repository = z
  .object({
    /** A local path (relative to the config file) or a Git URL holding the Applications. */
    url: z.string().min(1),
    /** Folder of Application files in the repository. */
    appsPath: z.string().min(1).default("apps"),
    /** Cron schedule of polls (node-cron, seconds field allowed); default every 30 s. */
    poll: z.string().min(1).optional(),
    /** Watch a local repository's refs (default true for local paths). */
    watch: z.boolean().optional(),
  })
  .strict();

const daemon = z
  .object({
    /** One repository (shorthand for `repositories: [{url: …}]`). */
    repo: z.string().min(1).optional(),
    appsPath: z.string().min(1).optional(),
    poll: z.string().min(1).optional(),
    repositories: z.array(repository).optional(),
    /** HOST:PORT of the API and dashboard. */
    listen: z.string().regex(/^(\[[^\]]+\]|[^:]*):\d{1,5}$/, "must be HOST:PORT, e.g. 127.0.0.1:7420").optional(),
    webhookSecret: z.string().min(1).optional(),
    /** Applications synced at once. */
    concurrency: z.number().int().min(1).max(64).optional(),
    /** How long a sync may take to become healthy before it counts as failed. */
    syncTimeout: duration.optional(),
    /** How often every node's engine is pinged (default 5s). */
    nodeMonitorPeriod: duration.optional(),
    /** A node not answering for this long is NotReady (default 40s, as Kubernetes' node-monitor-grace-period). */
    nodeMonitorGracePeriod: duration.optional(),
    /** Pods of a NotReady node are replaced on other nodes after this long (default 5m). */
    podEvictionTimeout: duration.optional(),
  })
  .strict();

export const configSchema = z
  .object({
    apiVersion: z.literal("capstan.dev/v1alpha1").default("capstan.dev/v1alpha1"),
    kind: z.literal("Config").default("Config"),
    nodes: z.array(node).default([]),
    daemon: daemon.optional(),
  })
  .strict();

export type RepositoryConfig = z.infer<typeof repository>;
export type DaemonConfig = z.infer<typeof daemon>;

export type NodeConfig = z.infer<typeof node>;
export type CapstanConfig = z.infer<typeof configSchema>;

/** The single local engine (DOCKER_HOST or the default socket) when no nodes are configured. */
export const DEFAULT_NODE: NodeConfig = { name: "local", labels: {}, taints: [], proxyAddress: "127.0.0.1" };

function lineOf(doc: ReturnType<typeof parseDocument>, counter: LineCounter, path: (string | number)[]): number | undefined {
  let node: YamlNode | null | undefined = doc.contents as YamlNode | null;
  let found: YamlNode | null | undefined = node;
  for (const key of path) {
    if (isMap(node)) node = node.get(key, true) as YamlNode | undefined;
    else if (isSeq(node)) node = node.get(Number(key), true) as YamlNode | undefined;
    else break;
    if (node) found = node;
    else break;
  }
  const offset = found?.range?.[0];
  return offset === undefined ? undefined : counter.linePos(offset).line;
}

/** Parses a config file's text; every problem is reported with file, line and field. */
export function parseConfig(text: string, file: string): CapstanConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  const problems: Problem[] = doc.errors.map((e) => ({ file, line: e.linePos?.[0].line, message: e.message.split("\n")[0] ?? e.message }));
  if (problems.length === 0) {
    const result = configSchema.safeParse(doc.toJS() ?? {});
    if (result.success) {
      const names = new Set<string>();
      result.data.nodes.forEach((n, i) => {
        if (names.has(n.name)) problems.push({ file, line: lineOf(doc, counter, ["nodes", i, "name"]), field: `nodes[${i}].name`, message: `duplicate node name ${n.name}` });
        names.add(n.name);
      });
      const d = result.data.daemon;
      if (d?.repo && d.repositories) {
        problems.push({ file, line: lineOf(doc, counter, ["daemon", "repo"]), field: "daemon.repo", message: "give either daemon.repo or daemon.repositories, not both" });
      }
      const urls = new Set<string>();
      d?.repositories?.forEach((r, i) => {
        if (urls.has(r.url)) problems.push({ file, line: lineOf(doc, counter, ["daemon", "repositories", i, "url"]), field: `daemon.repositories[${i}].url`, message: `duplicate repository ${r.url}` });
        urls.add(r.url);
      });
      if (problems.length === 0) return result.data;
    } else {
      for (const issue of result.error.issues) {
        const field = issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
        problems.push({ file, line: lineOf(doc, counter, issue.path), field: field || undefined, message: issue.message });
      }
    }
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)); // in the order of the file
  throw new CapstanError("CONFIG_INVALID", `${file}: invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"})`, { problems });
}

export async function loadConfig(file: string | undefined): Promise<CapstanConfig> {
  if (!file) return configSchema.parse({});
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new CapstanError("CONFIG_INVALID", `${file}: cannot read the configuration file (${(err as Error).message})`);
  }
  return parseConfig(text, file);
}

export function configuredNodes(config: CapstanConfig): NodeConfig[] {
  return config.nodes.length > 0 ? config.nodes : [DEFAULT_NODE];
}
