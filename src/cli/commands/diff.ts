import { stat } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadApplications, renderApplication, renderInputDigest } from "../../application/index.js";
import type { Application, RenderedObject } from "../../application/index.js";
import type { Chart } from "../../chart/index.js";
import { diffObjects, hasDifferences, printReport } from "../../diff/index.js";
import type { AppDiff, DiffFormat, RedactionKey, DiffReport, DiffSide, RevisionLabel, SideError } from "../../diff/index.js";
import { CapstanError, formatProblem } from "../../errors.js";
import type { Problem } from "../../errors.js";
import { loadConfig, type CapstanConfig } from "../../config/index.js";
import type { ManifestObject } from "../../manifest/index.js";
import { projectProblems } from "../../security/index.js";
import { ensureRedactionKey } from "../../state/index.js";
import { createGitSource, gitSourceOptions, nearNames, parseRepoURL } from "../../source/index.js";
import type { GitSource } from "../../source/index.js";
import { colorEnabled, parseOutputFormat } from "../printers.js";
import type { Command } from "../types.js";

export interface DiffRevisionsOptions {
  /** Repository URL or local path holding the Applications. */
  repo: string;
  /** Application names, or "all" for every application whose rendered output changed. */
  apps: string[] | "all";
  /** The revision under review (branch, tag, SHA, `pull/N/head`). */
  revision: string;
  /** What to compare against; default: each application's targetRevision (the branch it tracks). */
  base?: string;
  appsPath?: string;
  source: GitSource;
  /** The config file: each Application's project bounds what it may do, as the daemon enforces. */
  config?: CapstanConfig;
  /** Secrets show as HMACs under this key (the state directory's), as the daemon shows them. */
  redactionKey?: RedactionKey;
}

interface Side {
  label: RevisionLabel;
  tree?: string;
  /** Why the revision could not be resolved or checked out, as git said it. */
  cause?: unknown;
  apps?: Map<string, Application>;
  error?: SideError;
}

function sideError(side: DiffSide, err: unknown, what: string): SideError {
  if (err instanceof CapstanError) {
    const e: SideError = { side, message: `${what}: ${err.message}` };
    if (err.problems.length > 0) e.problems = err.problems;
    return e;
  }
  return { side, message: `${what}: ${(err as Error).message ?? String(err)}` };
}

/**
 * Renders the selected applications at two revisions of a repository and diffs them, the way a
 * reviewer wants to see a pull request: `base` defaults to each application's tracked branch.
 * A side that fails (no such ref, broken Application file, broken chart) is reported on that
 * application with the side named, and the other side is still rendered.
 */
