/**
 * Helm's own template functions (engine/funcs.go) that need no executor: required, the YAML, JSON
 * and TOML converters, lookup. `include` and `tpl` are bound by the executor.
 *
 * toYaml follows sigs.k8s.io/yaml: the value goes through encoding/json first (whole numbers as
 * integers), then go-yaml v2 writes it (see sprig/goyaml.ts for the emitter).
 */
import { parse as parseTomlText } from "smol-toml";
import { LineCounter, parseAllDocuments } from "yaml";
import type { Tags } from "yaml";
import { checkYamlDocument } from "../../manifest/yaml.js";
import { compareGoStrings, formatFloat } from "../fmt.js";
import { GoStruct, isGoMap, isNil } from "../values.js";
import type { GoMap, GoValue } from "../values.js";
import { goTypeName, needString, structFields } from "./args.js";
import { emitYaml } from "./sprig/goyaml.js";
import type { YamlTree } from "./sprig/goyaml.js";
import { goJsonMarshal, goJsonUnmarshal } from "./sprig/json.js";
import { withSignatures } from "./sprig/signatures.js";
import type { FuncMap, LookupFn } from "./types.js";

// ---------------------------------------------------------------------------------------------
// YAML

/** The value as encoding/json sees it (Helm's toYaml marshals to JSON first). */
function jsonTree(v: GoValue): YamlTree {
  // json.Marshal decides what fails (NaN, functions); the tree keeps ints exact.
  goJsonMarshal(v, { escapeHTML: false, indent: "" });
  const conv = (x: GoValue): YamlTree => {
    if (isNil(x)) return null;
    if (Array.isArray(x)) return x.map(conv);
    if (x instanceof GoStruct) {
      const marshal = (x as unknown as Record<string, unknown>)["marshalJSON"];
      if (typeof marshal === "function") return conv((marshal as () => GoValue).call(x));
      return Object.fromEntries(structFields(x).map(([k, f]) => [k, conv(f)]));
    }
    if (isGoMap(x)) return Object.fromEntries(Object.keys(x).map((k) => [k, conv(x[k] ?? null)]));
    return x as YamlTree;
  };
  return conv(v);
}

/** A value as go-yaml encodes it directly (structs by field). */
function plainTree(v: GoValue): YamlTree {
  if (isNil(v)) return null;
  if (Array.isArray(v)) return v.map(plainTree);
  if (v instanceof GoStruct) {
    const marshal = (v as unknown as Record<string, unknown>)["marshalJSON"];
    if (typeof marshal === "function") return plainTree((marshal as () => GoValue).call(v));
    return Object.fromEntries(structFields(v).map(([k, x]) => [k, plainTree(x)]));
  }
  if (isGoMap(v)) return Object.fromEntries(Object.keys(v).map((k) => [k, plainTree(v[k] ?? null)]));
  if (typeof v === "function") throw new Error(`cannot marshal type: ${goTypeName(v)}`);
  return v as YamlTree;
}

/**
 * Whether the value is already what the JSON round trip would give back: plain maps, lists,
 * strings, ints, finite floats, bools and nil (no structs, functions, NaN or missing values).
 * Values from values.yaml almost always are, and then the round trip can be skipped.
 */
function isJsonPlain(v: GoValue): boolean {
  switch (typeof v) {
    case "string":
    case "bigint":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(v);
    case "object":
      break;
    default:
      return false;
  }
  if (v === null) return true;
  if (Array.isArray(v)) {
    for (const x of v) if (!isJsonPlain(x)) return false;
    return true;
  }
  if (!isGoMap(v)) return false;
  for (const k in v) if (!isJsonPlain(v[k])) return false;
  return true;
}

/** Helm's toYaml (sigs.k8s.io/yaml: JSON, then go-yaml v2), trailing newline removed. */
export function toYaml(v: GoValue): string {
  const out = emitYaml(isJsonPlain(v) ? (v as YamlTree) : jsonTree(v));
  return out.endsWith("\n") ? out.slice(0, -1) : out;
}

/** Helm's toYamlPretty: go-yaml v3 with indent 2 (sequences indented under their key). */
export function toYamlPretty(v: GoValue): string {
  return emitYaml(plainTree(v), { indentSequences: true }).replace(/\n$/, "");
}

