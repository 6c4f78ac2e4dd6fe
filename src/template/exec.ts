/**
 * The template executor: a tree-walking interpreter with Go's text/template semantics under Helm's
 * settings (missingkey=zero; `<no value>` removed by the caller).
 *
 * Go distinguishes an invalid reflect.Value (no value at all) from a nil interface value; both
 * matter for which operations fail. Here `undefined` is the invalid value (what a pipeline yields
 * for nil, what `$x := .missing` holds) and `null` is a nil interface (a missing map key or a nil
 * element reached by a field or index). Walking a field of `null` is Go's
 * `nil pointer evaluating interface {}.x`; of `undefined` it quietly gives no value.
 */
import type { ArgNode, BranchNode, CommandNode, FieldNode, ChainNode, ListNode, Node, NumberNode, PipeNode, TemplateNode, Tree, VariableNode } from "./ast.js";
import { nodeString } from "./ast.js";
import { TemplateError, errorContext } from "./errors.js";
import * as fmt from "./fmt.js";
import type { GoFunc, GoParamType, GoSignature } from "./funcs/types.js";
import * as values from "./values.js";
import type { GoMap, GoValue } from "./values.js";

/** The template namespace a running template sees (`template`, `include` and `tpl` resolve in it). */
export interface ExecSet {
  lookup(name: string): Tree | undefined;
  /** A copy of this namespace with `text` parsed into it as template `name` (Helm's `tpl`). */
  derive(name: string, text: string): ExecSet;
  /** The name Go reports for the namespace's root template (Helm: "gotpl"). */
  readonly rootName: string;
}

/** A function that needs the running executor (include, tpl). */
export type ExecBoundFunc = ((state: State, ...args: GoValue[]) => GoValue) & {
  execBound: true;
  goSignature?: GoSignature;
};

export type FuncTable = Record<string, GoFunc | ExecBoundFunc>;

/** Limits and shared counters of one top-level render (shared by include and tpl inside it). */
export interface RenderContext {
  funcs: FuncTable;
  /** Builtin `and`/`or`, which short-circuit. */
  andFn: unknown;
  orFn: unknown;
  maxOutputBytes: number;
  maxIncludeDepth: number;
  /** Helm's per-name include counter. */
  includeCounts: Map<string, number>;
  depth: number;
}

// Local copies of imported bindings: under CommonJS-style loaders (tsx, vitest) every read of an
// imported name is a getter call, which shows in the executor's hot paths.
const { formatValue, goQuote, goTypeName, sortedKeys } = fmt;
const { GoStruct, isGoMap, isWholeFloat } = values;

const MISSING: unique symbol = Symbol("missing");
type Final = GoValue | typeof MISSING;

const BREAK = 1;
const CONTINUE = 2;

const hasOwn = Object.prototype.hasOwnProperty;

function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && e.message.includes("call stack");
}

/** Go's truth: empty strings, collections, zero numbers, false and nil are false. */
export function isTrue(v: GoValue): boolean {
  switch (typeof v) {
    case "boolean":
      return v;
    case "string":
      return v.length > 0;
    case "number":
      return v !== 0;
    case "bigint":
      return v !== 0n;
    case "undefined":
      return false;
    case "function":
      return true;
  }
  if (v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoStruct) return true;
  for (const k in v) if (hasOwn.call(v, k)) return true;
  return false;
}

/** A value read out of data: a missing entry is a nil interface. */
function fromData(v: GoValue): GoValue {
  return v === undefined ? null : v;
}

/** Look a key up in a Go map (own keys only). */
export function mapGet(m: GoMap, k: string): GoValue {
  const v = m[k];
  if (v === undefined) return null;
  if ((typeof v === "function" || typeof v === "object") && !hasOwn.call(m, k)) return null;
  return v;
}

function paramTypeName(t: GoParamType, sig: GoSignature | undefined): string {
  switch (t) {
    case "any":
      return "interface {}";
    case "value":
      return "reflect.Value";
    case "map":
      return sig?.mapTypeName ?? "map[string]interface {}";
    default:
      return t;
  }
}

