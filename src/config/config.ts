import { readFile } from "node:fs/promises";
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import { z } from "zod";
import { CapstanError, type Problem } from "../errors.js";
import { cronProblem } from "../triggers/poll.js";

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

/** node-cron's schedule (an optional seconds field), checked field by field. */
const pollSchedule = z
  .string()
  .min(1)
  .superRefine((v, ctx) => {
    const why = cronProblem(v, { seconds: true });
    if (why) ctx.addIssue({ code: z.ZodIssueCode.custom, message: why });
  });

const duration = z.string().regex(/^(\d+(\.\d+)?(ms|s|m|h))+$/, "must be a duration such as 90s, 10m or 1h30m");

const repository = z
  .object({
    /** A local path (relative to the config file) or a Git URL holding the Applications. */
    url: z.string().min(1),
    /** Folder of Application files in the repository. */
    appsPath: z.string().min(1).default("apps"),
    /** Cron schedule of polls (node-cron, seconds field allowed); default every 30 s. */
    poll: pollSchedule.optional(),
    /** Watch a local repository's refs (default true for local paths). */
    watch: z.boolean().optional(),
  })
  .strict();

const daemon = z
  .object({
    /** One repository (shorthand for `repositories: [{url: …}]`). */
    repo: z.string().min(1).optional(),
    appsPath: z.string().min(1).optional(),
    poll: pollSchedule.optional(),
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
    /** Time budget of one chart render; a render over it fails its revision (default 10s). */
    renderTimeout: duration.optional(),
  })
  .strict();

/**
 * Credentials for Git repositories under a URL prefix (Argo CD's repository credential templates).
 * They are given to git only for repository URLs that start with `url`; secrets are named by file
 * or environment variable, so the configuration file itself can be shared.
 */
const credential = z
  .object({
    /** URL prefix, e.g. `https://git.example.com/team/`. */
    url: z.string().min(1),
    /** HTTPS user name (default `x-access-token`, which GitHub and GitLab accept with a token). */
    username: z.string().min(1).optional(),
    /** HTTPS token or password, read from this file at each use. */
    passwordFile: z.string().min(1).optional(),
    /** HTTPS token or password, read from this environment variable. */
    passwordEnv: z.string().min(1).optional(),
    /** Private key for ssh:// and scp-style URLs. */
    sshKeyPath: z.string().min(1).optional(),
  })
  .strict();

/** Git client settings (no secrets: those are in `credentials`). */
const git = z
  .object({
    allowInsecureHttp: z.boolean().optional(),
    timeoutSeconds: z.number().positive().optional(),
  })
  .strict();

/** Pod-security levels of Kubernetes' Pod Security Standards. */
export const POD_SECURITY_LEVELS = ["privileged", "baseline", "restricted"] as const;

/** What a project's Applications may ask of the host beyond their level; granted here only, never from Git. */
const podSecurityExceptions = z
  .object({
    /** Host paths (and anything below them) that hostPath volumes may mount. */
    hostPaths: z.array(z.string().regex(/^\//, "must be an absolute path")).optional(),
    /** Capabilities containers may add beyond the level's list (without the CAP_ prefix). */
    capabilities: z.array(z.string().regex(/^[A-Z_]+$/, "must be a capability name such as NET_ADMIN")).optional(),
    /** Host ports containers may bind (on the node's address). */
    hostPorts: z.array(z.number().int().min(1).max(65535)).optional(),
    privileged: z.boolean().optional(),
    hostNetwork: z.boolean().optional(),
    hostPID: z.boolean().optional(),
    hostIPC: z.boolean().optional(),
  })
  .strict();

/** The boundary an operator draws around a group of Applications (Argo CD's AppProject). */
const project = z
  .object({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1123 label (lower-case letters, digits and '-')"),
    /** Repository URL patterns its Applications may use (globs: `*` within a path segment, `**` across). Default: any. */
    sourceRepos: z.array(z.string().min(1)).optional(),
    /** Namespaces (globs) its Applications may deploy to. Default: only each Application's own destination namespace. */
    destinations: z.array(z.object({ namespace: z.string().min(1) }).strict()).optional(),
    podSecurity: z
      .object({
        level: z.enum(POD_SECURITY_LEVELS).default("baseline"),
        exceptions: podSecurityExceptions.default({}),
      })
      .strict()
      .default({}),
    /** Prune an application's objects when its Application file leaves Git, as if it carried `resources-finalizer.capstan.dev`. */
    pruneOnRemoval: z.boolean().default(false),
  })
  .strict();

export const configSchema = z
  .object({
    apiVersion: z.literal("capstan.dev/v1alpha1").default("capstan.dev/v1alpha1"),
    kind: z.literal("Config").default("Config"),
    nodes: z.array(node).default([]),
    daemon: daemon.optional(),
    git: git.optional(),
    credentials: z.array(credential).default([]),
    projects: z.array(project).default([]),
  })
  .strict();

export type CredentialConfig = z.infer<typeof credential>;
export type GitConfig = z.infer<typeof git>;
export type ProjectConfig = z.infer<typeof project>;
export type PodSecurityExceptions = z.infer<typeof podSecurityExceptions>;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

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
      const projects = new Set<string>();
      result.data.projects.forEach((p, i) => {
        if (projects.has(p.name)) problems.push({ file, line: lineOf(doc, counter, ["projects", i, "name"]), field: `projects[${i}].name`, message: `duplicate project name ${p.name}` });
        projects.add(p.name);
      });
      result.data.credentials.forEach((c, i) => {
        const secrets = [c.passwordFile, c.passwordEnv, c.sshKeyPath].filter((x) => x !== undefined).length;
        if (secrets !== 1) {
          problems.push({ file, line: lineOf(doc, counter, ["credentials", i]), field: `credentials[${i}]`, message: "give exactly one of passwordFile, passwordEnv or sshKeyPath" });
        }
        if (/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(c.url)) {
          problems.push({ file, line: lineOf(doc, counter, ["credentials", i, "url"]), field: `credentials[${i}].url`, message: "must not hold a user name or password; use username and passwordFile/passwordEnv" });
        }
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
