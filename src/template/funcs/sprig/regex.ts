/**
 * Sprig's regular-expression functions over Go RE2 syntax. Patterns are translated to JavaScript
 * RegExp where the two differ (inline flags, \A \z, (?P<name>), POSIX classes, \Q…\E); replacement
 * templates expand `$1`, `${1}`, `$name` the way Go's Regexp.Expand does.
 */
import type { GoValue } from "../../values.js";
import type { FuncMap } from "../types.js";
import { needIntNum, needString } from "../args.js";

const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

interface Compiled {
  re: RegExp;
  groupNames: string[];
}

const cache = new Map<string, Compiled>();

function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

/** Translates RE2 syntax to a JavaScript source and flags; throws Go's message on unsupported syntax. */
function translate(pattern: string): { source: string; flags: string } {
  let flags = "";
  let src = "";
  let i = 0;
  let inClass = false;
  const fail = (what: string): never => {
    throw new Error(`error parsing regexp: ${what}: \`${pattern}\``);
  };
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "\\") {
      const n = pattern[i + 1];
      if (n === undefined) fail("trailing backslash at end of expression");
      if (n === "Q") {
        const end = pattern.indexOf("\\E", i + 2);
        const lit = end < 0 ? pattern.slice(i + 2) : pattern.slice(i + 2, end);
        src += escapeLiteral(lit);
        i = end < 0 ? pattern.length : end + 2;
        continue;
      }
      if (!inClass && n === "A") {
        src += "(?<![\\s\\S])";
        i += 2;
        continue;
      }
      if (!inClass && n === "z") {
        src += "(?![\\s\\S])";
        i += 2;
        continue;
      }
      if (n === "C") fail("invalid escape sequence: `\\C`");
      src += c + n;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === "[" && pattern[i + 1] === ":") {
        const end = pattern.indexOf(":]", i + 2);
        if (end > 0) {
          let name = pattern.slice(i + 2, end);
          const negated = name.startsWith("^");
          if (negated) name = name.slice(1);
          const cls = POSIX[name];
          if (cls === undefined) fail(`invalid character class range: \`[:${name}:]\``);
          if (negated) fail("negated POSIX classes inside a class are not supported");
          src += cls;
          i = end + 2;
          continue;
        }
      }
      if (c === "]") inClass = false;
      src += c;
      i++;
      continue;
    }
    if (c === "[") {
      inClass = true;
      src += c;
      i++;
      if (pattern[i] === "^") {
        src += "^";
        i++;
      }
      // A leading ] is a literal in RE2.
      if (pattern[i] === "]") {
        src += "\\]";
        i++;
      }
      continue;
    }
    if (c === "(" && pattern[i + 1] === "?") {
      const rest = pattern.slice(i + 2);
      const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named) {
        src += `(?<${named[1]}>`;
        i += 2 + named[0].length;
        continue;
      }
      const fl = /^([imsU-]*)(:|\))/.exec(rest);
      if (fl && fl[1] !== undefined) {
        const set = fl[1];
        if (set.includes("U")) fail("ungreedy flag (?U) is not supported");
        if (fl[2] === ")" && src === "" && !set.includes("-")) {
          for (const f of set) if (!flags.includes(f)) flags += f;
          i += 2 + fl[0].length;
          continue;
        }
        if (fl[2] === ":" && set === "") {
          src += "(?:";
          i += 3;
          continue;
        }
        fail(`inline flags in the middle of a pattern are not supported: \`(?${set}${fl[2]}\``);
      }
      if (rest.startsWith("=") || rest.startsWith("!") || rest.startsWith("<=") || rest.startsWith("<!")) {
        fail("invalid or unsupported Perl syntax: `(?" + rest.slice(0, rest.startsWith("<") ? 2 : 1) + "`");
      }
    }
    src += c;
    i++;
  }
  return { source: src, flags };
}

/** Compiles a Go pattern; throws `error parsing regexp: …` like regexp.Compile. */
export function compileGoRegex(pattern: string): Compiled {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const { source, flags } = translate(pattern);
  let re: RegExp;
  try {
    re = new RegExp(source, flags + "gu");
  } catch {
    try {
      re = new RegExp(source, flags + "g");
    } catch (e) {
      throw new Error(`error parsing regexp: ${(e as Error).message.replace(/^Invalid regular expression: /, "")}`);
    }
  }
  const groupNames: string[] = [];
  const named = /\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g;
  for (const m of source.matchAll(named)) groupNames.push(m[1] as string);
  const out = { re, groupNames };
  if (cache.size > 500) cache.clear();
  cache.set(pattern, out);
  return out;
}

