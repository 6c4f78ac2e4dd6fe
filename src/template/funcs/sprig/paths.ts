/** Go's path (slash-separated) functions; the os* forms use filepath, which is the same on Linux. */
import type { FuncMap } from "../types.js";
import { needString } from "../args.js";

/** Go's path.Clean: shortest equivalent path by lexical processing. */
export function cleanPath(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  if (rooted) return "/" + joined;
  return joined === "" ? "." : joined;
}

export function basePath(p: string): string {
  if (p === "") return ".";
  const trimmed = p.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  const i = trimmed.lastIndexOf("/");
  return i >= 0 ? trimmed.slice(i + 1) : trimmed;
}

export function dirPath(p: string): string {
  const i = p.lastIndexOf("/");
  return cleanPath(p.slice(0, i + 1));
}

export function extPath(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== "/"; i--) {
    if (p[i] === ".") return p.slice(i);
  }
  return "";
}

export function pathFuncs(): FuncMap {
  const table: FuncMap = {
    base: (p) => basePath(needString(p)),
    dir: (p) => dirPath(needString(p)),
    clean: (p) => cleanPath(needString(p)),
    ext: (p) => extPath(needString(p)),
    isAbs: (p) => needString(p).startsWith("/"),
  };
  table["osBase"] = table["base"] as FuncMap[string];
  table["osDir"] = table["dir"] as FuncMap[string];
  table["osClean"] = table["clean"] as FuncMap[string];
  table["osExt"] = table["ext"] as FuncMap[string];
  table["osIsAbs"] = table["isAbs"] as FuncMap[string];
  return table;
}
