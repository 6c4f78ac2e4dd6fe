/**
 * Go's encoding/json over template values: map keys sorted, ints exact, whole floats without a
 * fraction, `<`, `>`, `&`, U+2028 and U+2029 escaped unless asked not to (json.Marshal escapes them).
 */
import { compareGoStrings } from "../../fmt.js";
import { GoStruct, isGoMap, isNil } from "../../values.js";
import type { GoMap, GoValue } from "../../values.js";
import { goTypeName, structFields } from "../args.js";

export interface JsonOptions {
  escapeHTML: boolean;
  indent: string;
}

/** A value that knows its own JSON form (time.Time marshals as an RFC 3339 string). */
export interface JsonMarshaler {
  marshalJSON(): GoValue;
}

function isMarshaler(v: unknown): v is JsonMarshaler {
  return v instanceof GoStruct && typeof (v as unknown as Record<string, unknown>)["marshalJSON"] === "function";
}

function quoteJson(s: string, escapeHTML: boolean): string {
  let out = JSON.stringify(s);
  if (escapeHTML) out = out.replace(/[<>&]/g, (c) => "\\u00" + c.charCodeAt(0).toString(16));
  return out.replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function floatJson(f: number): string {
  if (!Number.isFinite(f)) throw new Error(`json: unsupported value: ${f !== f ? "NaN" : f > 0 ? "+Inf" : "-Inf"}`);
  return JSON.stringify(f);
}

/** json.Marshal / MarshalIndent. Throws Go's error text for unsupported values. */
export function goJsonMarshal(v: GoValue, opts: JsonOptions = { escapeHTML: true, indent: "" }): string {
  const nl = (depth: number): string => (opts.indent ? "\n" + opts.indent.repeat(depth) : "");
  const colon = opts.indent ? ": " : ":";
  const enc = (x: GoValue, depth: number): string => {
    if (isNil(x)) return "null";
    switch (typeof x) {
      case "string":
        return quoteJson(x, opts.escapeHTML);
      case "bigint":
        return x.toString();
      case "number":
        return floatJson(x);
      case "boolean":
        return x ? "true" : "false";
      case "function":
        throw new Error(`json: unsupported type: ${goTypeName(x)}`);
      default:
        break;
    }
    if (Array.isArray(x)) {
      if (x.length === 0) return "[]";
      return "[" + x.map((e) => nl(depth + 1) + enc(e, depth + 1)).join(",") + nl(depth) + "]";
    }
    if (isMarshaler(x)) return enc(x.marshalJSON(), depth);
    const entries: [string, GoValue][] =
      x instanceof GoStruct
        ? structFields(x)
        : Object.keys(x)
            .sort(compareGoStrings)
            .map((k) => [k, (x as GoMap)[k] ?? null]);
    if (entries.length === 0) return "{}";
    return (
      "{" +
      entries.map(([k, e]) => nl(depth + 1) + quoteJson(k, opts.escapeHTML) + colon + enc(e, depth + 1)).join(",") +
      nl(depth) +
      "}"
    );
  };
  return enc(v, 0);
}

/** json.Unmarshal into interface{}: numbers become float64, objects maps. Throws Go-like messages. */
export function goJsonUnmarshal(s: string): GoValue {
  try {
    return JSON.parse(s) as GoValue;
  } catch (e) {
    const msg = (e as Error).message;
    if (s.trim() === "") throw new Error("unexpected end of JSON input");
    throw new Error(msg.replace(/^Unexpected token/, "invalid character").replace(/ in JSON at position \d+.*$/, ""));
  }
}

/** Deep copy of a template value (maps and lists copied; structs shared, as copystructure copies them whole). */
export function deepCopy(v: GoValue): GoValue {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isGoMap(v)) {
    const out: GoMap = {};
    for (const k of Object.keys(v)) out[k] = deepCopy(v[k] ?? null);
    return out;
  }
  return v ?? null;
}