export async function diffRevisions(options: DiffRevisionsOptions): Promise<DiffReport> {
  const { source, repo } = options;
  const display = parseRepoURL(repo).display;
  const appsPath = options.appsPath ?? "apps";
  await source.fetch(repo);

  const sides = new Map<string, Promise<Side>>();
  const loadSide = (side: DiffSide, ref: string): Promise<Side> => {
    const cacheKey = `${side}\0${ref}`;
    let p = sides.get(cacheKey);
    if (!p) {
      p = (async (): Promise<Side> => {
        const s: Side = { label: { ref, sha: "" } };
        try {
          const resolved = await source.resolve(repo, ref, { fetch: "if-missing" });
          s.label = { ref, sha: resolved.sha };
          s.tree = await source.checkout(repo, resolved.sha);
        } catch (err) {
          s.error = sideError(side, err, `${side} (${ref})`);
          s.cause = err;
          return s;
        }
        // A base without the apps directory simply had no applications yet (the revision adds them).
        if (side === "base" && !(await stat(join(s.tree, appsPath)).catch(() => undefined))) {
          s.apps = new Map();
          return s;
        }
        const loaded = await loadApplications(s.tree, { appsPath });
        if (!loaded.ok) {
          s.error = { side, message: `Application files at ${ref} are invalid`, problems: loaded.errors };
          return s;
        }
        s.apps = new Map(loaded.value.map((a) => [a.metadata.name, a]));
        return s;
      })();
      sides.set(cacheKey, p);
    }
    return p;
  };

  // Both sides load concurrently when the base is known up front.
  const [revision] = await Promise.all([
    loadSide("revision", options.revision),
    ...(options.base !== undefined ? [loadSide("base", options.base)] : []),
  ]);
  // Without the revision there is nothing to review: its own error (GIT_REF_NOT_FOUND, GIT_FAILED…) is the answer.
  if (revision.error && !revision.tree) throw revision.cause ?? new CapstanError("GIT_FAILED", revision.error.message);

  // Applications to look at: the named ones, or every one known on the revision side or a base side
  // (an application deleted by the revision still shows, with all its objects removed).
  const tracked = options.base === undefined ? await loadSide("base", "HEAD") : undefined;
  const baseRefFor = (name: string): string =>
    options.base ?? revision.apps?.get(name)?.spec.source.targetRevision ?? tracked?.apps?.get(name)?.spec.source.targetRevision ?? "HEAD";
  let names: string[];
  if (options.apps === "all") {
    const set = new Set(revision.apps?.keys() ?? []);
    const base = options.base !== undefined ? await loadSide("base", options.base) : tracked;
    for (const n of base?.apps?.keys() ?? []) set.add(n);
    names = [...set].sort();
  } else {
    names = options.apps;
  }

  const renders = new Map<string, Promise<RenderedObject[]>>();
  // Trees are read-only checkouts, so a chart loaded from one can be shared by every application using it.
  const charts = new Map<string, Promise<Chart>>();
  const renderOn = async (side: Side, app: Application): Promise<RenderedObject[]> => {
    let root = side.tree as string;
    let sha = side.label.sha;
    if (app.spec.source.repoURL !== "") {
      // The chart lives elsewhere: render it at the revision this side's Application asks for.
      const resolved = await source.resolve(app.spec.source.repoURL, app.spec.source.targetRevision, { fetch: "if-missing" });
      sha = resolved.sha;
      root = await source.checkout(app.spec.source.repoURL, sha);
    }
    const cacheKey = `${sha}\0${JSON.stringify(app.spec)}\0${app.metadata.name}`;
    let p = renders.get(cacheKey);
    if (!p) {
      p = renderApplication(root, app, { charts }).then((r) => {
        // The daemon's refusal, shown on the pull request before the merge.
        const denied = projectProblems(
          app,
          display,
          options.config,
          r.objects.map((o) => ({ object: o.object as unknown as ManifestObject, ...(o.file ? { file: o.file } : {}) })),
        );
        if (denied.length > 0) throw new CapstanError("PROJECT_DENIED", `application ${app.metadata.name} is outside its project "${app.spec.project}"`, { problems: denied });
        return r.objects;
      });
      renders.set(cacheKey, p);
    }
    return p;
  };

  const digests = new Map<string, Promise<string>>();
  const renderSide = async (entry: AppDiff, side: Side, app: Application | undefined, sideName: DiffSide): Promise<RenderedObject[] | undefined> => {
    if (side.error) return undefined;
    if (!app) return [];
    try {
      const objects = await renderOn(side, app);
      entry.rendered = { ...entry.rendered, [sideName]: objects.length };
      return objects;
    } catch (err) {
      // Chart errors name the chart and file themselves.
      entry.errors.push(sideError(sideName, err, `${sideName} (${side.label.ref})`));
      return undefined;
    }
  };

  const results: AppDiff[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const base = await loadSide("base", baseRefFor(name));
    const entry: AppDiff = { name, base: base.label, revision: revision.label, errors: [] };
    if (revision.error) entry.errors.push(revision.error);
    if (base.error) entry.errors.push(base.error);
    const revApp = revision.apps?.get(name);
    const baseApp = base.apps?.get(name);
    if (!revApp && !baseApp && revision.apps && base.apps) {
      unknown.push(name);
      continue;
    }
    // Identical inputs on both sides render identically: render once (or, for --all, not at all).
    const same =
      !base.error &&
      !revision.error &&
      baseApp &&
      revApp &&
      baseApp.spec.source.repoURL === "" &&
      revApp.spec.source.repoURL === "" &&
      (await renderInputDigest(base.tree as string, baseApp, digests).catch(() => "base")) ===
        (await renderInputDigest(revision.tree as string, revApp, digests).catch(() => "revision"));
    if (same && options.apps === "all") continue;
    const sideList = [
      [base, baseApp, "base"],
      [revision, revApp, "revision"],
    ] as const;
    const [before, after] = same
      ? await renderSide(entry, revision, revApp, "revision").then((objects) => [objects, objects])
      : await Promise.all(sideList.map(([side, app, sideName]) => renderSide(entry, side, app, sideName)));
    entry.errors.sort((a, b) => (a.side === b.side ? 0 : a.side === "base" ? -1 : 1));
    if (before && after) entry.result = diffObjects(before, after, options.redactionKey ? { redactionKey: options.redactionKey } : {});
    if (options.apps === "all" && entry.errors.length === 0 && entry.result && !hasDifferences(entry.result)) continue;
    results.push(entry);
  }
  if (unknown.length > 0) {
    const known = new Set([...(revision.apps?.keys() ?? [])]);
    const hints = unknown.map((n) => {
      const near = nearNames(n, known);
      return `"${n}"${near.length > 0 ? ` (did you mean ${near.map((x) => `"${x}"`).join(", ")}?)` : ""}`;
    });
    throw new CapstanError(
      "APPLICATION_NOT_FOUND",
      `no application ${hints.join(", ")} in ${appsPath}/ at either revision (known: ${[...known].sort().join(", ") || "none"})`,
    );
  }
  return { repo: display, apps: results };
}

