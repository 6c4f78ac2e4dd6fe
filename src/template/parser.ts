/**
 * The template parser: Go's text/template/parse, production for production, including its
 * error messages (`template: NAME:LINE: unexpected "}" in operand`, `function "x" not defined`).
 *
 * One call parses one text into a set of trees: the text's own body under its name, plus one
 * tree per `define` and `block`, with Go's rule that a name may be defined non-empty only once
 * per text.
 */
import type {
  ArgNode,
  BranchNode,
  CommandNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  Source,
  TemplateNode,
  Tree,
  VariableNode,
} from "./ast.js";
import { isEmptyTree, nodeString } from "./ast.js";
import { TemplateError } from "./errors.js";
import { goQuote, sprintf } from "./fmt.js";
import { T as TokenType, lex } from "./lexer.js";
import type { Token } from "./lexer.js";

// A local alias: reading an enum through an imported binding costs a getter call under some loaders.
const T = TokenType;
import { parseNumberLiteral, unquote, unquoteCharConstant } from "./literals.js";

export interface ParseOptions {
  /** Whether a function name exists (Go checks names at parse time). */
  hasFunction: (name: string) => boolean;
}

class TokenStream {
  i = 0;
  hi = 0;
  constructor(readonly tokens: Token[]) {}

  next(): Token {
    const t = this.tokens[this.i] as Token;
    if (this.i > this.hi) this.hi = this.i;
    if (this.i < this.tokens.length - 1) this.i++;
    else this.i = this.tokens.length; // stay past the last token (EOF or error)
    return t;
  }
  peek(): Token {
    const idx = Math.min(this.i, this.tokens.length - 1);
    if (idx > this.hi) this.hi = idx;
    return this.tokens[idx] as Token;
  }
  backup(n = 1): void {
    this.i -= n;
  }
  /** The most recently lexed token: Go reports parse errors at its line. */
  latestLine(): number {
    return (this.tokens[this.hi] as Token).line;
  }
}

function tokenString(t: Token): string {
  if (t.typ === T.EOF) return "EOF";
  if (t.typ === T.Error) return t.val;
  if (t.typ > T.Keyword) return `<${t.val}>`;
  if (t.val.length > 10) return sprintf("%.10q...", [t.val]);
  return goQuote(t.val);
}

class TreeParser {
  name: string;
  vars: string[] = ["$"];
  rangeDepth = 0;
  actionLine = 0;

  constructor(
    name: string,
    readonly ts: TokenStream,
    readonly src: Source,
    readonly treeSet: Map<string, Tree>,
    readonly opts: ParseOptions,
  ) {
    this.name = name;
  }

  // -- tokens --

  next(): Token {
    return this.ts.next();
  }
  peek(): Token {
    return this.ts.peek();
  }
  backup(n = 1): void {
    this.ts.backup(n);
  }
  nextNonSpace(): Token {
    let t: Token;
    do t = this.next();
    while (t.typ === T.Space);
    return t;
  }
  peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  errorf(msg: string): never {
    const line = this.ts.latestLine();
    throw new TemplateError("TEMPLATE_PARSE_FAILED", `template: ${this.src.parseName}:${line}: ${msg}`, {
      templateName: this.src.parseName,
      line,
      location: this.src.parseName,
    });
  }

