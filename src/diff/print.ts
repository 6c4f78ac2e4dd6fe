import { hasDifferences } from "./objects.js";
import { objectYAML } from "./yaml.js";
import { unifiedDiff } from "./lines.js";
import type { AppDiff, DiffReport, DiffResult, ObjectChange, ObjectEntry, RevisionLabel } from "./types.js";
import { formatProblem } from "../errors.js";

export type DiffFormat = "text" | "markdown" | "json";

export interface TextOptions {
  /** ANSI colours (the CLI turns them on for a TTY unless NO_COLOR is set). */
  color?: boolean;
}

const short = (sha: string | undefined) => (sha ? sha.slice(0, 7) : "?");
const label = (r: RevisionLabel | undefined) => (r ? `${r.ref} (${short(r.sha)})` : "?");

function objectTitle(o: { kind: string; namespace: string; name: string }): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
}

interface ObjectDiffText {
  title: string;
  status: "added" | "removed" | "changed";
  text: string;
  rollout?: string;
}

/** The unified YAML diff of each object that differs, in key order: changed, added, removed. */
export function objectDiffs(result: DiffResult): ObjectDiffText[] {
  const out: ObjectDiffText[] = [];
  const push = (status: ObjectDiffText["status"], o: ObjectEntry | ObjectChange, before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined) => {
    const name = `${o.namespace ? `${o.namespace}/` : ""}${o.kind}/${o.name}`;
    const text = unifiedDiff(objectYAML(before), objectYAML(after), before ? `base/${name}` : "/dev/null", after ? `revision/${name}` : "/dev/null");
    out.push({ title: objectTitle(o), status, text, ...(o.rollout ? { rollout: o.rollout } : {}) });
  };
  for (const c of result.changed) push("changed", c, c.base, c.target);
  for (const a of result.added) push("added", a, undefined, a.object);
  for (const r of result.removed) push("removed", r, r.object, undefined);
  return out;
}

function counts(app: AppDiff): { added: number; changed: number; removed: number } {
  return {
    added: app.result?.added.length ?? 0,
    changed: app.result?.changed.length ?? 0,
    removed: app.result?.removed.length ?? 0,
  };
}

function rollouts(result: DiffResult | undefined): string[] {
  if (!result) return [];
  return [...result.changed, ...result.added, ...result.removed].flatMap((o) => (o.rollout ? [o.rollout] : []));
}

/** For an application with an error: which sides did render, and how much. */
function renderedNotes(app: AppDiff): string[] {
  return (["base", "revision"] as const).flatMap((side) => {
    const n = app.rendered?.[side];
    if (n === undefined) return [];
    const ref = side === "base" ? app.base?.ref : app.revision?.ref;
    return [`${side} (${ref ?? "?"}) rendered ${n === 1 ? "1 object" : `${n} objects`}`];
  });
}

/** True when any application differs or failed to render (what decides exit code 1). */
export function reportHasDifferences(report: DiffReport): boolean {
  return report.apps.some((a) => a.result !== undefined && hasDifferences(a.result));
}

const ansi = { red: "\x1b[31m", green: "\x1b[32m", cyan: "\x1b[36m", bold: "\x1b[1m", yellow: "\x1b[33m", reset: "\x1b[0m" };

function paint(text: string, color: boolean): string {
  if (!color) return text;
  return text
    .split("\n")
    .map((line) => {
      if (line.startsWith("+++") || line.startsWith("---")) return `${ansi.bold}${line}${ansi.reset}`;
      if (line.startsWith("@@")) return `${ansi.cyan}${line}${ansi.reset}`;
      if (line.startsWith("+")) return `${ansi.green}${line}${ansi.reset}`;
      if (line.startsWith("-")) return `${ansi.red}${line}${ansi.reset}`;
      return line;
    })
    .join("\n");
}

/** Plain unified diffs per application, like `argocd app diff`, coloured when asked. */
export function printText(report: DiffReport, options: TextOptions = {}): string {
  const color = options.color ?? false;
  const bold = (s: string) => (color ? `${ansi.bold}${s}${ansi.reset}` : s);
  const out: string[] = [];
  for (const app of report.apps) {
    const c = counts(app);
    out.push(bold(`===== Application ${app.name}: ${label(app.base)} → ${label(app.revision)} =====`));
    for (const e of app.errors) {
      out.push(`${color ? ansi.red : ""}error (${e.side}): ${e.message}${color ? ansi.reset : ""}`);
      for (const p of e.problems ?? []) out.push(`  ${formatProblem(p)}`);
    }
    if (app.errors.length > 0) out.push(...renderedNotes(app));
    if (app.result) {
      out.push(`${c.changed} changed, ${c.added} added, ${c.removed} removed, ${app.result.unchanged.length} unchanged`);
      for (const r of rollouts(app.result)) out.push(`  ${color ? ansi.yellow : ""}${r}${color ? ansi.reset : ""}`);
      for (const d of objectDiffs(app.result)) {
        out.push("", bold(`${d.title} (${d.status})`));
        out.push(paint(d.text.trimEnd(), color));
      }
    }
    out.push("");
  }
  if (report.apps.length === 0) out.push("No differences.\n");
  return out.join("\n");
}

