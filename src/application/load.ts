import { readFile, readdir, stat } from "node:fs/promises";
import { posix } from "node:path";
import { LineCounter, isMap, isNode, isScalar, parseAllDocuments } from "yaml";
import { formatBytes } from "../chart/limits.js";
import { checkYamlDocument, parseYamlBounded } from "../manifest/yaml.js";
import type { Document } from "yaml";
import type { ZodIssue } from "zod";
import { CapstanError } from "../errors.js";
import type { Problem, Result } from "../errors.js";
import { lexicalPathProblem, resolveInRepo } from "../source/paths.js";
import { refNameProblem } from "../source/refname.js";
import { parseRepoURL, redactURL } from "../source/url.js";
import { APPLICATION_API_VERSION, DNS1123_LABEL, applicationSchema } from "./schema.js";
import type { ApplicationDocument } from "./schema.js";
import type { Application, LoadApplicationsOptions } from "./types.js";

type Path = (string | number)[];

/** Application files are small; values of any size belong in valueFiles, which render in a worker. */
export const MAX_APPLICATION_FILE_BYTES = 1024 * 1024;

/** Prints a field path the way Problems name fields: `spec.source.valueFiles[0]`. */
export function fieldPath(path: Path): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out;
}

interface Located {
  doc: Document;
  lines: LineCounter;
  file: string;
}

function lineOf(at: Located, path: Path, key?: string): { line?: number; column?: number } {
  let node: unknown = undefined;
  for (let n = path.length; n >= 0 && node === undefined; n--) {
    node = at.doc.getIn(path.slice(0, n), true);
    if (!isNode(node)) node = undefined;
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (pair && isNode(pair.key)) node = pair.key;
  }
  const offset = isNode(node) ? node.range?.[0] : undefined;
  if (offset === undefined) return {};
  const pos = at.lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function problem(at: Located, path: Path, message: string, key?: string): Problem {
  const field = fieldPath(key === undefined ? path : [...path, key]);
  return { file: at.file, ...lineOf(at, path, key), ...(field ? { field } : {}), message };
}

function describeIssue(issue: ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.received === "undefined" ? "is required" : `must be ${article(issue.expected)}, not ${issue.received}`;
    case "invalid_literal":
      return `must be ${JSON.stringify(issue.expected)}`;
    case "too_small":
      return issue.type === "string" ? "must not be empty" : `must be at least ${String(issue.minimum)}`;
    case "invalid_union":
      return "must be a map of values or a YAML string";
    default:
      return issue.message;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

// Fields people bring from Argo CD Applications, or misspell, with what to do instead.
const FIELD_HINTS: Record<string, string> = {
  helm: "put valueFiles and values directly under spec.source",
  valuesFiles: "did you mean valueFiles?",
  depends: "did you mean dependsOn?",
  namespace: "Applications have no namespace of their own; the objects go to spec.destination.namespace",
  server: "Capstan deploys to its configured nodes; choose them with spec.destination.nodeSelector",
  chart: "charts come from Git: set spec.source.path to the chart directory",
  syncOptions: "not supported; remove it",
  retry: "not supported: failed rollouts roll back when autoRollback is on",
};

function zodProblems(at: Located, issues: ZodIssue[]): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const hint = FIELD_HINTS[key];
        out.push(problem(at, issue.path, `unknown field "${key}"${hint ? ` (${hint})` : " (remove it or fix its spelling)"}`, key));
      }
    } else {
      out.push(problem(at, issue.path, describeIssue(issue)));
    }
  }
  return out;
}