  expect(typ: TokenType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.typ !== typ) this.unexpected(t, context);
    return t;
  }

  expectOneOf(a: TokenType, b: TokenType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.typ !== a && t.typ !== b) this.unexpected(t, context);
    return t;
  }

  unexpected(t: Token, context: string): never {
    if (t.typ === T.Error) {
      let extra = "";
      if (this.actionLine !== 0 && this.actionLine !== t.line) {
        extra = ` in action started at ${this.src.parseName}:${this.actionLine}`;
        if (t.val.endsWith(" action")) extra = extra.slice(" in action".length);
      }
      this.errorf(t.val + extra);
    }
    this.errorf(`unexpected ${tokenString(t)} in ${context}`);
  }

  // -- trees --

  add(root: ListNode): void {
    const tree = this.treeSet.get(this.name);
    if (tree === undefined || isEmptyTree(tree.root)) {
      this.treeSet.set(this.name, { name: this.name, root, src: this.src });
      return;
    }
    if (!isEmptyTree(root)) this.errorf(`template: multiple definition of template ${goQuote(this.name)}`);
  }

  parse(): ListNode {
    const root: ListNode = { kind: "list", pos: this.peek().pos, src: this.src, nodes: [] };
    while (this.peek().typ !== T.EOF) {
      if (this.peek().typ === T.LeftDelim) {
        const at = this.ts.i;
        this.next();
        if (this.nextNonSpace().typ === T.Define) {
          const def = new TreeParser("definition", this.ts, this.src, this.treeSet, this.opts);
          def.parseDefinition();
          continue;
        }
        this.ts.i = at;
      }
      const n = this.textOrAction();
      if (n.kind === "end" || n.kind === "else") this.errorf(`unexpected ${nodeString(n)}`);
      root.nodes.push(n);
    }
    return root;
  }

  parseDefinition(): void {
    const context = "define clause";
    const nameTok = this.expectOneOf(T.String, T.RawString, context);
    const name = unquote(nameTok.val);
    if (name === null) this.errorf("invalid syntax");
    this.name = name;
    this.expect(T.RightDelim, context);
    const { list, next } = this.itemList();
    if (next.kind !== "end") this.errorf(`unexpected ${nodeString(next)} in ${context}`);
    this.add(list);
  }

  itemList(): { list: ListNode; next: Node } {
    const list: ListNode = { kind: "list", pos: this.peekNonSpace().pos, src: this.src, nodes: [] };
    while (this.peekNonSpace().typ !== T.EOF) {
      const n = this.textOrAction();
      if (n.kind === "end" || n.kind === "else") return { list, next: n };
      list.nodes.push(n);
    }
    this.errorf("unexpected EOF");
  }

  textOrAction(): Node {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case T.Text:
        return { kind: "text", pos: t.pos, src: this.src, text: t.val };
      case T.LeftDelim: {
        this.actionLine = t.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
      case T.Comment:
        return { kind: "comment", pos: t.pos, src: this.src, text: t.val };
      default:
        this.unexpected(t, "input");
    }
  }

  action(): Node {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case T.Block:
        return this.blockControl();
      case T.Break:
        return this.breakControl(t, "break");
      case T.Continue:
        return this.breakControl(t, "continue");
      case T.Else:
        return this.elseControl();
      case T.End:
        return { kind: "end", pos: this.expect(T.RightDelim, "end").pos, src: this.src };
      case T.If:
        return this.branch("if");
      case T.Range:
        return this.branch("range");
      case T.Template:
        return this.templateControl();
      case T.With:
        return this.branch("with");
    }
    this.backup();
    const tok = this.peek();
    return { kind: "action", pos: tok.pos, line: tok.line, src: this.src, pipe: this.pipeline("command", T.RightDelim) };
  }

  breakControl(t: Token, word: "break" | "continue"): Node {
    const tok = this.nextNonSpace();
    if (tok.typ !== T.RightDelim) this.unexpected(tok, `{{${word}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${word}}} outside {{range}}`);
    return { kind: word, pos: t.pos, line: t.line, src: this.src };
  }

  pipeline(context: string, end: TokenType): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = {
      kind: "pipe",
      pos: first.pos,
      line: first.line,
      src: this.src,
      isAssign: false,
      decl: [],
      cmds: [],
    };
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ === T.Variable) {
        const vAt = this.ts.i;
        this.next();
        const tokenAfterVariable = this.peek();
        const next = this.peekNonSpace();
        if (next.typ === T.Assign || next.typ === T.Declare) {
          pipe.isAssign = next.typ === T.Assign;
          this.nextNonSpace();
          pipe.decl.push(this.newVariable(v.pos, v.val));
          this.vars.push(v.val);
        } else if (next.typ === T.Char && next.val === ",") {
          this.nextNonSpace();
          pipe.decl.push(this.newVariable(v.pos, v.val));
          this.vars.push(v.val);
          if (context === "range" && pipe.decl.length < 2) {
            const p = this.peekNonSpace().typ;
            if (p === T.Variable || p === T.RightDelim || p === T.RightParen) continue decls;
            this.errorf("range can only initialize variables");
          }
          this.errorf(`too many declarations in ${context}`);
        } else if (tokenAfterVariable.typ === T.Space) {
          this.ts.i = vAt;
        } else {
          this.ts.i = vAt;
        }
      }
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.typ === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (t.typ) {
        case T.Bool:
        case T.CharConstant:
        case T.Complex:
        case T.Dot:
        case T.Field:
        case T.Identifier:
        case T.Number:
        case T.Nil:
        case T.RawString:
        case T.String:
        case T.Variable:
        case T.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    for (let i = 1; i < pipe.cmds.length; i++) {
      const k = (pipe.cmds[i] as CommandNode).args[0]?.kind;
      if (k === "bool" || k === "dot" || k === "nil" || k === "number" || k === "string") {
        this.errorf(`non executable command in pipeline stage ${i + 1}`);
      }
    }
  }

  parseControl(context: "if" | "range" | "with"): {
    pos: number;
    line: number;
    pipe: PipeNode;
    list: ListNode;
    elseList: ListNode | null;
  } {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(context, T.RightDelim);
      if (context === "range") this.rangeDepth++;
      const r = this.itemList();
      const list = r.list;
      let next = r.next;
      if (context === "range") this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.kind === "else") {
        // `{{else if …}}` and `{{else with …}}` chain: the rest is parsed as a nested if/with
        // whose {{end}} closes this one too.
        const peekTyp = this.peek().typ;
        // Go allows `else if` in an if chain and `else with` in a with chain; an if chain may also
        // continue with `else with` (the conformance suite pins this).
        if ((context === "if" && (peekTyp === T.If || peekTyp === T.With)) || (context === "with" && peekTyp === T.With)) {
          this.next();
          elseList = { kind: "list", pos: next.pos, src: this.src, nodes: [] };
          elseList.nodes.push(this.branch(peekTyp === T.If ? "if" : "with"));
        } else {
          const r2 = this.itemList();
          elseList = r2.list;
          next = r2.next;
          if (next.kind !== "end") this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return { pos: pipe.pos, line: pipe.line, pipe, list, elseList };
    } finally {
      this.vars.length = mark;
    }
  }

  branch(kind: "if" | "range" | "with"): BranchNode {
    const c = this.parseControl(kind);
    return { kind, pos: c.pos, line: c.line, src: this.src, pipe: c.pipe, list: c.list, elseList: c.elseList };
  }

  elseControl(): Node {
    const peek = this.peekNonSpace();
    if (peek.typ === T.If || peek.typ === T.With) return { kind: "else", pos: peek.pos, line: peek.line, src: this.src };
    const t = this.expect(T.RightDelim, "else");
    return { kind: "else", pos: t.pos, line: t.line, src: this.src };
  }

  blockControl(): Node {
    const context = "block clause";
    const t = this.nextNonSpace();
    const name = this.parseTemplateName(t, context);
    const pipe = this.pipeline(context, T.RightDelim);
    const block = new TreeParser(name, this.ts, this.src, this.treeSet, this.opts);
    const { list, next } = block.itemList();
    if (next.kind !== "end") this.errorf(`unexpected ${nodeString(next)} in ${context}`);
    block.add(list);
    const node: TemplateNode = { kind: "template", pos: t.pos, line: t.line, src: this.src, name, pipe };
    return node;
  }

  templateControl(): Node {
    const context = "template clause";
    const t = this.nextNonSpace();
    const name = this.parseTemplateName(t, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().typ !== T.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, T.RightDelim);
    }
    return { kind: "template", pos: t.pos, line: t.line, src: this.src, name, pipe };
  }

  parseTemplateName(t: Token, context: string): string {
    if (t.typ === T.String || t.typ === T.RawString) {
      const s = unquote(t.val);
      if (s === null) this.errorf("invalid syntax");
      return s;
    }
    this.unexpected(t, context);
  }

  command(): CommandNode {
    const cmd: CommandNode = { kind: "command", pos: this.peekNonSpace().pos, src: this.src, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== null) cmd.args.push(operand);
      const t = this.next();
      if (t.typ === T.Space) continue;
      if (t.typ === T.RightDelim || t.typ === T.RightParen) this.backup();
      else if (t.typ !== T.Pipe) this.unexpected(t, "operand");
      break;
    }
    if (cmd.args.length === 0) this.errorf("empty command");
    return cmd;
  }

  operand(): ArgNode | null {
    let node = this.term();
    if (node === null) return null;
    if (this.peek().typ === T.Field) {
      const chainPos = this.peek().pos;
      const fields: string[] = [];
      while (this.peek().typ === T.Field) fields.push(this.next().val.slice(1));
      switch (node.kind) {
        case "field":
          node = { kind: "field", pos: chainPos, src: this.src, ident: [...node.ident, ...fields] };
          break;
        case "variable":
          node = this.newVariable(chainPos, [...node.ident, ...fields].join("."));
          break;
        case "bool":
        case "string":
        case "number":
        case "nil":
        case "dot":
          this.errorf(`unexpected . after term ${goQuote(nodeString(node))}`);
          break;
        default:
          node = { kind: "chain", pos: chainPos, src: this.src, node, field: fields };
      }
    }
    return node;
  }

  term(): ArgNode | null {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case T.Identifier:
        if (!this.opts.hasFunction(t.val)) this.errorf(`function ${goQuote(t.val)} not defined`);
        return { kind: "identifier", pos: t.pos, src: this.src, ident: t.val };
      case T.Dot:
        return { kind: "dot", pos: t.pos, src: this.src };
      case T.Nil:
        return { kind: "nil", pos: t.pos, src: this.src };
      case T.Variable:
        return this.useVar(t.pos, t.val);
      case T.Field:
        return { kind: "field", pos: t.pos, src: this.src, ident: t.val.slice(1).split(".") };
      case T.Bool:
        return { kind: "bool", pos: t.pos, src: this.src, value: t.val === "true" };
      case T.CharConstant:
      case T.Complex:
      case T.Number:
        return this.newNumber(t);
      case T.LeftParen:
        return this.pipeline("parenthesized pipeline", T.RightParen);
      case T.String:
      case T.RawString: {
        const s = unquote(t.val);
        if (s === null) this.errorf("invalid syntax");
        return { kind: "string", pos: t.pos, src: this.src, quoted: t.val, text: s };
      }
    }
    this.backup();
    return null;
  }

  newNumber(t: Token): NumberNode {
    let isInt: boolean;
    let isFloat: boolean;
    let int: bigint;
    let float: number;
    let ideal: bigint | number | { error: string };
    if (t.typ === T.CharConstant) {
      const r = unquoteCharConstant(t.val);
      if (r === null) {
        this.errorf(t.val.length > 3 && !t.val.startsWith("'\\") ? `malformed character constant: ${t.val}` : "invalid syntax");
      }
      isInt = true;
      isFloat = true;
      int = BigInt(r);
      float = r;
      ideal = int;
    } else if (/^-?[0-9]{1,15}$/.test(t.val) && !/^-?0[0-9]/.test(t.val)) {
      // Plain decimal ints, the common case.
      isInt = true;
      isFloat = true;
      int = BigInt(t.val);
      float = Number(int);
      ideal = int;
    } else {
      const lit = parseNumberLiteral(t.val);
      if ("error" in lit) this.errorf(lit.error);
      isInt = lit.isInt;
      isFloat = lit.isFloat;
      int = lit.int;
      float = lit.float;
      const isHexInt = /^0[xX]/.test(t.val) && !/[pP]/.test(t.val);
      if (lit.isFloat && !isHexInt && /[.eEpP]/.test(t.val)) ideal = lit.float;
      else if (lit.isInt) ideal = lit.int;
      else if (lit.isUint) ideal = { error: `${t.val} overflows int` };
      else ideal = lit.float;
    }
    return { kind: "number", pos: t.pos, src: this.src, text: t.val, isInt, isFloat, int, float, ideal };
  }

  newVariable(pos: number, ident: string): VariableNode {
    return { kind: "variable", pos, src: this.src, ident: ident.split(".") };
  }

  useVar(pos: number, name: string): VariableNode {
    const v = this.newVariable(pos, name);
    const head = v.ident[0] as string;
    if (!this.vars.includes(head)) this.errorf(`undefined variable ${goQuote(head)}`);
    return v;
  }
}

/**
 * Parse `text` as the template `name`. Returns every tree it defines: `name` itself (its body)
 * and each `define`/`block`. Throws TemplateError (TEMPLATE_PARSE_FAILED) with Go's message.
 */
export function parseTemplate(name: string, text: string, opts: ParseOptions): Map<string, Tree> {
  const breakOK = !opts.hasFunction("break");
  const continueOK = !opts.hasFunction("continue");
  const ts = new TokenStream(lex(text, breakOK, continueOK));
  const src: Source = { parseName: name, text };
  const treeSet = new Map<string, Tree>();
  const p = new TreeParser(name, ts, src, treeSet, opts);
  const root = p.parse();
  p.add(root);
  return treeSet;
}
