/**
 * Errors from parsing and executing templates. Messages read like Go's text/template
 * (`template: NAME:LINE:COL: executing "NAME" at <NODE>: …`) because chart authors search for them.
 */
import { CapstanError } from "../errors.js";
import type { Node, Source } from "./ast.js";
import { nodeString } from "./ast.js";

export type TemplateErrorCode = "TEMPLATE_PARSE_FAILED" | "TEMPLATE_EXEC_FAILED";

export class TemplateError extends CapstanError {
  declare readonly code: TemplateErrorCode;
  /** The template being parsed or executed (a file name, or a `define` name). */
  readonly templateName: string;
  /** 1-based line of the failing node or token, when known. */
  readonly line: number | undefined;
  /**
   * The column exactly as Go prints it after the line: a byte offset from the start of the line
   * (Go's own count, which starts at 0 on the first line and at 0 after each newline).
   */
  readonly column: number | undefined;
  /** The file-level name Go prints in the location (differs from templateName inside a define). */
  readonly location: string | undefined;

  constructor(
    code: TemplateErrorCode,
    message: string,
    info: { templateName: string; line?: number; column?: number; location?: string; cause?: unknown },
  ) {
    super(code, message, info.cause === undefined ? {} : { cause: info.cause });
    this.name = "TemplateError";
    this.templateName = info.templateName;
    this.line = info.line;
    this.column = info.column;
    this.location = info.location;
  }

  /**
   * The deepest TemplateError in the cause chain: for a failure inside `include`/`tpl`, the error
   * of the helper template that actually failed (its own file, line and column).
   */
  get innermost(): TemplateError {
    let deepest: TemplateError | undefined;
    let c: unknown = this.cause;
    while (c instanceof Error) {
      if (c instanceof TemplateError && c.line !== undefined) deepest = c;
      c = c.cause;
    }
    return deepest ?? this;
  }
}

const utf8 = new TextEncoder();

/** Go's Tree.ErrorContext: `NAME:LINE:COL` (COL counts bytes from the line start) and the node text. */
export function errorContext(n: Node): { parseName: string; line: number; column: number; context: string } {
  const src: Source = n.src;
  const before = src.text.slice(0, n.pos);
  const nl = before.lastIndexOf("\n");
  let line = 1;
  for (let i = 0; i < before.length; i++) if (before.charCodeAt(i) === 10) line++;
  const column = utf8.encode(nl === -1 ? before : before.slice(nl + 1)).length;
  return { parseName: src.parseName, line, column, context: nodeString(n) };
}
