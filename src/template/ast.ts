/**
 * The parse tree of a template, shaped like Go's text/template/parse nodes.
 *
 * Positions are UTF-16 offsets into the source text; error messages convert them to Go's
 * line and byte column. Every node points at the Source it was parsed from, because a template
 * defined in one file may run while another is executing.
 */

import { goQuote } from "./fmt.js";

/** The text a tree was parsed from and the name Go reports in its locations. */
export interface Source {
  /** The top-level template being parsed (the file), as in `template: NAME:LINE:COL`. */
  parseName: string;
  text: string;
}

interface Base {
  pos: number;
  src: Source;
}

export interface ListNode extends Base {
  kind: "list";
  nodes: Node[];
}
export interface TextNode extends Base {
  kind: "text";
  text: string;
}
export interface CommentNode extends Base {
  kind: "comment";
  text: string;
}
export interface ActionNode extends Base {
  kind: "action";
  line: number;
  pipe: PipeNode;
}
export interface PipeNode extends Base {
  kind: "pipe";
  line: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode extends Base {
  kind: "command";
  args: ArgNode[];
}
export interface IdentifierNode extends Base {
  kind: "identifier";
  ident: string;
}
export interface VariableNode extends Base {
  kind: "variable";
  ident: string[];
}
export interface DotNode extends Base {
  kind: "dot";
}
export interface NilNode extends Base {
  kind: "nil";
}
export interface FieldNode extends Base {
  kind: "field";
  ident: string[];
}
export interface ChainNode extends Base {
  kind: "chain";
  node: ArgNode;
  field: string[];
}
export interface BoolNode extends Base {
  kind: "bool";
  value: boolean;
}
export interface NumberNode extends Base {
  kind: "number";
  text: string;
  isInt: boolean;
  isFloat: boolean;
  /** Valid when isInt. */
  int: bigint;
  /** Valid when isFloat. */
  float: number;
  /** The value Go's idealConstant gives: an int, a float64, or an error message. */
  ideal: bigint | number | { error: string };
}
export interface StringNode extends Base {
  kind: "string";
  quoted: string;
  text: string;
}
export interface BranchNode extends Base {
  kind: "if" | "range" | "with";
  line: number;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}
export interface BreakNode extends Base {
  kind: "break";
  line: number;
}
export interface ContinueNode extends Base {
  kind: "continue";
  line: number;
}
export interface TemplateNode extends Base {
  kind: "template";
  line: number;
  name: string;
  pipe: PipeNode | null;
}
/** Only seen while parsing. */
export interface EndNode extends Base {
  kind: "end";
}
export interface ElseNode extends Base {
  kind: "else";
  line: number;
}

export type ArgNode =
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | PipeNode;

export type Node =
  | ListNode
  | TextNode
  | CommentNode
  | ActionNode
  | BranchNode
  | BreakNode
  | ContinueNode
  | TemplateNode
  | EndNode
  | ElseNode
  | CommandNode
  | ArgNode;

/** One named template: a file's body or a `define`/`block` body. */
export interface Tree {
  name: string;
  root: ListNode;
  src: Source;
}

/** Go's Node.String(): the source-like text used in error contexts. */
export function nodeString(n: Node): string {
  switch (n.kind) {
    case "list":
      return n.nodes.map(nodeString).join("");
    case "text":
      return n.text;
    case "comment":
      return "{{" + n.text + "}}";
    case "action":
      return "{{" + nodeString(n.pipe) + "}}";
    case "pipe": {
      let s = "";
      if (n.decl.length > 0) s = n.decl.map(nodeString).join(", ") + " := ";
      return s + n.cmds.map(nodeString).join(" | ");
    }
    case "command":
      return n.args.map((a) => (a.kind === "pipe" ? "(" + nodeString(a) + ")" : nodeString(a))).join(" ");
    case "identifier":
      return n.ident;
    case "variable":
      return n.ident.join(".");
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "field":
      return n.ident.map((id) => "." + id).join("");
    case "chain": {
      const head = n.node.kind === "pipe" ? "(" + nodeString(n.node) + ")" : nodeString(n.node);
      return head + n.field.map((f) => "." + f).join("");
    }
    case "bool":
      return n.value ? "true" : "false";
    case "number":
      return n.text;
    case "string":
      return n.quoted;
    case "if":
    case "range":
    case "with": {
      let s = "{{" + n.kind + " " + nodeString(n.pipe) + "}}" + nodeString(n.list);
      if (n.elseList) s += "{{else}}" + nodeString(n.elseList);
      return s + "{{end}}";
    }
    case "break":
      return "{{break}}";
    case "continue":
      return "{{continue}}";
    case "template":
      return "{{template " + goQuote(n.name) + (n.pipe ? " " + nodeString(n.pipe) : "") + "}}";
    case "end":
      return "{{end}}";
    case "else":
      return "{{else}}";
  }
}

/** Go's parse.IsEmptyTree: only whitespace text and comments. */
export function isEmptyTree(n: Node | null): boolean {
  if (n === null) return true;
  switch (n.kind) {
    case "comment":
      return true;
    case "list":
      return n.nodes.every(isEmptyTree);
    case "text":
      return !/[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/.test(n.text);
    default:
      return false;
  }
}
