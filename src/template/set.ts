/**
 * A template namespace, as Helm keeps one per chart render: every file of a chart and its
 * subcharts is parsed into it under its path, `define`/`block` bodies become named templates,
 * and `template`, `include` and `tpl` resolve names in it.
 */
import type { Tree } from "./ast.js";
import { isEmptyTree } from "./ast.js";
import { TemplateError } from "./errors.js";
import { executeNamed } from "./exec.js";
import type { ExecSet, FuncTable, RenderContext } from "./exec.js";
import { and, goBuiltins, or } from "./funcs/builtins.js";
import type { GoFunc, LookupFn } from "./funcs/types.js";
import { parseTemplate } from "./parser.js";
import type { GoValue } from "./values.js";

export interface TemplateSetOptions {
  /** "helm" (default): Go builtins, Sprig, Helm's functions, include and tpl. "go": Go builtins only. */
  funcs?: "helm" | "go";
  /** Answers Helm's `lookup`; without it `lookup` returns an empty map, as `helm template` does. */
  lookup?: LookupFn;
  /** Nesting limit per included name (Helm: 1000). */
  maxIncludeDepth?: number;
  /** Output limit per template, in bytes (default 64 MiB). */
  maxOutputBytes?: number;
  /** Functions added to the table, replacing same-named ones (for embedders and benchmarks). */
  extraFuncs?: Record<string, GoFunc>;
}

type HelmTableFactory = (opts: { lookup?: LookupFn }) => FuncTable;
let helmFactory: HelmTableFactory | undefined;

/** Installed by the package entry point, so the engine core loads without Sprig. */
export function registerHelmFuncTable(factory: HelmTableFactory): void {
  helmFactory = factory;
}

let goTable: FuncTable | undefined;

function goFuncTable(): FuncTable {
  if (goTable === undefined) {
    goTable = Object.create(null) as FuncTable;
    Object.assign(goTable, goBuiltins());
  }
  return goTable;
}

const ROOT_NAME = "gotpl";
const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;
const DEFAULT_MAX_INCLUDE = 1000;
const TPL_CACHE_LIMIT = 2000;

export class TemplateSet implements ExecSet {
  readonly rootName = ROOT_NAME;
  private readonly trees = new Map<string, Tree>();
  private readonly parent: TemplateSet | null;
  private readonly funcs: FuncTable;
  private readonly maxIncludeDepth: number;
  private readonly maxOutputBytes: number;

  constructor(options: TemplateSetOptions = {}, parent: TemplateSet | null = null) {
    this.parent = parent;
    if (parent !== null) {
      this.funcs = parent.funcs;
      this.maxIncludeDepth = parent.maxIncludeDepth;
      this.maxOutputBytes = parent.maxOutputBytes;
      return;
    }
    this.maxIncludeDepth = options.maxIncludeDepth ?? DEFAULT_MAX_INCLUDE;
    this.maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    let funcs: FuncTable;
    if ((options.funcs ?? "helm") === "go") {
      funcs = goFuncTable();
    } else {
      if (helmFactory === undefined) {
        throw new Error('Helm template functions are not loaded: import the template engine from "src/template/index.js"');
      }
      funcs = helmFactory(options.lookup === undefined ? {} : { lookup: options.lookup });
    }
    if (options.extraFuncs !== undefined) {
      funcs = Object.assign(Object.create(null) as FuncTable, funcs, options.extraFuncs);
    }
    this.funcs = funcs;
  }

  /**
   * Parse `text` as template `name`. Its `define`/`block` bodies become templates of the set.
   * Go's rules: within one text a name may be defined (non-empty) once; a later text replaces an
   * earlier definition, except that an empty body never replaces an existing one.
   */
  parse(name: string, text: string): void {
    this.addTrees(this.parseText(name, text));
  }

  private parseText(name: string, text: string): Map<string, Tree> {
    const funcs = this.funcs;
    try {
      return parseTemplate(name, text, { hasFunction: (f) => funcs[f] !== undefined });
    } catch (e) {
      if (e instanceof RangeError) {
        throw new TemplateError("TEMPLATE_PARSE_FAILED", `template: ${name}: actions nest too deeply to parse`, {
          templateName: name,
          cause: e,
        });
      }
      throw e;
    }
  }

  private addTrees(trees: Map<string, Tree>): void {
    for (const [n, tree] of trees) {
      const old = this.lookup(n);
      if (old !== undefined && isEmptyTree(tree.root)) continue;
      this.trees.set(n, tree);
    }
  }

  lookup(name: string): Tree | undefined {
    return this.trees.get(name) ?? (this.parent === null ? undefined : this.parent.lookup(name));
  }

  has(name: string): boolean {
    return this.lookup(name) !== undefined;
  }

  names(): string[] {
    const all = new Set<string>(this.parent === null ? [] : this.parent.names());
    for (const n of this.trees.keys()) all.add(n);
    return [...all].sort();
  }

  derive(name: string, text: string): ExecSet {
    const child = new TemplateSet({}, this);
    child.addTrees(this.root().cachedParse(name, text));
    return child;
  }

  private root(): TemplateSet {
    return this.parent === null ? this : this.parent.root();
  }

  /**
   * Parsed `tpl` texts, by name and text: charts call tpl on the same values again and again
   * (every value through a "render this if it is a template" helper), and trees are immutable.
   * Parse errors are remembered too.
   */
  private tplCache: Map<string, Map<string, Tree> | TemplateError> | undefined;

  private cachedParse(name: string, text: string): Map<string, Tree> {
    this.tplCache ??= new Map();
    const key = name + "\u0000" + text;
    let hit = this.tplCache.get(key);
    if (hit === undefined) {
      try {
        hit = this.parseText(name, text);
      } catch (e) {
        if (!(e instanceof TemplateError)) throw e;
        hit = e;
      }
      if (this.tplCache.size >= TPL_CACHE_LIMIT) this.tplCache.clear();
      this.tplCache.set(key, hit);
    }
    if (hit instanceof TemplateError) throw hit;
    return hit;
  }

  /**
   * Run template `name` with `data` as dot. Like Helm, every `<no value>` is removed from the output.
   * Throws TemplateError.
   */
  execute(name: string, data: GoValue): string {
    const ctx: RenderContext = {
      funcs: this.funcs,
      andFn: and,
      orFn: or,
      maxOutputBytes: this.maxOutputBytes,
      maxIncludeDepth: this.maxIncludeDepth,
      includeCounts: new Map(),
      depth: 0,
    };
    let out: string;
    try {
      out = executeNamed(ctx, this, name, data);
    } catch (e) {
      if (e instanceof RangeError) {
        throw new TemplateError(
          "TEMPLATE_EXEC_FAILED",
          `template: ${name}: templates nest too deeply (recursive template, include or tpl?)`,
          { templateName: name, cause: e },
        );
      }
      throw e;
    }
    return out.includes("<no value>") ? out.replaceAll("<no value>", "") : out;
  }
}