/** All matches the way Go finds them: an empty match right after the previous match is skipped. */
export function findAll(c: Compiled, s: string, n: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  if (n === 0) return out;
  const re = new RegExp(c.re.source, c.re.flags);
  let prevEnd = -1;
  let pos = 0;
  while (pos <= s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    const end = m.index + m[0].length;
    if (m[0].length === 0 && m.index === prevEnd) {
      // Advance one code point and retry.
      const cp = s.codePointAt(m.index);
      pos = m.index + (cp !== undefined && cp > 0xffff ? 2 : 1);
      continue;
    }
    out.push(m);
    if (n > 0 && out.length >= n) break;
    prevEnd = end;
    if (m[0].length === 0) {
      const cp = s.codePointAt(end);
      pos = end + (cp !== undefined && cp > 0xffff ? 2 : 1);
    } else {
      pos = end;
    }
  }
  return out;
}

/** Go's Regexp.Expand on a $-template. */
function expand(template: string, m: RegExpExecArray): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const c = template[i] as string;
    if (c !== "$") {
      out += c;
      i++;
      continue;
    }
    const rest = template.slice(i + 1);
    if (rest.startsWith("$")) {
      out += "$";
      i += 2;
      continue;
    }
    let name: string | undefined;
    let len = 0;
    const braced = /^\{([A-Za-z0-9_]+)\}/.exec(rest);
    const bare = /^[A-Za-z0-9_]+/.exec(rest);
    if (braced) {
      name = braced[1];
      len = braced[0].length;
    } else if (bare) {
      name = bare[0];
      len = bare[0].length;
    }
    if (name === undefined) {
      // A malformed reference is copied as is.
      out += "$";
      i++;
      continue;
    }
    if (/^\d+$/.test(name)) {
      const idx = Number(name);
      if (idx < m.length) out += m[idx] ?? "";
    } else {
      out += m.groups?.[name] ?? "";
    }
    i += 1 + len;
  }
  return out;
}

function replaceWith(c: Compiled, s: string, repl: (m: RegExpExecArray) => string): string {
  let out = "";
  let last = 0;
  for (const m of findAll(c, s, -1)) {
    out += s.slice(last, m.index) + repl(m);
    last = m.index + m[0].length;
  }
  return out + s.slice(last);
}

/** Go's Regexp.Split. */
function split(c: Compiled, s: string, n: number): string[] {
  if (n === 0) return [];
  if (c.re.source !== "(?:)" && s === "") return [""];
  const matches = findAll(c, s, n);
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of matches) {
    if (n > 0 && out.length === n - 1) break;
    end = m.index;
    if (m.index + m[0].length !== 0) out.push(s.slice(beg, end));
    beg = m.index + m[0].length;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

/** Go's regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

const str = (v: GoValue): string => needString(v ?? null);

export function regexFuncs(): FuncMap {
  const match = (re: GoValue, s: GoValue): boolean => {
    const c = compileGoRegex(str(re));
    const r = new RegExp(c.re.source, c.re.flags.replace("g", ""));
    return r.test(str(s));
  };
  const findAllStr = (re: GoValue, s: GoValue, n: GoValue): string[] =>
    findAll(compileGoRegex(str(re)), str(s), needIntNum(n)).map((m) => m[0]);
  const find = (re: GoValue, s: GoValue): string => findAll(compileGoRegex(str(re)), str(s), 1)[0]?.[0] ?? "";
  const replaceAll = (re: GoValue, s: GoValue, repl: GoValue): string => {
    const template = str(repl);
    return replaceWith(compileGoRegex(str(re)), str(s), (m) => expand(template, m));
  };
  const replaceAllLiteral = (re: GoValue, s: GoValue, repl: GoValue): string => {
    const lit = str(repl);
    return replaceWith(compileGoRegex(str(re)), str(s), () => lit);
  };
  const regexSplit = (re: GoValue, s: GoValue, n: GoValue): string[] =>
    split(compileGoRegex(str(re)), str(s), needIntNum(n));
  return {
    regexMatch: (re, s) => {
      try {
        return match(re, s);
      } catch {
        return false;
      }
    },
    mustRegexMatch: match,
    regexFindAll: findAllStr,
    mustRegexFindAll: findAllStr,
    regexFind: find,
    mustRegexFind: find,
    regexReplaceAll: replaceAll,
    mustRegexReplaceAll: replaceAll,
    regexReplaceAllLiteral: replaceAllLiteral,
    mustRegexReplaceAllLiteral: replaceAllLiteral,
    regexSplit,
    mustRegexSplit: regexSplit,
    regexQuoteMeta: (s) => quoteMeta(str(s)),
  };
}
