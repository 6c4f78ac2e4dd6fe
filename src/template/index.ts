/**
 * Go text/template with Helm's settings and functions: the engine charts render with.
 */
import { helmFuncTable } from "./funcs/index.js";
import type { LookupFn } from "./funcs/types.js";
import { TemplateSet, registerHelmFuncTable } from "./set.js";
import type { GoValue } from "./values.js";

registerHelmFuncTable(helmFuncTable);

export { TemplateSet } from "./set.js";
export type { TemplateSetOptions } from "./set.js";
export { TemplateError } from "./errors.js";
export type { TemplateErrorCode } from "./errors.js";
export { sprintf, sprint, sprintln, formatValue } from "./fmt.js";
export type { GoFunc, LookupFn, GoSignature, GoParamType } from "./funcs/types.js";
export { withSignature } from "./funcs/types.js";
export { GoStruct } from "./values.js";
export type { GoValue, GoMap } from "./values.js";

export interface RenderOptions {
  funcs?: "helm" | "go";
  /** Template name used in error messages (default "template"). */
  name?: string;
  lookup?: LookupFn;
}

/** Parse and run one template text. Throws TemplateError. */
export function renderTemplate(text: string, data: GoValue, options: RenderOptions = {}): string {
  const name = options.name ?? "template";
  const set = new TemplateSet({
    funcs: options.funcs ?? "helm",
    ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
  });
  set.parse(name, text);
  return set.execute(name, data);
}