/** The type of parameter k (0-based) of a signature. */
function paramType(sig: GoSignature | undefined, k: number): GoParamType {
  if (sig === undefined) return "any";
  return k < sig.params.length ? (sig.params[k] as GoParamType) : (sig.variadic ?? "any");
}

function canBeNil(t: GoParamType): boolean {
  return t === "any" || t === "value" || t === "map";
}

export class State {
  /** Name of the executing template (as in `executing "NAME"`). */
  tmplName: string;
  set: ExecSet;
  readonly ctx: RenderContext;
  node: Node | null = null;
  varNames: string[];
  varValues: GoValue[];
  /** Whether a variable's Go static type is interface{} (an element of a slice or map). */
  varIface: boolean[];
  /** Whether dot's Go static type is interface{} (inside range over a slice or map). */
  dotIface = false;
  /** Whether the value the last field or variable evaluation gave has static type interface{}. */
  resultIface = false;
  /** Per argument of the exec-bound call in progress: static type interface{}? (Go names it in errors.) */
  callArgIface: boolean[] = [];
  out = "";

  constructor(ctx: RenderContext, set: ExecSet, tmplName: string, data: GoValue) {
    this.ctx = ctx;
    this.set = set;
    this.tmplName = tmplName;
    this.varNames = ["$"];
    this.varValues = [data];
    this.varIface = [false];
  }

  // -- errors and output ------------------------------------------------------------------------

  errorf(msg: string, cause?: unknown): never {
    const name = this.tmplName;
    const n = this.node;
    if (n === null) {
      throw new TemplateError("TEMPLATE_EXEC_FAILED", `template: ${name}: ${msg}`, { templateName: name, cause });
    }
    const c = errorContext(n);
    const location = `${c.parseName}:${c.line}:${c.column}`;
    throw new TemplateError(
      "TEMPLATE_EXEC_FAILED",
      `template: ${location}: executing ${goQuote(name)} at <${c.context}>: ${msg}`,
      { templateName: name, line: c.line, column: c.column, location: c.parseName, cause },
    );
  }

  write(s: string): void {
    this.out += s;
    if (this.out.length > this.ctx.maxOutputBytes) {
      this.errorf(`output exceeds the limit of ${this.ctx.maxOutputBytes} bytes (a runaway loop or include?)`);
    }
  }

  // -- variables --------------------------------------------------------------------------------

  push(name: string, value: GoValue): void {
    this.varNames.push(name);
    this.varValues.push(value);
    this.varIface.push(false);
  }

  pop(mark: number): void {
    // Array.prototype.pop is inlined; assigning .length is a runtime call.
    const names = this.varNames;
    while (names.length > mark) {
      names.pop();
      this.varValues.pop();
      this.varIface.pop();
    }
  }

