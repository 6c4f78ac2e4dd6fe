import { toYaml } from "../template/funcs/helm.js";
import { GoStruct } from "../template/values.js";
import type { GoMap, GoValue } from "../template/values.js";
import type { ChartFile } from "./types.js";

/** Helm's AsConfig/AsSecrets go through its toYaml (sorted keys, no trailing newline). */
function stringMapYaml(m: Record<string, string>): string {
  return toYaml(m);
}

/**
 * Helm's glob over chart file names (gobwas/glob with `/` as separator):
 * `*` and `?` stay within one path segment, `**` crosses them, `[…]` and `{a,b}` as usual.
 */
export function globToRegExp(pattern: string): RegExp {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        re += ".*";
        i++;
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end === -1) re += "\\[";
      else {
        let cls = pattern.slice(i + 1, end);
        if (cls.startsWith("!")) cls = `^${cls.slice(1)}`;
        re += `[${cls.replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else if (c === "{") {
      const end = pattern.indexOf("}", i + 1);
      if (end === -1) re += "\\{";
      else {
        const alts = pattern.slice(i + 1, end).split(",").map((a) => globToRegExp(a).source.slice(1, -1));
        re += `(?:${alts.join("|")})`;
        i = end;
      }
    } else if (c === "\\" && i + 1 < pattern.length) {
      re += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`${re}$`);
}

const basename = (p: string): string => p.slice(p.lastIndexOf("/") + 1);

/**
 * `.Files`: the chart's non-template files, with Helm's methods. Byte slices are given as
 * strings, since the template value model has no byte type.
 */
export class ChartFiles extends GoStruct {
  readonly Get: (name: GoValue) => GoValue;
  readonly GetBytes: (name: GoValue) => GoValue;
  readonly Glob: (pattern: GoValue) => GoValue;
  readonly Lines: (name: GoValue) => GoValue;
  readonly AsConfig: () => GoValue;
  readonly AsSecrets: () => GoValue;

  constructor(files: readonly ChartFile[]) {
    super("engine.files");
    const byName = new Map(files.map((f) => [f.name, f]));
    const text = (name: GoValue): string => byName.get(String(name))?.data.toString("utf8") ?? "";
    this.Get = (name) => text(name);
    this.GetBytes = (name) => text(name);
    this.Glob = (pattern) => {
      const re = globToRegExp(String(pattern));
      return new ChartFiles(files.filter((f) => re.test(f.name)));
    };
    this.Lines = (name) => {
      const f = byName.get(String(name));
      if (!f || f.data.length === 0) return [];
      let s = f.data.toString("utf8");
      if (s.endsWith("\n")) s = s.slice(0, -1);
      return s.split("\n");
    };
    this.AsConfig = () => {
      if (files.length === 0) return "";
      const m: Record<string, string> = {};
      for (const f of files) m[basename(f.name)] = f.data.toString("utf8");
      return stringMapYaml(m);
    };
    this.AsSecrets = () => {
      if (files.length === 0) return "";
      const m: Record<string, string> = {};
      for (const f of files) m[basename(f.name)] = f.data.toString("base64");
      return stringMapYaml(m);
    };
    this.#files = files;
  }

  readonly #files: readonly ChartFile[];

  /** `range $path, $content := .Files.Glob "conf/*"` iterates name → content, as over Helm's map. */
  rangeEntries(): GoMap {
    return Object.fromEntries(this.#files.map((f) => [f.name, f.data.toString("utf8")]));
  }
}