/** YAML 1.1 as go-yaml v2 reads it into interface{}: no timestamps, sexagesimals or !!binary. */
const KEEP_TAGS = (tags: Tags): Tags =>
  tags.filter((t) => {
    const tag = typeof t === "string" ? t : t.tag;
    const format = typeof t === "string" ? undefined : t.format;
    if (format === "TIME") return false;
    return !/:(binary|omap|pairs|set|timestamp)$/.test(tag);
  });

/** sigs.k8s.io/yaml Unmarshal: the first document, through JSON (numbers become float64). */
export function parseYamlAsJson(text: string): GoValue {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { version: "1.1", customTags: KEEP_TAGS, merge: true, uniqueKeys: false, lineCounter });
  const list = Array.isArray(docs) ? docs : [docs];
  const doc = list[0];
  if (!doc) return null;
  // Templates parse text from values (untrusted): aliases are bounded (an alias bomb is an error, not a hang).
  if (doc.errors.length === 0) checkYamlDocument(doc, text, lineCounter, { uniqueKeys: false });
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line;
    throw new Error(`error converting YAML to JSON: yaml: ${line !== undefined ? `line ${line}: ` : ""}${err.message.split("\n")[0]}`);
  }
  const js = doc.toJS() as unknown;
  return JSON.parse(JSON.stringify(js, (_k, val: unknown) => (typeof val === "bigint" ? Number(val) : val)) ?? "null") as GoValue;
}

function unmarshalError(got: GoValue, into: "map[string]interface {}" | "[]interface {}"): Error {
  const kind = Array.isArray(got) ? "array" : isGoMap(got) ? "object" : typeof got === "string" ? "string" : typeof got === "boolean" ? "bool" : "number";
  return new Error(`json: cannot unmarshal ${kind} into Go value of type ${into}`);
}

function fromYaml(text: string): GoMap {
  let v: GoValue;
  try {
    v = parseYamlAsJson(text);
  } catch (e) {
    return { Error: (e as Error).message };
  }
  if (isNil(v)) return {};
  if (!isGoMap(v)) return { Error: `error unmarshaling JSON: while decoding JSON: ${unmarshalError(v, "map[string]interface {}").message}` };
  return v;
}

function fromYamlArray(text: string): GoValue[] {
  let v: GoValue;
  try {
    v = parseYamlAsJson(text);
  } catch (e) {
    return [(e as Error).message];
  }
  if (isNil(v)) return [];
  if (!Array.isArray(v)) return [`error unmarshaling JSON: while decoding JSON: ${unmarshalError(v, "[]interface {}").message}`];
  return v;
}

// ---------------------------------------------------------------------------------------------
// JSON

function fromJson(text: string): GoMap {
  let v: GoValue;
  try {
    v = goJsonUnmarshal(text);
  } catch (e) {
    return { Error: (e as Error).message };
  }
  if (isNil(v)) return {};
  if (!isGoMap(v)) return { Error: unmarshalError(v, "map[string]interface {}").message };
  return v;
}

function fromJsonArray(text: string): GoValue[] {
  let v: GoValue;
  try {
    v = goJsonUnmarshal(text);
  } catch (e) {
    return [(e as Error).message];
  }
  if (isNil(v)) return [];
  if (!Array.isArray(v)) return [unmarshalError(v, "[]interface {}").message];
  return v;
}

// ---------------------------------------------------------------------------------------------
// TOML, laid out as BurntSushi/toml's encoder does: sorted keys, plain values before tables,
// tables indented two spaces per level, floats always with a fraction.

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

function tomlKey(k: string): string {
  return BARE_KEY.test(k) ? k : tomlString(k);
}

function tomlString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += "\\u" + c.toString(16).toUpperCase().padStart(4, "0");
    else out += ch;
  }
  return out + '"';
}

function tomlFloat(f: number): string {
  if (Number.isNaN(f)) return "nan";
  if (!Number.isFinite(f)) return f > 0 ? "inf" : "-inf";
  let s = formatFloat(f, "f", -1);
  if (!s.includes(".")) s += ".0";
  return s;
}

type TomlTree = { [k: string]: unknown };
const isTable = (v: unknown): v is TomlTree => v !== null && typeof v === "object" && !Array.isArray(v);
const isTableArray = (v: unknown): v is TomlTree[] => Array.isArray(v) && v.length > 0 && v.every(isTable);