  setVar(name: string, value: GoValue, iface = false): void {
    for (let i = this.varNames.length - 1; i >= 0; i--) {
      if (this.varNames[i] === name) {
        this.varValues[i] = value;
        this.varIface[i] = iface;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  varIndex(name: string): number {
    for (let i = this.varNames.length - 1; i >= 0; i--) {
      if (this.varNames[i] === name) return i;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  // -- walking ----------------------------------------------------------------------------------

  walkList(dot: GoValue, list: ListNode): number {
    const nodes = list.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const r = this.walk(dot, nodes[i] as Node);
      if (r !== 0) return r;
    }
    return 0;
  }

  walk(dot: GoValue, node: Node): number {
    this.node = node;
    switch (node.kind) {
      case "text":
        this.write(node.text);
        return 0;
      case "action": {
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, v);
        return 0;
      }
      case "list":
        return this.walkList(dot, node);
      case "if":
      case "with":
        return this.walkIfOrWith(dot, node);
      case "range":
        this.walkRange(dot, node);
        return 0;
      case "template":
        this.walkTemplate(dot, node);
        return 0;
      case "break":
        return BREAK;
      case "continue":
        return CONTINUE;
      case "comment":
        return 0;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  walkIfOrWith(dot: GoValue, node: BranchNode): number {
    const mark = this.varNames.length;
    const val = this.evalPipeline(dot, node.pipe);
    let r = 0;
    if (isTrue(val)) {
      if (node.kind === "with") {
        const savedIface = this.dotIface;
        this.dotIface = false;
        r = this.walkList(val, node.list);
        this.dotIface = savedIface;
      } else {
        r = this.walkList(dot, node.list);
      }
    } else if (node.elseList !== null) {
      r = this.walkList(dot, node.elseList);
    }
    this.pop(mark);
    return r;
  }

  walkRange(dot: GoValue, r: BranchNode): void {
    this.node = r;
    const outer = this.varNames.length;
    const pipe = r.pipe;
    const first = pipe.cmds.length === 1 ? (pipe.cmds[0] as CommandNode).args : null;
    const val = this.evalPipeline(dot, pipe);
    if (first !== null && first.length === 1 && first[0]?.kind === "number") {
      // A literal count is refused (pinned by the conformance suite); computed ints iterate.
      this.node = r;
      this.errorf(`range can't iterate over ${formatValue(val)}`);
    }
    const mark = this.varNames.length;
    const ndecl = pipe.decl.length;
    let ran = false;
    const savedIface = this.dotIface;
    this.dotIface = typeof val === "object" && val !== null;
    if (Array.isArray(val)) {
      for (let i = 0; i < val.length; i++) {
        ran = true;
        if (this.oneIteration(r, mark, ndecl, ndecl > 1 ? BigInt(i) : null, fromData(val[i])) === BREAK) break;
      }
    } else if (typeof val === "bigint" || (typeof val === "number" && isWholeFloat(val))) {
      if (ndecl > 1) this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
      const n = typeof val === "bigint" ? val : BigInt(val);
      for (let i = 0n; i < n; i++) {
        ran = true;
        if (this.oneIteration(r, mark, ndecl, undefined, i) === BREAK) break;
      }
    } else if (val === undefined || val === null) {
      // nothing to iterate: acts like an empty map
    } else if (isGoMap(val)) {
      const keys = sortedKeys(val);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        ran = true;
        if (this.oneIteration(r, mark, ndecl, k, fromData(val[k])) === BREAK) break;
      }
    } else if (values.isRangeableStruct(val)) {
      // A Go map type with methods (Helm's .Files): iterates like the map it is.
      const entries = val.rangeEntries();
      const keys = sortedKeys(entries);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        ran = true;
        if (this.oneIteration(r, mark, ndecl, k, fromData(entries[k])) === BREAK) break;
      }
    } else {
      this.errorf(`range can't iterate over ${formatValue(val)}`);
    }
    this.dotIface = savedIface;
    if (!ran && r.elseList !== null) this.walkList(dot, r.elseList);
    this.pop(outer);
  }

  oneIteration(r: BranchNode, mark: number, ndecl: number, index: GoValue, elem: GoValue): number {
    const iface = this.dotIface;
    if (ndecl > 0) {
      if (r.pipe.isAssign) {
        const d0 = (r.pipe.decl[0] as VariableNode).ident[0] as string;
        if (ndecl > 1) this.setVar(d0, index);
        else this.setVar(d0, elem, iface);
      } else {
        this.varValues[this.varValues.length - 1] = elem;
        this.varIface[this.varIface.length - 1] = iface;
      }
    }
    if (ndecl > 1) {
      if (r.pipe.isAssign) this.setVar((r.pipe.decl[1] as VariableNode).ident[0] as string, elem, iface);
      else {
        this.varValues[this.varValues.length - 2] = index;
        this.varIface[this.varIface.length - 2] = false;
      }
    }
    const res = this.walkList(elem, r.list);
    this.pop(mark);
    return res;
  }

  walkTemplate(dot: GoValue, t: TemplateNode): void {
    this.node = t;
    const tree = this.set.lookup(t.name);
    if (tree === undefined) this.errorf(`template ${goQuote(t.name)} not defined`);
    const newDot = this.evalPipeline(dot, t.pipe);
    const ctx = this.ctx;
    if (ctx.depth >= 100000) this.errorf(`exceeded maximum template depth (100000)`);
    const savedNames = this.varNames;
    const savedValues = this.varValues;
    const savedVarIface = this.varIface;
    const savedName = this.tmplName;
    const savedIface = this.dotIface;
    this.varNames = ["$"];
    this.varValues = [newDot];
    this.varIface = [false];
    this.tmplName = t.name;
    this.dotIface = false;
    ctx.depth++;
    try {
      this.walkList(newDot, tree.root);
    } catch (e) {
      if (isStackOverflow(e)) {
        this.node = t;
        this.errorf("exceeded maximum template depth (100000)");
      }
      throw e;
    } finally {
      ctx.depth--;
    }
    this.varNames = savedNames;
    this.varValues = savedValues;
    this.varIface = savedVarIface;
    this.tmplName = savedName;
    this.dotIface = savedIface;
  }

  // -- evaluation -------------------------------------------------------------------------------

  evalPipeline(dot: GoValue, pipe: PipeNode | null): GoValue {
    if (pipe === null) return undefined;
    this.node = pipe;
    let value: Final = MISSING;
    const cmds = pipe.cmds;
    for (let i = 0; i < cmds.length; i++) {
      value = this.evalCommand(dot, cmds[i] as CommandNode, value);
      if (value === null) value = undefined;
    }
    const v = value as GoValue;
    const decl = pipe.decl;
    for (let i = 0; i < decl.length; i++) {
      const name = (decl[i] as VariableNode).ident[0] as string;
      if (pipe.isAssign) this.setVar(name, v);
      else this.push(name, v);
    }
    return v;
  }

  notAFunction(args: ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${nodeString(args[0] as ArgNode)}`);
    }
  }

  evalCommand(dot: GoValue, cmd: CommandNode, final: Final): GoValue {
    const first = cmd.args[0] as ArgNode;
    switch (first.kind) {
      case "field":
        return this.evalFieldNode(dot, first, cmd.args, final);
      case "chain":
        return this.evalChainNode(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first.ident, first, cmd, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.node = first;
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        this.errorf("nil is not a command");
        break;
      case "number":
        return this.idealConstant(first);
      case "string":
        return first.text;
    }
    this.errorf(`can't evaluate command ${goQuote(nodeString(first))}`);
  }

  idealConstant(n: NumberNode): GoValue {
    this.node = n;
    const v = n.ideal;
    if (typeof v === "object") this.errorf(v.error);
    return v;
  }

  evalFieldNode(dot: GoValue, field: FieldNode, args: ArgNode[] | null, final: Final): GoValue {
    this.node = field;
    return this.evalFieldChain(dot, dot, this.dotIface, field, field.ident, 0, args, final);
  }

  evalChainNode(dot: GoValue, chain: ChainNode, args: ArgNode[] | null, final: Final): GoValue {
    this.node = chain;
    if (chain.node.kind === "nil") this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, null, chain.node, undefined);
    return this.evalFieldChain(dot, pipe, false, chain, chain.field, 0, args, final);
  }

  evalVariableNode(dot: GoValue, v: VariableNode, args: ArgNode[] | null, final: Final): GoValue {
    this.node = v;
    const vi = this.varIndex(v.ident[0] as string);
    const value = this.varValues[vi];
    if (v.ident.length === 1) {
      this.resultIface = this.varIface[vi] as boolean;
      if (args !== null) this.notAFunction(args, final);
      else if (final !== MISSING) this.notAFunction([v], final);
      return value;
    }
    return this.evalFieldChain(dot, value, this.varIface[vi] as boolean, v, v.ident, 1, args, final);
  }

  evalFieldChain(
    dot: GoValue,
    receiver: GoValue,
    recvIface: boolean,
    node: Node,
    ident: string[],
    start: number,
    args: ArgNode[] | null,
    final: Final,
  ): GoValue {
    const n = ident.length;
    for (let i = start; i < n - 1; i++) {
      const next = this.evalField(dot, ident[i] as string, node, null, MISSING, receiver, recvIface);
      // Map values have Go's static type interface{}; struct fields their own.
      recvIface = !(receiver instanceof GoStruct);
      receiver = next;
    }
    return this.evalField(dot, ident[n - 1] as string, node, args, final, receiver, recvIface);
  }

  evalField(
    dot: GoValue,
    fieldName: string,
    node: Node,
    args: ArgNode[] | null,
    final: Final,
    receiver: GoValue,
    recvIface: boolean,
  ): GoValue {
    if (receiver === undefined) {
      this.resultIface = false;
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    if (typeof receiver === "object" && !Array.isArray(receiver)) {
      if (receiver instanceof GoStruct) {
        if (fieldName !== "goTypeName" && fieldName in receiver && !(fieldName in GoStruct.prototype)) {
          const v = (receiver as unknown as Record<string, GoValue>)[fieldName];
          if (typeof v === "function") {
            const r = this.evalCall(dot, v.bind(receiver) as GoFunc, false, node, fieldName, args, final);
            this.resultIface = false;
            return r;
          }
          if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
          this.resultIface = false;
          return fromData(v);
        }
      } else {
        if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
        this.resultIface = true;
        return mapGet(receiver as GoMap, fieldName);
      }
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${recvIface ? "interface {}" : goTypeName(receiver)}`);
  }

  evalFunction(dot: GoValue, name: string, node: Node, cmd: Node, args: ArgNode[] | null, final: Final): GoValue {
    this.node = node;
    const fn = this.ctx.funcs[name];
    if (fn === undefined) this.errorf(`${goQuote(name)} is not a defined function`);
    return this.evalCall(dot, fn, true, cmd, name, args, final);
  }

  evalCall(
    dot: GoValue,
    fn: GoFunc | ExecBoundFunc,
    isFunc: boolean,
    node: Node,
    name: string,
    args: ArgNode[] | null,
    final: Final,
  ): GoValue {
    const numArgs = args === null ? 0 : args.length - 1;
    const numIn = numArgs + (final !== MISSING ? 1 : 0);
    const sig = (fn as { goSignature?: GoSignature }).goSignature;
    let numFixed = numArgs;
    if (sig !== undefined) {
      if (sig.variadic !== undefined) {
        numFixed = sig.params.length;
        if (numIn < numFixed) {
          this.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${numArgs}`);
        }
      } else if (numIn !== sig.params.length) {
        this.errorf(`wrong number of args for ${name}: want ${sig.params.length} got ${numIn}`);
      }
    }

    if (isFunc && (fn === this.ctx.andFn || fn === this.ctx.orFn)) {
      const isOr = fn === this.ctx.orFn;
      let v: GoValue = undefined;
      for (let i = 1; i <= numArgs; i++) {
        v = this.evalArg(dot, "value", (args as ArgNode[])[i] as ArgNode, sig);
        if (isTrue(v) === isOr) return v;
      }
      if (final !== MISSING) v = this.validateType(final, "value", sig);
      return v;
    }

    const execBound = (fn as ExecBoundFunc).execBound === true;
    const argv: GoValue[] = new Array(numIn);
    let i = 0;
    if (execBound) {
      // Exec-bound functions may name an argument's static type in errors, as Go's reflect does.
      const flags: boolean[] = new Array(numIn);
      for (; i < numArgs; i++) {
        this.resultIface = false;
        const a = (args as ArgNode[])[i + 1] as ArgNode;
        argv[i] = this.evalArg(dot, paramType(sig, i), a, sig);
        flags[i] = this.resultIface && (a.kind === "field" || a.kind === "variable" || a.kind === "chain" || a.kind === "dot");
      }
      if (final !== MISSING) {
        argv[i] = this.validateType(final, paramType(sig, i), sig);
        flags[i] = false;
      }
      try {
        this.callArgIface = flags;
        return (fn as ExecBoundFunc)(this, ...argv);
      } catch (e) {
        if (isStackOverflow(e)) throw e;
        this.node = node;
        const msg = e instanceof Error ? e.message : String(e);
        this.errorf(`error calling ${name}: ${msg}`, e);
      }
    }
    if (sig === undefined) {
      for (; i < numArgs; i++) argv[i] = this.evalArg(dot, "any", (args as ArgNode[])[i + 1] as ArgNode, sig);
      if (final !== MISSING) argv[i] = this.validateType(final, "any", sig);
    } else {
      const params = sig.params;
      for (; i < numFixed && i < numArgs; i++) {
        argv[i] = this.evalArg(dot, params[i] as GoParamType, (args as ArgNode[])[i + 1] as ArgNode, sig);
      }
      if (sig.variadic !== undefined) {
        for (; i < numArgs; i++) argv[i] = this.evalArg(dot, sig.variadic, (args as ArgNode[])[i + 1] as ArgNode, sig);
      }
      if (final !== MISSING) {
        let t: GoParamType;
        if (sig.variadic !== undefined) t = numIn - 1 < numFixed ? (params[numIn - 1] as GoParamType) : sig.variadic;
        else t = params[params.length - 1] as GoParamType;
        argv[i] = this.validateType(final, t, sig);
      }
    }

    try {
      return (fn as GoFunc)(...argv);
    } catch (e) {
      if (isStackOverflow(e)) throw e;
      this.node = node;
      const msg = e instanceof Error ? e.message : String(e);
      this.errorf(`error calling ${name}: ${msg}`, e);
    }
  }