function withDefaults(doc: ApplicationDocument, values: Record<string, unknown>, origin: Application["origin"]): Application {
  const { source, destination, syncPolicy } = doc.spec;
  const repoURL = source.repoURL === undefined || source.repoURL === "." ? "" : source.repoURL;
  return {
    apiVersion: APPLICATION_API_VERSION,
    kind: "Application",
    metadata: {
      name: doc.metadata.name,
      labels: doc.metadata.labels ?? {},
      annotations: doc.metadata.annotations ?? {},
      finalizers: doc.metadata.finalizers ?? [],
    },
    spec: {
      project: doc.spec.project || "default",
      source: {
        repoURL,
        path: posix.normalize(source.path),
        targetRevision: source.targetRevision || "HEAD",
        valueFiles: (source.valueFiles ?? []).map((f) => posix.normalize(f)),
        values,
      },
      destination: {
        namespace: destination?.namespace || "default",
        nodeSelector: destination?.nodeSelector ?? {},
      },
      syncPolicy: {
        automated: syncPolicy?.automated
          ? { prune: syncPolicy.automated.prune ?? false, selfHeal: syncPolicy.automated.selfHeal ?? false }
          : null,
        autoRollback: syncPolicy?.autoRollback ?? true,
        revisionHistoryLimit: syncPolicy?.revisionHistoryLimit ?? 10,
      },
      dependsOn: doc.spec.dependsOn ?? [],
    },
    origin,
  };
}

interface Parsed {
  app: Application;
  at: Located;
  index: number;
}

/**
 * A user name or password written into a repoURL. Every commit is untrusted and readable by all who
 * clone it, so credentials live in the operator's config file, never in Git. An ssh login name
 * (`ssh://git@host/…`, scp-like `git@host:org/repo.git`) is no secret and stays.
 */
function userinfoProblem(url: string): string | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/]*)/.exec(url);
  const authority = m?.[2] ?? "";
  const at = authority.lastIndexOf("@");
  if (!m || at === -1) return undefined;
  const scheme = (m[1] ?? "").toLowerCase();
  const password = authority.slice(0, at).includes(":");
  const https = scheme === "https" || scheme === "http";
  // Over http(s) a user name alone is a token often enough (`https://ghp_…@github.com/…`).
  if (!password && !https) return undefined;
  const prefix = `${scheme}://${authority.slice(at + 1)}/`;
  const fields = https ? "username and passwordFile or passwordEnv" : "sshKeyPath";
  return (
    `${JSON.stringify(redactURL(url))} carries ${password ? "a user name and password" : "a user name"} in the URL; credentials do not belong in Git ` +
    `(remove the "…@" part and give them in the credentials: section of the Capstan config file, e.g. url: ${prefix} with ${fields})`
  );
}

/** Checks one document beyond its shape: names, refs, URLs, inline values, paths as written. */
function checkDocument(at: Located, doc: ApplicationDocument): { problems: Problem[]; values: Record<string, unknown> } {
  const problems: Problem[] = [];
  const name = doc.metadata.name;
  if (!DNS1123_LABEL.test(name) || name.length > 63) {
    problems.push(
      problem(at, ["metadata", "name"], `"${name}" is not a valid name (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`),
    );
  }
  const ns = doc.spec.destination?.namespace;
  if (ns && (!DNS1123_LABEL.test(ns) || ns.length > 63)) {
    problems.push(problem(at, ["spec", "destination", "namespace"], `"${ns}" is not a valid namespace (a DNS-1123 label such as "prod")`));
  }
  const rev = doc.spec.source.targetRevision;
  if (rev && rev !== "HEAD") {
    const why = refNameProblem(rev);
    if (why) problems.push(problem(at, ["spec", "source", "targetRevision"], `"${rev}" is not a valid git revision: ${why}`));
  }
  const repoURL = doc.spec.source.repoURL;
  if (repoURL && repoURL !== ".") {
    try {
      parseRepoURL(repoURL, { allowInsecureHttp: true });
      const secret = userinfoProblem(repoURL);
      if (secret) problems.push(problem(at, ["spec", "source", "repoURL"], secret));
    } catch (err) {
      problems.push(problem(at, ["spec", "source", "repoURL"], (err as Error).message));
    }
  }
  const paths: { path: Path; value: string }[] = [
    { path: ["spec", "source", "path"], value: doc.spec.source.path },
    ...(doc.spec.source.valueFiles ?? []).map((value, i) => ({ path: ["spec", "source", "valueFiles", i], value })),
  ];
  for (const p of paths) {
    const why = lexicalPathProblem(p.value);
    if (why) problems.push(problem(at, p.path, `path "${p.value}" is outside the repository: ${why} (PATH_OUTSIDE_REPO; use a path relative to the repository root)`));
  }
  let values: Record<string, unknown> = {};
  const raw = doc.spec.source.values;
  if (typeof raw === "string") {
    try {
      const parsed: unknown = parseYamlBounded(raw);
      if (parsed === null || parsed === undefined) values = {};
      else if (typeof parsed === "object" && !Array.isArray(parsed)) values = parsed as Record<string, unknown>;
      else problems.push(problem(at, ["spec", "source", "values"], "must hold a YAML map of values"));
    } catch (err) {
      problems.push(problem(at, ["spec", "source", "values"], `is not valid YAML: ${(err as Error).message.split("\n")[0]}`));
    }
  } else if (raw) {
    values = raw;
  }
  return { problems, values };
}

