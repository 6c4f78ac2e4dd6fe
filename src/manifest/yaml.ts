import { LineCounter, YAMLParseError, isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from "yaml";
import type { Document, ErrorCode, Node, ParseOptions, DocumentOptions, SchemaOptions, ToJSOptions } from "yaml";
import type { Problem } from "../errors.js";

/**
 * YAML as Helm and Kubernetes read it (go-yaml v2 through sigs.k8s.io/yaml): YAML 1.1 scalars,
 * so `yes`/`no`/`on`/`off`/`y`/`n` are booleans and `0777` is octal, but timestamps and
 * `12:30`-style numbers stay strings, as go-yaml leaves them when decoding into interface{}.
 */
export const HELM_YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions & ToJSOptions = {
  version: "1.1",
  customTags: (tags) =>
    tags.filter((t) => {
      const tag = t as { format?: string; tag?: string };
      return tag.format !== "TIME" && tag.tag !== "tag:yaml.org,2002:timestamp";
    }),
};

/** A parsed YAML document that can tell where a field path sits in the text. */
export interface PositionedYaml {
  value: unknown;
  /** Line and column (1-based) of the node at `path`, or of its nearest existing parent. */
  position(path: readonly (string | number)[], key?: boolean): { line: number; column: number } | undefined;
}

/**
 * Parses one YAML document keeping positions. Syntax errors come back as Problems carrying
 * the line, offset by `lineOffset` when the document sits inside a larger file.
 */
export function parseYamlWithPositions(
  text: string,
  file: string | undefined,
  lineOffset = 0,
): { ok: true; value: PositionedYaml } | { ok: false; errors: Problem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...HELM_YAML_OPTIONS, lineCounter, prettyErrors: true, uniqueKeys: false, strict: false });
  if (doc.errors.length === 0) checkYamlDocument(doc, text, lineCounter);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const what = e.code === "RESOURCE_EXHAUSTION" ? "" : "YAML syntax error: ";
        const p: Problem = { message: `${what}${firstLine(e.message)}` };
        if (file !== undefined) p.file = file;
        if (pos) {
          p.line = pos.line + lineOffset;
          p.column = pos.col;
        }
        return p;
      }),
    };
  }
  const value = doc.toJS() as unknown;
  return { ok: true, value: { value, position: (path, key) => locate(doc, lineCounter, path, lineOffset, key) } };
}

function firstLine(s: string): string {
  return (s.split("\n")[0] ?? s).replace(/ at line \d+, column \d+:?$/, "");
}

function locate(
  doc: Document,
  lc: LineCounter,
  path: readonly (string | number)[],
  lineOffset: number,
  wantKey = false,
): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let found: { offset: number } | undefined = rangeOf(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((it) => (isScalar(it.key) ? String(it.key.value) : String(it.key)) === String(seg));
      if (!pair) break;
      const keyRange = rangeOf(pair.key);
      if (last && wantKey && keyRange) {
        found = keyRange;
        break;
      }
      node = pair.value;
      found = rangeOf(node) ?? keyRange ?? found;
    } else if (isSeq(node) && typeof seg === "number") {
      node = node.items[seg];
      if (node === undefined) break;
      found = rangeOf(node) ?? found;
    } else {
      break;
    }
  }
  if (!found) return undefined;
  const pos = lc.linePos(found.offset);
  return { line: pos.line + lineOffset, column: pos.col };
}

function rangeOf(node: unknown): { offset: number } | undefined {
  const r = (node as Node | null | undefined)?.range;
  return r ? { offset: r[0] } : undefined;
}

/**
 * Most values aliases may add to one document. Every commit is untrusted: nine aliases of nine
 * aliases of nine (a "billion laughs") make a few hundred bytes that expand past memory. Helm's
 * go-yaml refuses excessive aliasing too, at about a million values; the charts people write use
 * a few hundred.
 */
export const MAX_ALIAS_EXPANSION = 200_000;

/**
 * Checks a composed document in linear time, adding errors (with positions) to `doc.errors`:
 * duplicate map keys (when `uniqueKeys`; the yaml library's own check compares every key with
 * every other, minutes for a values file with 40k keys), aliases naming no anchor or their own
 * ancestor, and aliases expanding past MAX_ALIAS_EXPANSION values (which also bounds how deep
 * chains of anchors can nest: each level adds the whole level below). Each alias is replaced by
 * the node it names, so `doc.toJS()` copies instead of resolving aliases (the library looks every
 * alias up by scanning the whole document, quadratic in the number of aliases).
 */
