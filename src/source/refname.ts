import { CapstanError } from "../errors.js";

/**
 * Why `ref` is not a name `git check-ref-format --allow-onelevel` would accept, or undefined when it is.
 * Also refuses a leading '-', so a ref can never be read as an option.
 */
export function refNameProblem(ref: string): string | undefined {
  if (ref.length === 0) return "it is empty";
  if (ref.startsWith("-")) return "it starts with '-'";
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f]/.test(ref)) return "it contains a space or control character";
  const bad = /[~^:?*[\\]/.exec(ref);
  if (bad) return `it contains '${bad[0]}'`;
  if (ref.includes("..")) return "it contains '..'";
  if (ref.includes("@{")) return "it contains '@{'";
  if (ref === "@") return "it is the single character '@'";
  if (ref.startsWith("/") || ref.endsWith("/")) return "it starts or ends with '/'";
  if (ref.includes("//")) return "it contains '//'";
  if (ref.endsWith(".")) return "it ends with '.'";
  for (const component of ref.split("/")) {
    if (component.startsWith(".")) return `its component '${component}' starts with '.'`;
    if (component.endsWith(".lock")) return `its component '${component}' ends with '.lock'`;
  }
  return undefined;
}

/** Throws GIT_REF_INVALID unless `ref` is a valid ref name (or a SHA, which always is). */
export function assertRefName(ref: string): void {
  const problem = refNameProblem(ref);
  if (problem !== undefined) {
    throw new CapstanError(
      "GIT_REF_INVALID",
      `revision ${JSON.stringify(ref)} is not a valid git ref name: ${problem} ` +
        "(use a branch, a tag, a commit SHA or a pull-request ref such as pull/12/head)",
    );
  }
}