function tomlValue(v: unknown): string {
  if (typeof v === "string") return tomlString(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return tomlFloat(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (Array.isArray(v)) return "[" + v.filter((x) => x !== null).map(tomlValue).join(", ") + "]";
  if (isTable(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== null).sort(compareGoStrings);
    return "{" + keys.map((k) => `${tomlKey(k)} = ${tomlValue(v[k])}`).join(", ") + "}";
  }
  throw new Error(`toml: cannot encode a nil value`);
}

/** TOML tree of a Go value: ints as bigint, floats as number, structs by field. */
function tomlTree(v: GoValue): unknown {
  if (isNil(v)) return null;
  if (Array.isArray(v)) return v.map(tomlTree);
  if (v instanceof GoStruct) return Object.fromEntries(structFields(v).map(([k, x]) => [k, tomlTree(x)]));
  if (isGoMap(v)) return Object.fromEntries(Object.keys(v).map((k) => [k, tomlTree(v[k] ?? null)]));
  if (typeof v === "function") throw new Error(`toml: cannot encode type ${goTypeName(v)}`);
  return v;
}

function toToml(v: GoValue): string {
  const tree = tomlTree(v);
  if (!isTable(tree)) throw new Error("toml: top-level values must be Go maps or structs");
  let out = "";
  const newline = (): void => {
    if (out !== "") out += "\n";
  };
  const indent = (depth: number): string => "  ".repeat(Math.max(0, depth));
  const path = (key: string[]): string => key.map(tomlKey).join(".");
  const writeTable = (key: string[], table: TomlTree): void => {
    const keys = Object.keys(table)
      .filter((k) => table[k] !== null)
      .sort(compareGoStrings);
    const direct = keys.filter((k) => !isTable(table[k]) && !isTableArray(table[k]));
    const sub = keys.filter((k) => isTable(table[k]) || isTableArray(table[k]));
    for (const k of direct) {
      out += `${indent(key.length)}${tomlKey(k)} = ${tomlValue(table[k])}`;
      newline();
    }
    for (const k of sub) {
      const child = table[k];
      const childKey = [...key, k];
      if (isTableArray(child)) {
        for (const t of child) {
          newline();
          out += `${indent(childKey.length - 1)}[[${path(childKey)}]]`;
          newline();
          writeTable(childKey, t);
        }
      } else if (isTable(child)) {
        if (childKey.length === 1) newline();
        out += `${indent(childKey.length - 1)}[${path(childKey)}]`;
        newline();
        writeTable(childKey, child);
      }
    }
  };
  writeTable([], tree);
  return out;
}

/** Helm's fromToml: a map, or a map holding "Error" when the text is not TOML. */
function fromToml(text: string): GoMap {
  try {
    return JSON.parse(JSON.stringify(parseTomlText(text), (_k, val: unknown) => (typeof val === "bigint" ? Number(val) : val))) as GoMap;
  } catch (e) {
    return { Error: (e as Error).message };
  }
}

// ---------------------------------------------------------------------------------------------

export interface HelmFuncOptions {
  /** Reads one live object (or a list when name is ""); without it, lookup gives an empty map as `helm template` does. */
  lookup?: LookupFn;
}

export function helmFuncs(opts: HelmFuncOptions = {}): FuncMap {
  return withSignatures({
    required: (warn, val) => {
      if (isNil(val) || val === "") throw new Error(needString(warn));
      return val;
    },
    toYaml: (v) => {
      try {
        return toYaml(v ?? null);
      } catch {
        return "";
      }
    },
    mustToYaml: (v) => toYaml(v ?? null),
    toYamlPretty: (v) => {
      try {
        return toYamlPretty(v ?? null);
      } catch {
        return "";
      }
    },
    fromYaml: (s) => fromYaml(needString(s)),
    fromYamlArray: (s) => fromYamlArray(needString(s)),
    toJson: (v) => {
      try {
        return goJsonMarshal(v ?? null);
      } catch {
        return "";
      }
    },
    mustToJson: (v) => goJsonMarshal(v ?? null),
    fromJson: (s) => fromJson(needString(s)),
    fromJsonArray: (s) => fromJsonArray(needString(s)),
    toToml: (v) => {
      try {
        return toToml(v ?? null);
      } catch (e) {
        return (e as Error).message;
      }
    },
    fromToml: (s) => fromToml(needString(s)),
    lookup: (apiVersion, kind, namespace, name) => {
      const args = [apiVersion, kind, namespace, name].map((a) => needString(a ?? null)) as [string, string, string, string];
      if (!opts.lookup) return {};
      return opts.lookup(...args) ?? {};
    },
  });
}