/** A name an Application document declares, read even when the rest of the document is invalid. */
interface Declared {
  name: string;
  at: Located;
  /** Where the document starts. */
  line: number;
}

/** The valid name at `metadata.name` of a document, however broken the rest of it is. */
function declaredName(doc: Document): string | undefined {
  let name: unknown;
  try {
    name = doc.getIn(["metadata", "name"]);
  } catch {
    return undefined;
  }
  return typeof name === "string" && DNS1123_LABEL.test(name) && name.length <= 63 ? name : undefined;
}

/**
 * Parses one Application file (several documents allowed); `file` is its repository-relative path.
 * `declared` holds every name the file's documents give, the invalid ones' included.
 */
export function parseApplicationFile(text: string, file: string): { apps: Parsed[]; declared: Declared[]; problems: Problem[] } {
  const lines = new LineCounter();
  // Linear checks instead of the library's (quadratic duplicate keys, unbounded aliases): the file is from Git.
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false });
  const apps: Parsed[] = [];
  const declared: Declared[] = [];
  const problems: Problem[] = [];
  if (!Array.isArray(docs)) return { apps, declared, problems };
  docs.forEach((doc, index) => {
    if (doc.errors.length === 0) checkYamlDocument(doc, text, lines);
    const at: Located = { doc, lines, file };
    const name = declaredName(doc);
    if (name !== undefined) declared.push({ name, at, line: lineOf(at, []).line ?? 1 });
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = e.linePos?.[0];
        problems.push({ file, line: pos?.line, column: pos?.col, message: `invalid YAML: ${e.message.split("\n")[0]}` });
      }
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const result = applicationSchema.safeParse(value);
    if (!result.success) {
      problems.push(...zodProblems(at, result.error.issues));
      return;
    }
    const checked = checkDocument(at, result.data);
    problems.push(...checked.problems);
    if (checked.problems.length > 0) return;
    const line = lineOf(at, []).line ?? 1;
    apps.push({ app: withDefaults(result.data, checked.values, { file, line }), at, index });
  });
  return { apps, declared, problems };
}

/**
 * Names, dependencies and paths checked across all files: duplicates, unknown or cyclic dependsOn.
 * `declared` holds the names of every document, valid or not: a name given twice is refused at
 * each place, and a dependency on an application whose file is invalid is not "unknown".
 */
