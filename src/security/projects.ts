import picomatch from "picomatch";
import type { Application } from "../application/types.js";
import type { CapstanConfig, ProjectConfig } from "../config/index.js";
import { CapstanError, type Problem } from "../errors.js";
import type { ManifestObject } from "../manifest/index.js";
import { isSameRepository } from "../source/credentials.js";
import { stripUserinfo } from "../source/url.js";
import { checkPodSecurity } from "./pod-security/index.js";

/**
 * Projects are the boundary the operator draws in the config file (Argo CD's AppProject): which
 * repositories an Application may take charts from, which namespaces it may deploy to, and which
 * pod-security level and exceptions apply. Nothing in Git can widen them.
 */

/** The project every Application belongs to unless it names another: its own namespace, baseline, no exceptions. */
export const DEFAULT_PROJECT: ProjectConfig = { name: "default", podSecurity: { level: "baseline", exceptions: {} }, pruneOnRemoval: false };

/** An Application's project from the config, or the problem to report on its `spec.project`. */
export function projectOf(app: Application, config: Pick<CapstanConfig, "projects"> | undefined): { ok: true; value: ProjectConfig } | { ok: false; problem: Problem } {
  const name = app.spec.project;
  const found = config?.projects.find((p) => p.name === name);
  if (found) return { ok: true, value: found };
  if (name === DEFAULT_PROJECT.name) return { ok: true, value: DEFAULT_PROJECT };
  const known = ["default", ...(config?.projects ?? []).map((p) => p.name).filter((n) => n !== "default")].join(", ");
  return {
    ok: false,
    problem: { ...origin(app), field: "spec.project", message: `project "${name}" is not defined in the Capstan config file (projects: ${known}); the operator defines projects there` },
  };
}

/** A project by name, for commands that check a chart outside any Application (`lint`, `template --project`). */
export function projectNamed(name: string, config: Pick<CapstanConfig, "projects"> | undefined): ProjectConfig {
  const found = config?.projects.find((p) => p.name === name) ?? (name === DEFAULT_PROJECT.name ? DEFAULT_PROJECT : undefined);
  if (!found) throw new CapstanError("USAGE", `project "${name}" is not defined in the Capstan config file${config ? "" : " (give it with --config)"}`);
  return found;
}

function origin(app: Application): { file: string; line: number } {
  return { file: app.origin.file, line: app.origin.line };
}

function matches(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) => p === "*" || isSameRepository(p, value) || p === value || picomatch.isMatch(value, p, { dot: true }));
}

/** Namespaces an Application of `project` may put objects in: its destination, or the project's list. */
function namespaceAllowed(app: Application, project: ProjectConfig, namespace: string): boolean {
  if (!project.destinations) return namespace === app.spec.destination.namespace;
  return matches(
    project.destinations.map((d) => d.namespace),
    namespace,
  );
}

/**
 * What the Application file itself asks of its project, given the repository that declares it
 * (which the operator chose to follow):
 * - a project other than `default` is named only from a repository its `sourceRepos` lists, so a
 *   commit cannot pick the project with the widest grants;
 * - charts come from the repositories `sourceRepos` lists, by default the declaring repository
 *   alone, so an Application cannot have another team's repository fetched with that team's credentials;
 * - the destination namespace is one the project allows.
 */
export function applicationProblems(app: Application, project: ProjectConfig, declaredIn: string): Problem[] {
  const problems: Problem[] = [];
  const declaring = stripUserinfo(declaredIn);
  const sources = project.sourceRepos ?? [declaring];
  if (project.name !== DEFAULT_PROJECT.name && !(project.sourceRepos && matches(project.sourceRepos, declaring))) {
    problems.push({
      ...origin(app),
      field: "spec.project",
      message: `project "${project.name}" does not list ${declaring} in its sourceRepos, so Applications of that repository cannot name it; the operator lists repositories in the project's sourceRepos in the Capstan config file`,
    });
  }
  const repo = app.spec.source.repoURL === "" ? declaring : stripUserinfo(app.spec.source.repoURL);
  if (!matches(sources, repo)) {
    problems.push({
      ...origin(app),
      field: "spec.source.repoURL",
      message: `repository ${repo} is not permitted in project "${project.name}" (sourceRepos: ${project.sourceRepos ? project.sourceRepos.join(", ") : `by default only the declaring repository ${declaring}`}); the operator lists repositories in the project's sourceRepos`,
    });
  }
  const ns = app.spec.destination.namespace;
  if (!namespaceAllowed(app, project, ns)) {
    problems.push({
      ...origin(app),
      field: "spec.destination.namespace",
      message: `namespace ${ns} is not permitted in project "${project.name}" (destinations: ${(project.destinations ?? []).map((d) => d.namespace).join(", ")})`,
    });
  }
  return problems;
}

