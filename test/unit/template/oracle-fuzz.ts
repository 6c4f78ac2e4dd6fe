/**
 * Generated templates for the differential test: random but reproducible (fixed seed) mixes of
 * text, trim markers, pipelines, function calls, variables, if/range/with, over the oracle data.
 * They reach combinations hand-written cases miss.
 */
import type { OracleCase } from "./oracle-cases.js";
import { oracleData } from "./oracle-cases.js";

/** mulberry32: a small, well-mixed 32-bit generator. */
function generator(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fields = [
  ".name", ".list", ".labels", ".nested", ".nested.deep", ".nested.deep.deeper.value", ".missing", ".nothing",
  ".ratio", ".neg", ".half", ".empty", ".str", ".uni", ".mixed", ".floats", ".env", ".matrix", ".withNull",
  ".withNull.a", ".enabled", ".off", ".emptyList", ".emptyMap", ".quote", ".",
];
const literals = ["1", "0", "-3", "2.5", "0.25", '"a"', '""', '"web"', "true", "false", "'x'", "`raw`", "1e-3", "0x10"];
const functions = ["print", "printf", "len", "index", "and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "slice", "html", "js", "urlquery", "println"];
const formats = ['"%v"', '"%s-%d"', '"%q"', '"%5.2f|%x"', '"%T %v"', '"%d"', '"%+v %#v"', '"%08.3e"'];
const tails = ["print", 'printf "%v"', "len", "html", "not", "eq 1", 'printf "[%s]"', "index .list"];
const ranged = [".list", ".labels", ".nested", ".mixed", ".emptyList", ".missing", ".env", ".matrix", ".str", ".floats"];

export function fuzzCases(seed: number, count: number): OracleCase[] {
  const rnd = generator(seed);
  const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)] as T;
  let vars: string[] = ["$"];

  const operand = (depth: number): string => {
    const r = rnd();
    if (r < 0.4) return pick(fields);
    if (r < 0.6) return pick(literals);
    if (r < 0.7) return pick(vars) + (rnd() < 0.3 ? pick([".name", ".list", ".labels", ".x"]) : "");
    if (depth > 2) return pick(fields);
    return "(" + pipeline(depth + 1) + ")" + (rnd() < 0.1 ? ".name" : "");
  };
  const command = (depth: number): string => {
    if (rnd() < 0.4) return operand(depth);
    const fn = pick(functions);
    let s = fn;
    if (fn === "printf") s += " " + pick(formats);
    const n = fn === "printf" ? Math.floor(rnd() * 3) : 1 + Math.floor(rnd() * 3);
    for (let i = 0; i < n; i++) s += " " + operand(depth);
    return s;
  };
  const pipeline = (depth: number): string => {
    let s = command(depth);
    if (rnd() < 0.2) s += " | " + pick(tails);
    return s;
  };
  const block = (depth: number): string => {
    let out = "";
    const n = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < n; i++) {
      const r = rnd();
      const l = pick(["{{ ", "{{- ", "{{"]);
      const rd = pick([" }}", " -}}", "}}"]);
      if (r < 0.35) {
        out += pick(["", " ", "\n", "  \n"]) + l + pipeline(0) + rd;
      } else if (r < 0.45) {
        const v = "$v" + Math.floor(rnd() * 3);
        out += l + v + " := " + pipeline(0) + rd;
        vars.push(v);
      } else if (r < 0.55 && depth < 3) {
        out += l + "if " + pipeline(0) + rd + block(depth + 1) + (rnd() < 0.5 ? "{{ else }}" + block(depth + 1) : "") + "{{ end }}";
      } else if (r < 0.65 && depth < 3) {
        const saved = vars.slice();
        const decl = rnd() < 0.5 ? "$i, $e := " : "";
        if (decl) vars.push("$i", "$e");
        const body = block(depth + 1) + (rnd() < 0.2 ? "{{ if $.enabled }}{{ break }}{{ end }}" : "");
        out += l + "range " + decl + pick(ranged) + rd + body + (rnd() < 0.3 ? "{{ else }}x" : "") + "{{ end }}";
        vars = saved;
      } else if (r < 0.72 && depth < 3) {
        out += l + "with " + pipeline(0) + rd + block(depth + 1) + "{{ end }}";
      } else {
        out += pick(["text", "a: ", "- ", "\n", " "]);
      }
    }
    return out;
  };

  const cases: OracleCase[] = [];
  for (let i = 0; i < count; i++) {
    vars = ["$"];
    cases.push({ name: `generated ${seed}/${i}`, template: block(0), data: oracleData });
  }
  return cases;
}