function checkAcross(parsed: Parsed[], declared: Declared[]): Problem[] {
  const problems: Problem[] = [];
  const places = new Map<string, Declared[]>();
  for (const d of declared) places.set(d.name, [...(places.get(d.name) ?? []), d]);
  for (const [name, all] of places) {
    const [first, ...again] = all;
    if (!first || again.length === 0) continue;
    const where = (d: Declared) => `${d.at.file}:${d.line}`;
    problems.push(problem(first.at, ["metadata", "name"], `application "${name}" is defined again in ${again.map(where).join(", ")} (names must be unique)`));
    for (const d of again) problems.push(problem(d.at, ["metadata", "name"], `application "${name}" is already defined in ${where(first)} (names must be unique)`));
  }
  const byName = new Map<string, Parsed>();
  for (const p of parsed) if (!byName.has(p.app.metadata.name)) byName.set(p.app.metadata.name, p);
  for (const p of byName.values()) {
    p.app.spec.dependsOn.forEach((dep, i) => {
      if (dep === p.app.metadata.name) {
        problems.push(problem(p.at, ["spec", "dependsOn", i], `application "${dep}" cannot depend on itself`));
      } else if (!places.has(dep)) {
        const known = [...places.keys()].sort().join(", ");
        problems.push(problem(p.at, ["spec", "dependsOn", i], `unknown application "${dep}" (known: ${known})`));
      }
    });
  }
  // Cycles: depth-first search, reporting each cycle once at the application where it was found.
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): void => {
    const p = byName.get(name);
    if (!p) return;
    state.set(name, "visiting");
    stack.push(name);
    p.app.spec.dependsOn.forEach((dep, i) => {
      if (dep === name) return;
      if (state.get(dep) === "visiting") {
        const cycle = [...stack.slice(stack.indexOf(dep)), dep].join(" → ");
        problems.push(problem(p.at, ["spec", "dependsOn", i], `dependsOn forms a cycle: ${cycle} (remove one of these dependencies)`));
      } else if (!state.has(dep)) {
        visit(dep);
      }
    });
    stack.pop();
    state.set(name, "done");
  };
  for (const name of [...byName.keys()].sort()) if (!state.has(name)) visit(name);
  return problems;
}

/** An Application file that failed to load, with the applications it declares as far as they can be read. */
export interface InvalidApplicationFile {
  /** Repository-relative path. */
  file: string;
  /**
   * Names given at `metadata.name` of the file's documents, the invalid ones' included, when they
   * can be read (empty for a file that cannot be read or parsed at all): a daemon keeps these
   * applications' last good definitions and records why on each.
   */
  names: string[];
  problems: Problem[];
}

/**
 * Every valid Application, and each invalid file on its own. A file with any problem (its YAML,
 * its fields, or a check across files that names it) fails as a whole, so a half-edited file never
 * applies half; the other files load. `ok` is false only when the directory itself cannot be read.
 */
export type ApplicationSetResult = { ok: true; value: Application[]; invalid: InvalidApplicationFile[] } | { ok: false; errors: Problem[] };

// Read top to bottom, file by file.
const byPlace = (a: Problem, b: Problem) => (a.file ?? "").localeCompare(b.file ?? "") || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);

/**
 * Loads the Applications under `<treeRoot>/<appsPath>` (`*.yaml`, `*.yml`) file by file: valid
 * files give their applications, invalid ones are listed with all their problems (file, line and
 * field). Chart paths and value files must stay inside the tree (symlinks followed).
 */