/** One rendered object with the repository-relative file it came from, when known. */
export interface ProjectSubject {
  object: ManifestObject;
  file?: string;
}

/**
 * What the rendered objects ask: every object in a namespace the project allows (by default the
 * Application's own), and every pod within the project's pod-security level and exceptions.
 */
export function objectProblems(app: Application, project: ProjectConfig, subjects: readonly ProjectSubject[]): Problem[] {
  const problems: Problem[] = [];
  for (const { object, file } of subjects) {
    const ns = object.metadata.namespace || app.spec.destination.namespace;
    if (!namespaceAllowed(app, project, ns)) {
      const allowed = project.destinations ? `the project's destinations (${project.destinations.map((d) => d.namespace).join(", ")})` : `its destination namespace ${app.spec.destination.namespace}`;
      problems.push({
        ...(file ? { file } : {}),
        field: "metadata.namespace",
        message: `${object.kind} ${object.metadata.name}: namespace ${ns} is outside what application ${app.metadata.name} may deploy to in project "${project.name}": ${allowed} (remove metadata.namespace, or ask the operator to add the namespace to the project's destinations)`,
      });
    }
  }
  problems.push(...checkPodSecurity(subjects, project.podSecurity));
  return problems;
}

/** Every project check of one Application, declared in `declaredIn`, and what it renders: the Application's own, then its objects'. */
export function projectProblems(app: Application, declaredIn: string, config: Pick<CapstanConfig, "projects"> | undefined, subjects: readonly ProjectSubject[]): Problem[] {
  const project = projectOf(app, config);
  if (!project.ok) return [project.problem];
  return [...applicationProblems(app, project.value, declaredIn), ...objectProblems(app, project.value, subjects)];
}

/**
 * Who a namespace belongs to once an application of `project` deploys there: its project. The
 * applications of one project share the namespaces they use (as several Argo CD applications
 * deploy to one namespace); another project's applications cannot deploy there.
 */
export function namespaceClaimant(project: ProjectConfig): string {
  return `project ${project.name}`;
}

/**
 * Namespaces an application may not use although its project allows them: one another configured
 * project's destinations reserve for that project, or one where another project's applications
 * already run (a namespace its own project's destinations name is its project's to take). Without
 * this, an Application could name another team's namespace as its own destination, and its pods
 * would join that namespace's network and Services.
 */
export function namespaceProblems(
  app: Application,
  project: ProjectConfig,
  config: Pick<CapstanConfig, "projects"> | undefined,
  namespaces: readonly string[],
  owner: (namespace: string) => string | undefined,
): Problem[] {
  const claimant = namespaceClaimant(project);
  const reserves = (p: ProjectConfig, ns: string) => p.name !== DEFAULT_PROJECT.name && p.destinations !== undefined && matches(p.destinations.map((d) => d.namespace), ns);
  const problems: Problem[] = [];
  for (const ns of new Set(namespaces)) {
    const reserving = (config?.projects ?? []).find((p) => p.name !== project.name && reserves(p, ns));
    const held = reserves(project, ns) ? undefined : owner(ns);
    const by = reserving ? `project ${reserving.name} (its destinations)` : held !== undefined && held !== claimant ? held : undefined;
    if (by === undefined) continue;
    problems.push({
      ...origin(app),
      field: "spec.destination.namespace",
      message: `namespace ${ns} belongs to ${by}; application ${app.metadata.name} of project "${project.name}" cannot deploy there (choose another namespace, or ask the operator to put both in one project)`,
    });
  }
  return problems;
}

/**
 * Objects of `objects` that another application already declares (`owners`: object key → owning
 * application): an object has one owner, as Argo CD's SharedResourceWarning says, here refused.
 */
export function sharedObjectProblems(app: string, keys: readonly { key: string; file?: string }[], owners: (key: string) => string | undefined): Problem[] {
  const problems: Problem[] = [];
  for (const { key, file } of keys) {
    const owner = owners(key);
    if (owner === undefined || owner === app) continue;
    const [namespace, kind, name] = key.split("/");
    problems.push({
      ...(file ? { file } : {}),
      field: "metadata.name",
      message: `${kind} ${namespace}/${name} is already declared by application ${owner}; application ${app} cannot declare it too (SharedResource: rename it, or remove it from one of the two)`,
    });
  }
  return problems;
}
