/**
 * renderTemplate without Helm's function table loaded: for callers (and tests) that only need
 * Go's builtins. The package entry point (index.ts) offers the same with Helm's functions.
 */
import { TemplateSet } from "./set.js";
import type { GoValue } from "./values.js";

export function renderGoTemplate(text: string, data: GoValue, name = "template"): string {
  const set = new TemplateSet({ funcs: "go" });
  set.parse(name, text);
  return set.execute(name, data);
}