function fence(text: string): string {
  // A diff line holding ``` would close the block early: lengthen the fence past any run inside.
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(longest + 1);
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/</g, "&lt;");
}

export interface MarkdownOptions {
  /**
   * Longest output, in characters (default 60 000: GitHub refuses comments over 65 536).
   * Diff sections that do not fit are left out and counted in a closing note.
   */
  maxLength?: number;
}

/** A pull-request comment: summary table, rollout impact, then one collapsible diff per object. */
export function printMarkdown(report: DiffReport, options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? 60_000;
  const out: string[] = [];
  out.push(`### Capstan diff for \`${report.repo}\``, "");
  if (report.apps.length === 0) {
    out.push("No application's rendered manifests changed.", "");
    return out.join("\n");
  }
  out.push("| Application | Base → revision | Added | Changed | Removed |", "|---|---|---:|---:|---:|");
  for (const app of report.apps) {
    const c = counts(app);
    const status = app.errors.length > 0 ? ` ⚠️ ${app.errors.map((e) => `${e.side} failed`).join(", ")}` : "";
    const cells = app.result ? [c.added, c.changed, c.removed] : ["–", "–", "–"];
    out.push(`| ${escapeCell(app.name)}${status} | \`${label(app.base)}\` → \`${label(app.revision)}\` | ${cells.join(" | ")} |`);
  }
  out.push("");
  // Headings, errors and rollout impact always fit; whole diff sections are added while they fit.
  const sections: { app: string; head: string[]; diffs: string[] }[] = [];
  for (const app of report.apps) {
    const head: string[] = [`#### ${escapeCell(app.name)}`, ""];
    for (const e of app.errors) {
      head.push(`**Error on the ${e.side} side:** ${escapeCell(e.message)}`, "");
      if (e.problems?.length) {
        const body = e.problems.map(formatProblem).join("\n");
        const f = fence(body);
        head.push(f, body, f, "");
      }
    }
    const notes = app.errors.length > 0 ? renderedNotes(app) : [];
    if (notes.length > 0) head.push(...notes.map((n) => `${escapeCell(n)}  `), "");
    const impact = rollouts(app.result);
    if (impact.length > 0) head.push(...impact.map((r) => `- ${escapeCell(r)}`), "");
    const diffs = (app.result ? objectDiffs(app.result) : []).map((d) => {
      const f = fence(d.text);
      return [`<details><summary>${escapeCell(d.title)} (${d.status})</summary>`, "", `${f}diff`, d.text.trimEnd(), f, "", "</details>", ""].join("\n");
    });
    sections.push({ app: app.name, head, diffs });
  }
  const note = (n: number) => `_${n} object diff${n === 1 ? "" : "s"} left out to fit a pull-request comment; run \`capstan diff\` locally to see everything._`;
  let size = out.join("\n").length + sections.reduce((n, s) => n + s.head.join("\n").length + 1, 0) + note(999).length + 2;
  let omitted = 0;
  for (const section of sections) {
    out.push(...section.head);
    for (const d of section.diffs) {
      if (size + d.length + 1 > maxLength) {
        omitted++;
        continue;
      }
      size += d.length + 1;
      out.push(d);
    }
  }
  if (omitted > 0) out.push(note(omitted), "");
  return out.join("\n");
}

/** Machine-readable: every object, field changes and an RFC 7396 merge patch per changed object. */
export function printJSON(report: DiffReport): string {
  const apps = report.apps.map((app) => ({
    name: app.name,
    base: app.base ?? null,
    revision: app.revision ?? null,
    differences: app.result ? hasDifferences(app.result) : null,
    added: app.result?.added ?? [],
    removed: app.result?.removed ?? [],
    changed: (app.result?.changed ?? []).map((c) => ({
      key: c.key,
      kind: c.kind,
      name: c.name,
      namespace: c.namespace,
      fields: c.fields,
      mergePatch: c.mergePatch,
      ...(c.rollout ? { rollout: c.rollout } : {}),
      base: c.base,
      target: c.target,
    })),
    unchanged: app.result?.unchanged ?? [],
    errors: app.errors,
  }));
  return `${JSON.stringify({ repo: report.repo, differences: reportHasDifferences(report), applications: apps }, (_k, v) => (typeof v === "bigint" ? Number(v) : v), 2)}\n`;
}

export function printReport(report: DiffReport, format: DiffFormat, options: TextOptions = {}): string {
  switch (format) {
    case "markdown":
      return printMarkdown(report);
    case "json":
      return printJSON(report);
    default:
      return printText(report, options);
  }
}
