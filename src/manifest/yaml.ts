import { LineCounter, isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { Document, Node, ParseOptions, DocumentOptions, SchemaOptions, ToJSOptions } from "yaml";
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
  const doc = parseDocument(text, { ...HELM_YAML_OPTIONS, lineCounter, prettyErrors: true, uniqueKeys: true, strict: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const p: Problem = { message: `YAML syntax error: ${firstLine(e.message)}` };
        if (file !== undefined) p.file = file;
        if (pos) {
          p.line = pos.line + lineOffset;
          p.column = pos.col;
        }
        return p;
      }),
    };
  }
  const value = doc.toJS({ maxAliasCount: 1000 }) as unknown;
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
