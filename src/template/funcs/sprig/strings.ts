/** Sprig's string functions. Pipelines pass the subject string last (`trimSuffix "-" $s`). */
import { randomInt } from "node:crypto";
import { goQuote } from "../../fmt.js";
import { isNil } from "../../values.js";
import type { GoValue } from "../../values.js";
import type { FuncMap } from "../types.js";
import { byteLen, needInt, needIntNum, needString, sliceBytes, utf8 } from "../args.js";
import { goSprint, strslice, strval } from "./strval.js";

const isSpace = (ch: string): boolean => /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u.test(ch);
const isUpper = (ch: string): boolean => /^\p{Lu}$/u.test(ch);
const isLower = (ch: string): boolean => /^\p{Ll}$/u.test(ch);
const isLetter = (ch: string): boolean => /^\p{L}$/u.test(ch);
const isDigit = (ch: string): boolean => /^\p{Nd}$/u.test(ch);

/** Go's strings.Trim/TrimLeft/TrimRight with a cutset of runes. */
function trimCutset(s: string, cutset: string, left: boolean, right: boolean): string {
  const set = new Set(Array.from(cutset));
  const runes = Array.from(s);
  let a = 0;
  let b = runes.length;
  if (left) while (a < b && set.has(runes[a] as string)) a++;
  if (right) while (b > a && set.has(runes[b - 1] as string)) b--;
  return runes.slice(a, b).join("");
}

function trimSpace(s: string): string {
  const runes = Array.from(s);
  let a = 0;
  let b = runes.length;
  while (a < b && isSpace(runes[a] as string)) a++;
  while (b > a && isSpace(runes[b - 1] as string)) b--;
  return runes.slice(a, b).join("");
}

/** Go's strings.Title: upper-case the first letter of each word (word breaks at anything but letters, digits, _ and '). */
function title(s: string): string {
  let prev = " ";
  let out = "";
  for (const ch of s) {
    const sep = isSeparator(prev);
    out += sep ? toTitleRune(ch) : ch;
    prev = ch;
  }
  return out;
}

function isSeparator(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  if (c <= 0x7f) {
    if (/[0-9a-zA-Z_]/.test(ch)) return false;
    return true;
  }
  if (isLetter(ch) || isDigit(ch)) return false;
  return isSpace(ch);
}

function toTitleRune(ch: string): string {
  const up = ch.toUpperCase();
  return Array.from(up).length === 1 ? up : ch;
}

function upperRune(ch: string): string {
  const up = ch.toUpperCase();
  return Array.from(up).length === 1 ? up : ch;
}

function lowerRune(ch: string): string {
  const lo = ch.toLowerCase();
  return Array.from(lo).length === 1 ? lo : ch;
}

/** goutils.Uncapitalize: lower-case the first letter of each space-separated word. */
function untitle(s: string): string {
  let prevSpace = true;
  let out = "";
  for (const ch of s) {
    out += prevSpace ? lowerRune(ch) : ch;
    prevSpace = isSpace(ch);
  }
  return out;
}

/** goutils.AbbreviateFull (from Apache commons-lang): fit into maxWidth with "..." markers. */
function abbreviateFull(str: string, offsetIn: number, maxWidth: number): string {
  const marker = "...";
  const len = byteLen(str);
  if (str === "" || maxWidth < 4) return str;
  if (len <= maxWidth) return str;
  let offset = Math.min(offsetIn, len);
  if (len - offset < maxWidth - 3) offset = len - (maxWidth - 3);
  if (offset <= 4) return sliceBytes(str, 0, maxWidth - 3) + marker;
  if (maxWidth < 7) return str;
  if (offset + maxWidth - 3 < len) return marker + abbreviateFull(sliceBytes(str, offset), 0, maxWidth - 3);
  return marker + sliceBytes(str, len - (maxWidth - 3));
}

/** goutils.WrapCustom. */
function wrapCustom(str: string, wrapLengthIn: number, newLineIn: string, wrapLongWords: boolean): string {
  if (str === "") return "";
  const newLine = newLineIn === "" ? "\n" : newLineIn;
  const wrapLength = wrapLengthIn < 1 ? 1 : wrapLengthIn;
  const b = utf8(str);
  const len = b.length;
  const sub = (x: number, y: number): string => b.subarray(x, y).toString("utf8");
  let offset = 0;
  let out = "";
  while (len - offset > wrapLength) {
    if (b[offset] === 0x20) {
      offset++;
      continue;
    }
    const end = Math.min(wrapLength + offset + 1, len);
    const window = b.subarray(offset, end);
    const sp = window.lastIndexOf(0x20);
    if (sp >= 0) {
      out += sub(offset, offset + sp) + newLine;
      offset = offset + sp + 1;
    } else if (wrapLongWords) {
      out += sub(offset, wrapLength + offset) + newLine;
      offset += wrapLength;
    } else {
      const e = wrapLength + offset;
      const idx = b.indexOf(0x20, e);
      if (idx < 0) {
        out += sub(offset, len);
        offset = len;
      } else {
        out += sub(offset, idx) + newLine;
        offset = idx + 1;
      }
    }
  }
  return out + sub(offset, len);
}

