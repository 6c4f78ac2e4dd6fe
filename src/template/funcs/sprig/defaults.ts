/** Sprig's default/empty/coalesce family, JSON helpers and ternary. */
import type { GoValue } from "../../values.js";
import type { FuncMap } from "../types.js";
import { isEmpty, needBool, needString } from "../args.js";
import { deepCopy, goJsonMarshal, goJsonUnmarshal } from "./json.js";

const safe = (f: () => string): string => {
  try {
    return f();
  } catch {
    return "";
  }
};

export function defaultFuncs(): FuncMap {
  const toJson = (v: GoValue): string => goJsonMarshal(v);
  const toPrettyJson = (v: GoValue): string => goJsonMarshal(v, { escapeHTML: true, indent: "  " });
  const toRawJson = (v: GoValue): string => goJsonMarshal(v, { escapeHTML: false, indent: "" });
  return {
    default: (d, ...given) => (given.length === 0 || isEmpty(given[0] ?? null) ? (d ?? null) : (given[0] ?? null)),
    empty: (v) => isEmpty(v ?? null),
    coalesce: (...vs) => {
      for (const v of vs) if (!isEmpty(v ?? null)) return v ?? null;
      return null;
    },
    all: (...vs) => vs.every((v) => !isEmpty(v ?? null)),
    any: (...vs) => vs.some((v) => !isEmpty(v ?? null)),
    ternary: (vt, vf, cond) => (needBool(cond) ? (vt ?? null) : (vf ?? null)),
    fromJson: (s) => {
      const text = needString(s);
      try {
        return goJsonUnmarshal(text);
      } catch {
        return null;
      }
    },
    mustFromJson: (s) => goJsonUnmarshal(needString(s)),
    toJson: (v) => safe(() => toJson(v)),
    mustToJson: (v) => toJson(v),
    toPrettyJson: (v) => safe(() => toPrettyJson(v)),
    mustToPrettyJson: (v) => toPrettyJson(v),
    toRawJson: (v) => safe(() => toRawJson(v)),
    mustToRawJson: (v) => toRawJson(v),
    deepCopy: (v) => deepCopy(v ?? null),
    mustDeepCopy: (v) => deepCopy(v ?? null),
  };
}