  validateType(value: GoValue, typ: GoParamType | null, sig: GoSignature | undefined): GoValue {
    if (typ === null || typ === "value") return value;
    if (value === undefined) {
      if (typ === "any" || typ === "map") return null;
      this.errorf(`invalid value; expected ${paramTypeName(typ, sig)}`);
    }
    switch (typ) {
      case "any":
        return value;
      case "string":
        if (typeof value === "string") return value;
        break;
      case "int":
        if (typeof value === "bigint") return value;
        if (isWholeFloat(value)) return BigInt(value);
        break;
      case "float64":
        if (typeof value === "number") return value;
        break;
      case "bool":
        if (typeof value === "boolean") return value;
        break;
      case "map":
        if (value === null || isGoMap(value)) return value;
        break;
    }
    const got = value === null ? "interface {}" : goTypeName(value);
    this.errorf(`wrong type for value; expected ${paramTypeName(typ, sig)}; got ${got}`);
  }

  evalArg(dot: GoValue, typ: GoParamType | null, n: ArgNode, sig: GoSignature | undefined): GoValue {
    this.node = n;
    switch (n.kind) {
      case "dot":
        this.resultIface = this.dotIface;
        return this.validateType(dot, typ, sig);
      case "nil":
        if (typ === null || canBeNil(typ)) return typ === "value" ? undefined : null;
        this.errorf(`cannot assign nil to ${paramTypeName(typ, sig)}`);
        break;
      case "field":
        return this.validateType(this.evalFieldNode(dot, n, null, MISSING), typ, sig);
      case "variable":
        return this.validateType(this.evalVariableNode(dot, n, null, MISSING), typ, sig);
      case "pipe":
        return this.validateType(this.evalPipeline(dot, n), typ, sig);
      case "identifier":
        return this.validateType(this.evalFunction(dot, n.ident, n, n, null, MISSING), typ, sig);
      case "chain":
        return this.validateType(this.evalChainNode(dot, n, null, MISSING), typ, sig);
    }
    switch (typ) {
      case "bool":
        if (n.kind === "bool") return n.value;
        this.errorf(`expected bool; found ${nodeString(n)}`);
        break;
      case "float64":
        if (n.kind === "number" && n.isFloat) return n.float;
        this.errorf(`expected float; found ${nodeString(n)}`);
        break;
      case "int":
        if (n.kind === "number" && n.isInt) return n.int;
        this.errorf(`expected integer; found ${nodeString(n)}`);
        break;
      case "string":
        if (n.kind === "string") return n.text;
        this.errorf(`expected string; found ${nodeString(n)}`);
        break;
      case "map":
        this.errorf(`can't handle ${nodeString(n)} for arg of type ${paramTypeName(typ, sig)}`);
        break;
    }
    // interface{} and reflect.Value parameters take the literal's own value.
    switch (n.kind) {
      case "bool":
        return n.value;
      case "number":
        return this.idealConstant(n);
      case "string":
        return n.text;
    }
    this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
  }