function initials(s: string): string {
  let out = "";
  let prevSpace = true;
  for (const ch of s) {
    if (isSpace(ch)) {
      prevSpace = true;
    } else {
      if (prevSpace) out += ch;
      prevSpace = false;
    }
  }
  return out;
}

function swapcase(s: string): string {
  let out = "";
  for (const ch of s) {
    if (isUpper(ch) || /^\p{Lt}$/u.test(ch)) out += lowerRune(ch);
    else if (isLower(ch)) out += upperRune(ch);
    else out += ch;
  }
  return out;
}

const isConnector = (ch: string): boolean => ch === "_" || ch === "-" || isSpace(ch);

/**
 * Words of an identifier for snake/kebab case: breaks at connectors, at lower→upper, before the last
 * capital of an acronym ("HTTPServer" → HTTP, Server); digits stay with the word before them.
 */
function identifierWords(s: string): string[] {
  const words: string[] = [];
  let cur = "";
  const runes = Array.from(s);
  for (let i = 0; i < runes.length; i++) {
    const ch = runes[i] as string;
    if (isConnector(ch)) {
      if (cur) words.push(cur);
      cur = "";
      continue;
    }
    const prev = runes[i - 1];
    const next = runes[i + 1];
    if (cur && isUpper(ch) && prev !== undefined) {
      if (isLower(prev) || isDigit(prev)) {
        words.push(cur);
        cur = "";
      } else if (isUpper(prev) && next !== undefined && isLower(next)) {
        words.push(cur);
        cur = "";
      }
    }
    cur += ch;
  }
  if (cur) words.push(cur);
  return words;
}

function joinCase(s: string, connector: string): string {
  return identifierWords(s)
    .map((w) => Array.from(w).map(lowerRune).join(""))
    .join(connector);
}

/** xstrings.ToCamelCase: connectors removed and the following letter upper-cased; leading connectors stay. */
function camelcase(s: string): string {
  const runes = Array.from(s);
  let out = "";
  let i = 0;
  while (i < runes.length && isConnector(runes[i] as string)) out += runes[i++];
  let startOfWord = true;
  let word: string[] = [];
  const flush = (): void => {
    if (word.length === 0) return;
    const allUpper = word.every((c) => !isLower(c));
    out += word.map((c, j) => (j === 0 ? toTitleRune(c) : allUpper ? lowerRune(c) : c)).join("");
    word = [];
  };
  for (; i < runes.length; i++) {
    const ch = runes[i] as string;
    if (isConnector(ch)) {
      const next = runes[i + 1];
      if (next === undefined || isConnector(next)) {
        flush();
        out += ch;
        if (next !== undefined) i++;
      }
      startOfWord = true;
      continue;
    }
    if (startOfWord) flush();
    word.push(ch);
    startOfWord = false;
  }
  flush();
  return out;
}

/** Go's strings.Replace(s, old, new, -1), including the empty-old case (insert around every rune). */
export function replaceAll(s: string, old: string, repl: string): string {
  if (old === "") return repl + Array.from(s).map((c) => c + repl).join("");
  return s.split(old).join(repl);
}

/** Go's strings.Split (an empty separator splits into runes). */
export function splitGo(s: string, sep: string, n = -1): string[] {
  if (n === 0) return [];
  if (sep === "") {
    const runes = Array.from(s);
    if (n > 0 && runes.length > n) return [...runes.slice(0, n - 1), runes.slice(n - 1).join("")];
    return runes;
  }
  const parts = s.split(sep);
  if (n > 0 && parts.length > n) return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
  return parts;
}