const USAGE =
  "capstan diff [--repo URL|PATH] (--app NAME ... | --all) --revision REF [--base REF] [-o text|markdown|json] [--apps-path apps]";

export interface DiffArgs {
  repo: string;
  apps: string[] | "all";
  revision: string;
  base?: string;
  format: DiffFormat;
  appsPath: string;
}

/** Parses `capstan diff` arguments; throws USAGE errors that say what to add. */
export function parseDiffArgs(args: string[]): DiffArgs {
  const { values, positionals } = parseArgs({
    args,
    options: {
      repo: { type: "string" },
      app: { type: "string", multiple: true },
      all: { type: "boolean" },
      revision: { type: "string" },
      base: { type: "string" },
      output: { type: "string", short: "o" },
      "apps-path": { type: "string" },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new CapstanError("USAGE", `unexpected argument "${positionals[0]}" (usage: ${USAGE})`);
  if (!values.revision) throw new CapstanError("USAGE", `--revision is required: the branch, tag, SHA or pull/N/head to review (usage: ${USAGE})`);
  const apps = values.app ?? [];
  if (values.all && apps.length > 0) throw new CapstanError("USAGE", "give either --app NAME or --all, not both");
  if (!values.all && apps.length === 0) throw new CapstanError("USAGE", `name an application with --app NAME, or use --all (usage: ${USAGE})`);
  const format = parseOutputFormat(values.output, ["text", "markdown", "json"] as const, "text");
  const parsed: DiffArgs = {
    repo: values.repo ?? ".",
    apps: values.all ? "all" : apps,
    revision: values.revision,
    format,
    appsPath: values["apps-path"] ?? "apps",
  };
  if (values.base !== undefined) parsed.base = values.base;
  return parsed;
}

export const diffCommand: Command = {
  name: "diff",
  summary: "Show what a revision would change, application by application (exit 0: none, 1: differences, 2: error)",
  usage: USAGE,
  async run(args, { io, global }) {
    let parsed: DiffArgs;
    try {
      parsed = parseDiffArgs(args);
    } catch (err) {
      io.stderr(`error: ${(err as Error).message}\n`);
      return 2;
    }
    let report: DiffReport;
    try {
      const config = await loadConfig(global.config);
      const source = createGitSource(gitSourceOptions(config, { stateDir: global.stateDir, cwd: io.cwd, env: io.env, ownRepos: [parsed.repo] }));
      report = await diffRevisions({
        repo: parsed.repo,
        apps: parsed.apps,
        revision: parsed.revision,
        ...(parsed.base !== undefined ? { base: parsed.base } : {}),
        appsPath: parsed.appsPath,
        source,
        config,
        redactionKey: ensureRedactionKey(global.stateDir),
      });
    } catch (err) {
      if (!(err instanceof CapstanError)) throw err;
      io.stderr(`error: ${err.message}\n`);
      for (const p of err.problems as Problem[]) io.stderr(`  ${formatProblem(p)}\n`);
      return 2;
    }
    io.stdout(printReport(report, parsed.format, { color: colorEnabled(io.isTTY, io.env) }));
    if (report.apps.some((a) => a.errors.length > 0)) {
      if (parsed.format !== "text") {
        for (const a of report.apps) for (const e of a.errors) io.stderr(`error: ${a.name} (${e.side}): ${e.message}\n`);
      }
      return 2;
    }
    return report.apps.some((a) => a.result && hasDifferences(a.result)) ? 1 : 0;
  },
};