export function checkYamlDocument(doc: Document, text: string, lineCounter: LineCounter, options: { uniqueKeys?: boolean } = {}): void {
  const uniqueKeys = options.uniqueKeys ?? true;
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, number>();
  const open = new Set<Node>();
  let added = 0;
  const fail = (at: unknown, code: ErrorCode, message: string): never => {
    throw new Refusal(rangeOf(at)?.offset ?? 0, code, message);
  };

  // Returns the node to keep in the parent's place (an alias's target, or the node itself) and its size in values once expanded.
  const visit = (node: unknown): { node: unknown; size: number } => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) fail(node, "BAD_ALIAS", `alias *${node.source} names no anchor before it`);
      const t = target as Node;
      if (open.has(t)) fail(node, "BAD_ALIAS", `alias *${node.source} is inside the node it names (a cycle)`);
      const size = sizes.get(t) as number;
      added += size - 1;
      if (added > MAX_ALIAS_EXPANSION) {
        fail(node, "RESOURCE_EXHAUSTION", `aliases expand this document past ${MAX_ALIAS_EXPANSION} values (an alias bomb?); write the values out or use fewer aliases`);
      }
      return { node: t, size };
    }
    const anchor = (node as { anchor?: string } | null)?.anchor;
    const anchored = anchor !== undefined && anchor !== "" ? (node as Node) : undefined;
    if (anchored) {
      anchors.set(anchor as string, anchored);
      open.add(anchored);
    }
    let size = 1;
    if (isMap(node)) {
      const keys = uniqueKeys ? new Set<unknown>() : undefined;
      for (const pair of node.items) {
        if (keys && isScalar(pair.key)) {
          const k = pair.key.value;
          // The library's test: scalar values compared with === (so NaN never repeats, and each `<<` is its own symbol).
          if (keys.has(k) && !Number.isNaN(k)) fail(pair.key, "DUPLICATE_KEY", "Map keys must be unique");
          keys.add(k);
        }
        size += visitPair(pair);
      }
    } else if (isSeq(node)) {
      const items = node.items;
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        if (isPair(item)) {
          size += visitPair(item);
          continue;
        }
        const r = visit(item);
        items[i] = r.node;
        size += r.size;
      }
    }
    if (anchored) {
      open.delete(anchored);
      sizes.set(anchored, size);
    }
    return { node, size };
  };
  const visitPair = (pair: { key: unknown; value: unknown }): number => {
    const k = visit(pair.key);
    const v = visit(pair.value);
    pair.key = k.node;
    pair.value = v.node;
    return k.size + v.size;
  };

  try {
    visit(doc.contents);
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    const err = new YAMLParseError([e.offset, e.offset + 1], e.code, e.message);
    prettify(err, text, lineCounter);
    doc.errors.push(err);
  }
}

class Refusal {
  constructor(
    readonly offset: number,
    readonly code: ErrorCode,
    readonly message: string,
  ) {}
}

/** The yaml library's own error text (`… at line L, column C:` and the line with a caret), which it does not export. */
function prettify(error: YAMLParseError, src: string, lc: LineCounter): void {
  error.linePos = [lc.linePos(error.pos[0])];
  const { line, col } = error.linePos[0];
  error.message += ` at line ${line}, column ${col}`;
  let ci = col - 1;
  let lineStr = src.substring(lc.lineStarts[line - 1] ?? 0, lc.lineStarts[line]).replace(/[\n\r]+$/, "");
  if (ci >= 60 && lineStr.length > 80) {
    const trimStart = Math.min(ci - 39, lineStr.length - 79);
    lineStr = "…" + lineStr.substring(trimStart);
    ci -= trimStart - 1;
  }
  if (lineStr.length > 80) lineStr = lineStr.substring(0, 79) + "…";
  if (line > 1 && /^ *$/.test(lineStr.substring(0, ci))) {
    let prev = src.substring(lc.lineStarts[line - 2] ?? 0, lc.lineStarts[line - 1]);
    if (prev.length > 80) prev = prev.substring(0, 79) + "…\n";
    lineStr = prev + lineStr;
  }
  if (/[^ ]/.test(lineStr)) error.message += `:\n\n${lineStr}\n${" ".repeat(ci)}^\n`;
}

/**
 * The yaml library's `parse(text, options)` for untrusted text: duplicate keys checked in linear
 * time and aliases bounded (checkYamlDocument). Throws the first error, as `parse` does.
 */
export function parseYamlBounded(text: string, options: ParseOptions & DocumentOptions & SchemaOptions = HELM_YAML_OPTIONS): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...options, lineCounter, uniqueKeys: false });
  if (doc.errors.length === 0) checkYamlDocument(doc, text, lineCounter, { uniqueKeys: options.uniqueKeys !== false });
  if (doc.errors.length > 0) throw doc.errors[0];
  return doc.toJS() as unknown;
}