function indent(spaces: GoValue, v: GoValue): string {
  const n = needIntNum(spaces);
  if (n < 0) throw new Error("strings: negative Repeat count");
  const pad = " ".repeat(n);
  return pad + needString(v).split("\n").join("\n" + pad);
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const ALPHA = ALNUM.slice(0, 52);
const DIGITS = "0123456789";
const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");

function randomFrom(chars: string, count: GoValue): string {
  const n = needIntNum(count);
  if (n < 0) throw new Error(`Requested random string length ${n} is less than 0.`);
  let out = "";
  for (let i = 0; i < n; i++) out += chars[randomInt(chars.length)];
  return out;
}

function shuffle(s: string): string {
  const runes = Array.from(s);
  for (let i = runes.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [runes[i], runes[j]] = [runes[j] as string, runes[i] as string];
  }
  return runes.join("");
}

function quoteAll(args: GoValue[], single: boolean): string {
  return args
    .filter((a) => !isNil(a))
    .map((a) => (single ? `'${goSprint(a)}'` : goQuote(strval(a))))
    .join(" ");
}

function trunc(c: GoValue, sv: GoValue): string {
  const n = needIntNum(c);
  const s = needString(sv);
  const len = byteLen(s);
  if (n < 0 && len + n > 0) return sliceBytes(s, len + n);
  if (n >= 0 && len > n) return sliceBytes(s, 0, n);
  return s;
}

function substr(startV: GoValue, endV: GoValue, sv: GoValue): string {
  const start = needIntNum(startV);
  const end = needIntNum(endV);
  const s = needString(sv);
  if (start < 0) return sliceBytes(s, 0, end);
  if (end < 0 || end > byteLen(s)) return sliceBytes(s, start);
  return sliceBytes(s, start, end);
}

function splitMap(parts: string[]): Record<string, GoValue> {
  const out: Record<string, GoValue> = {};
  parts.forEach((p, i) => (out[`_${i}`] = p));
  return out;
}

export function stringFuncs(): FuncMap {
  return {
    trim: (s) => trimSpace(needString(s)),
    trimAll: (cut, s) => trimCutset(needString(s), needString(cut), true, true),
    trimall: (cut, s) => trimCutset(needString(s), needString(cut), true, true),
    trimPrefix: (p, s) => {
      const str = needString(s);
      const pre = needString(p);
      return str.startsWith(pre) ? str.slice(pre.length) : str;
    },
    trimSuffix: (p, s) => {
      const str = needString(s);
      const suf = needString(p);
      return suf !== "" && str.endsWith(suf) ? str.slice(0, str.length - suf.length) : str;
    },
    upper: (s) => Array.from(needString(s)).map(upperRune).join(""),
    lower: (s) => Array.from(needString(s)).map(lowerRune).join(""),
    title: (s) => title(needString(s)),
    untitle: (s) => untitle(needString(s)),
    repeat: (count, s) => {
      const n = needIntNum(count);
      if (n < 0) throw new Error("strings: negative Repeat count");
      return needString(s).repeat(n);
    },
    substr,
    nospace: (s) => Array.from(needString(s)).filter((c) => !isSpace(c)).join(""),
    trunc,
    abbrev: (w, s) => {
      const width = needIntNum(w);
      const str = needString(s);
      return width < 4 ? str : abbreviateFull(str, 0, width);
    },
    abbrevboth: (l, r, s) => {
      const left = needIntNum(l);
      const right = needIntNum(r);
      const str = needString(s);
      if (right < 4 || (left > 0 && right < 7)) return str;
      return abbreviateFull(str, left, right);
    },
    initials: (s) => initials(needString(s)),
    randAlphaNum: (n) => randomFrom(ALNUM, n),
    randAlpha: (n) => randomFrom(ALPHA, n),
    randNumeric: (n) => randomFrom(DIGITS, n),
    randAscii: (n) => randomFrom(ASCII, n),
    swapcase: (s) => swapcase(needString(s)),
    shuffle: (s) => shuffle(needString(s)),
    snakecase: (s) => joinCase(needString(s), "_"),
    kebabcase: (s) => joinCase(needString(s), "-"),
    camelcase: (s) => camelcase(needString(s)),
    wrap: (l, s) => wrapCustom(needString(s), needIntNum(l), "", false),
    wrapWith: (l, sep, s) => wrapCustom(needString(s), needIntNum(l), needString(sep), true),
    contains: (sub, s) => needString(s).includes(needString(sub)),
    hasPrefix: (p, s) => needString(s).startsWith(needString(p)),
    hasSuffix: (p, s) => needString(s).endsWith(needString(p)),
    quote: (...args) => quoteAll(args, false),
    squote: (...args) => quoteAll(args, true),
    cat: (...args) =>
      args
        .filter((a) => !isNil(a))
        .map((a) => goSprint(a))
        .join(" "),
    indent,
    nindent: (spaces, v) => "\n" + indent(spaces, v),
    replace: (old, repl, s) => replaceAll(needString(s), needString(old), needString(repl)),
    plural: (one, many, count) => (needInt(count) === 1n ? needString(one) : needString(many)),
    toString: (v: GoValue) => strval(v),
    toStrings: (v) => strslice(v),
    splitList: (sep, s) => splitGo(needString(s), needString(sep)),
    split: (sep, s) => splitMap(splitGo(needString(s), needString(sep))),
    splitn: (sep, n, s) => splitMap(splitGo(needString(s), needString(sep), needIntNum(n))),
    join: (sep, v) => strslice(v).join(needString(sep)),
  };
}