export async function loadApplicationSet(treeRoot: string, options: LoadApplicationsOptions = {}): Promise<ApplicationSetResult> {
  const appsPath = options.appsPath ?? "apps";
  let dir: string;
  try {
    dir = await resolveInRepo(treeRoot, appsPath, { field: "appsPath" });
  } catch (err) {
    return { ok: false, errors: [{ file: appsPath, message: (err as Error).message }] };
  }
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (!entries) {
    return { ok: false, errors: [{ file: appsPath, message: "no such directory in the repository (create it, or point --apps-path at the directory holding Application files)" }] };
  }
  const files = entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && /\.ya?ml$/.test(e.name))
    .map((e) => e.name)
    .sort();
  // Read and parse files concurrently; results keep the sorted file order.
  const perFile = await Promise.all(
    files.map(async (name) => {
      const file = posix.join(appsPath.split("\\").join("/"), name);
      try {
        const real = await resolveInRepo(treeRoot, file);
        // Read on the daemon's event loop, so bounded before it is read.
        const size = (await stat(real)).size;
        if (size > MAX_APPLICATION_FILE_BYTES) {
          throw new CapstanError("APPLICATION_INVALID", `is ${formatBytes(size)}; the limit for an Application file is ${formatBytes(MAX_APPLICATION_FILE_BYTES)} (keep values in valueFiles)`);
        }
        return { file, ...parseApplicationFile(await readFile(real, "utf8"), file) };
      } catch (err) {
        const message = err instanceof CapstanError ? err.message : `cannot be read: ${(err as Error).message}`;
        return { file, apps: [] as Parsed[], declared: [] as Declared[], problems: [{ file, message }] as Problem[] };
      }
    }),
  );
  const parsed: Parsed[] = perFile.flatMap((r) => r.apps);
  const problems: Problem[] = perFile.flatMap((r) => r.problems);
  problems.push(...checkAcross(parsed, perFile.flatMap((r) => r.declared)));
  // Paths that look fine may still leave the tree through a symlink; this needs the tree itself.
  const pathChecks = parsed.flatMap((p) => {
    const source = p.app.spec.source;
    if (source.repoURL !== "") return [];
    const paths: { path: Path; value: string }[] = [
      { path: ["spec", "source", "path"], value: source.path },
      ...source.valueFiles.map((value, i) => ({ path: ["spec", "source", "valueFiles", i] as Path, value })),
    ];
    return paths.map(async (entry): Promise<Problem | undefined> => {
      try {
        const real = await resolveInRepo(treeRoot, entry.value);
        const info = await stat(real).catch(() => undefined);
        if (!info) return problem(p.at, entry.path, `"${entry.value}" does not exist in the repository`);
        if (entry.path[2] === "path" && !info.isDirectory()) return problem(p.at, entry.path, `"${entry.value}" is not a chart directory`);
        return undefined;
      } catch {
        return problem(p.at, entry.path, `path "${entry.value}" is outside the repository: a symlink points outside (PATH_OUTSIDE_REPO; keep charts and values inside the repository)`);
      }
    });
  });
  for (const p of await Promise.all(pathChecks)) if (p) problems.push(p);

  const invalid: InvalidApplicationFile[] = [];
  for (const r of perFile) {
    const own = problems.filter((p) => p.file === r.file);
    if (own.length === 0) continue;
    invalid.push({ file: r.file, names: [...new Set(r.declared.map((d) => d.name))], problems: own.sort(byPlace) });
  }
  const broken = new Set(invalid.map((f) => f.file));
  const value = parsed
    .filter((p) => !broken.has(p.app.origin.file))
    .map((p) => p.app)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return { ok: true, value, invalid };
}

/**
 * Loads every Application under `<treeRoot>/<appsPath>`, all or nothing: any problem in any file
 * fails the load, with every problem reported at once (file, line and field).
 */
export async function loadApplications(treeRoot: string, options: LoadApplicationsOptions = {}): Promise<Result<Application[]>> {
  const set = await loadApplicationSet(treeRoot, options);
  if (!set.ok) return set;
  if (set.invalid.length > 0) return { ok: false, errors: set.invalid.flatMap((f) => f.problems).sort(byPlace) };
  return { ok: true, value: set.value };
}

/** The error to throw for a failed load: PATH_OUTSIDE_REPO when a path escapes, else APPLICATION_INVALID. */
export function applicationsError(problems: Problem[]): CapstanError {
  const outside = problems.some((p) => p.message.includes("PATH_OUTSIDE_REPO"));
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return new CapstanError(outside ? "PATH_OUTSIDE_REPO" : "APPLICATION_INVALID", `invalid Application files (${count})`, { problems });
}