  printValue(node: Node, v: GoValue): void {
    this.node = node;
    if (typeof v === "string") {
      this.write(v);
      return;
    }
    if (v === undefined || v === null) {
      this.write("<no value>");
      return;
    }
    if (typeof v === "function") this.errorf(`can't print ${nodeString(node)} of type ${goTypeName(v)}`);
    this.write(formatValue(v));
  }

  // -- Helm's include and tpl -------------------------------------------------------------------

  /** Helm's `include`: run a named template into a string (no `<no value>` removal). */
  include(name: string, data: GoValue): string {
    const ctx = this.ctx;
    const count = ctx.includeCounts.get(name);
    if (count !== undefined) {
      if (count > ctx.maxIncludeDepth) {
        throw new Error(`rendering template has a nested reference name: ${name}: unable to execute template`);
      }
      ctx.includeCounts.set(name, count + 1);
    } else {
      ctx.includeCounts.set(name, 1);
    }
    try {
      return executeNamed(ctx, this.set, name, data);
    } catch (e) {
      // JavaScript's stack may run out before Helm's count does: report it as Helm would.
      if (isStackOverflow(e)) {
        throw new Error(`rendering template has a nested reference name: ${name}: unable to execute template`);
      }
      throw e;
    } finally {
      ctx.includeCounts.set(name, (ctx.includeCounts.get(name) ?? 1) - 1);
    }
  }

