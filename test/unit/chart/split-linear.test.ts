import { describe, expect, test } from "vitest";
import { splitDocuments } from "../../../src/chart/index.js";
import { parseYamlFast, readBlockYaml } from "../../../src/manifest/fast-yaml.js";

/** Helm's splitter as a regular expression: the behaviour splitDocuments keeps, in quadratic time on long runs of blanks. */
function splitByRegExp(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const sep = /(?:^|\s*\n)---\s*/g;
  let last = 0;
  const push = (start: number, end: number): void => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const piece = raw.trim();
    if (piece === "") return;
    out.push({ text: piece, line: text.slice(0, start + lead).split("\n").length });
  };
  for (let m = sep.exec(text); m !== null; m = sep.exec(text)) {
    push(last, m.index);
    last = m.index + m[0].length;
  }
  push(last, text.length);
  return out;
}

describe("splitting rendered output into documents", () => {
  test("splits exactly as Helm's separator pattern does, on generated output", () => {
    let seed = 4242;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const atoms = ["---", "--- ", "---\n", "----", "-- -", "\n", "\n\n", " ", "\t", "\r\n", "a: 1", "# c", "x---", "\u00a0", "\u2028", "kind: X", "\n---\n", "  \n---"];
    const mismatches: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const text = Array.from({ length: Math.floor(rnd() * 12) }, () => atoms[Math.floor(rnd() * atoms.length)]).join("");
      if (JSON.stringify(splitDocuments(text)) !== JSON.stringify(splitByRegExp(text))) mismatches.push(text);
    }
    expect(mismatches).toEqual([]);
  });

  test("a few megabytes of blanks split at once (the pattern retried from every blank)", () => {
    const blanks = " ".repeat(4 * 1024 * 1024);
    expect(splitDocuments(`a: 1\n---\n${blanks}x: 2${blanks}\n---\nb: 3`)).toEqual([
      { text: "a: 1", line: 1 },
      { text: "x: 2", line: 3 },
      { text: "b: 3", line: 5 },
    ]);
  });

  test("lines are counted once for many documents", () => {
    const text = Array.from({ length: 50_000 }, (_, i) => `i: ${i}`).join("\n---\n");
    const docs = splitDocuments(text);
    expect(docs).toHaveLength(50_000);
    expect(docs[49_999]).toEqual({ text: "i: 49999", line: 99_999 });
  });
});

describe("the fast YAML reader on long lines", () => {
  test("a value with a long run of inner blanks is read at once", () => {
    const blanks = " ".repeat(1024 * 1024);
    expect(readBlockYaml(`a: x${blanks}y\nb${blanks}c: 1\n`)?.value).toEqual({ a: `x${blanks}y`, [`b${blanks}c`]: 1 });
    expect(parseYamlFast(`a: x${blanks}y   # comment\n`)).toEqual({ a: `x${blanks}y` });
  });
});
