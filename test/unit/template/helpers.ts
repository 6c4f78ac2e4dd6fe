import { include, tpl } from "../../../src/template/funcs/exec-bound.js";
import type { GoFunc } from "../../../src/template/funcs/types.js";
import { TemplateError } from "../../../src/template/errors.js";
import { TemplateSet } from "../../../src/template/set.js";
import type { TemplateSetOptions } from "../../../src/template/set.js";
import type { GoValue } from "../../../src/template/values.js";

/** A set with Go's builtins plus Helm's include and tpl (no Sprig needed). */
export function goSet(options: Omit<TemplateSetOptions, "funcs"> = {}): TemplateSet {
  return new TemplateSet({
    ...options,
    funcs: "go",
    extraFuncs: { include: include as unknown as GoFunc, tpl: tpl as unknown as GoFunc, ...options.extraFuncs },
  });
}

/** Render one text as template `name` with Go's builtins plus include/tpl. */
export function render(text: string, data: GoValue = {}, name = "t.yaml"): string {
  const set = goSet();
  set.parse(name, text);
  return set.execute(name, data);
}

/** The TemplateError a render throws (fails the test if it does not throw one). */
export function renderError(text: string, data: GoValue = {}, name = "t.yaml"): TemplateError {
  try {
    render(text, data, name);
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(text)} to fail`);
}