  /** Helm's `tpl`: parse text as a template in a copy of this namespace and run it. */
  tpl(text: string, data: GoValue): string {
    let derived: ExecSet;
    try {
      derived = this.set.derive(this.set.rootName, text);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new Error(`cannot parse template ${goQuote(text)}: ${msg}`, { cause: e });
    }
    let out: string;
    try {
      out = executeNamed(this.ctx, derived, this.set.rootName, data);
    } catch (e) {
      if (isStackOverflow(e)) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      throw new Error(`error during tpl function execution for ${goQuote(text)}: ${msg}`, { cause: e });
    }
    return out.includes("<no value>") ? out.replaceAll("<no value>", "") : out;
  }
}

/**
 * Go's Template.ExecuteTemplate into a fresh buffer. Errors are TemplateErrors; the caller decides
 * about `<no value>` (Helm removes it from whole files and from tpl, not from include).
 */
export function executeNamed(ctx: RenderContext, set: ExecSet, name: string, data: GoValue): string {
  const tree = set.lookup(name);
  if (tree === undefined) {
    throw new TemplateError(
      "TEMPLATE_EXEC_FAILED",
      `template: no template ${goQuote(name)} associated with template ${goQuote(set.rootName)}`,
      { templateName: name },
    );
  }
  return executeTree(ctx, set, tree, data);
}

export function executeTree(ctx: RenderContext, set: ExecSet, tree: Tree, data: GoValue): string {
  const state = new State(ctx, set, tree.name, data === null ? undefined : data);
  ctx.depth++;
  try {
    state.walkList(state.varValues[0], tree.root);
  } finally {
    ctx.depth--;
  }
  return state.out;
}
