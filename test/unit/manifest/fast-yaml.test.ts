import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { parse as parseLibrary, stringify } from "yaml";
import { loadChart, renderChart } from "../../../src/chart/index.js";
import { parseYamlFast, readBlockYaml } from "../../../src/manifest/fast-yaml.js";
import { HELM_YAML_OPTIONS } from "../../../src/manifest/yaml.js";

const parse = (text: string): unknown => parseLibrary(text, HELM_YAML_OPTIONS);

const repoRoot = path.resolve(import.meta.dirname, "../../..");

// Documents inside the fast subset: each must read exactly as the yaml library reads it.
const fastCases = [
  "a: 1\nb: two\nc: 3.5\nd: true\ne: null\nf: ~\ng:\nh: -7\ni: 0x1F\nj: 0o17\nk: .inf\nl: -.Inf\nm: 1e3\nnn: 007\no: +12\np: 1.\nq: False\n",
  "list:\n  - a\n  - 1\n  - - x\n    - y\n".replace("  - - x\n    - y\n", "  - b\n"),
  "containers:\n- name: web\n  image: \"capstan-demo/web:v1\"\n  ports:\n  - containerPort: 8080\n    name: http\nnext: 1\n",
  "a:\n  b:\n    c: d\n  e: []\n  f: {}\n",
  "s1: 'it''s'\ns2: \"tab\\tnew\\nline \\\"q\\\" \\u00e9 \\x41\"\ns3: plain with spaces # comment\ns4: \"a: b\" # c\n",
  "block: |\n  line 1\n    indented\n\n  line 3\nstrip: |-\n  no newline\nkeep: |+\n  kept\nafter: x\n",
  "k8s:\n  app.kubernetes.io/name: web\n  helm.sh/chart: web-0.1.0\n  checksum/config: 8ed7b8ede624a0799d6b6a7f874a7407c077c76b7d5653b8656b6da5d7e519c2\n  \"quoted key\": v\n  url: http://example.com:80/x\n",
  "# leading comment\nitems:\n  # inner comment\n  - name: a # trailing\n\n  - name: b\n",
  "seqOfMaps:\n  -   name: wide\n      value: 1\n  - name: narrow\n",
  "empty: \"\"\nsingle: ''\nnum-string: \"8080\"\nnested:\n  - a: 1\n    b:\n      - c\n",
  "emptyBlock: |\nnext: 1\n",
  "key: value\n\n\n",
  "1: a\n",
  "yaml11:\n  a: yes\n  b: No\n  c: on\n  d: OFF\n  e: y\n  f: 0777\n  g: 1_000\n  h: 0b101\n  i: 0x_1F\n  j: 12:30\n  k: 2024-01-02\n  l: 1_0.5\n  m: \"yes\"\n",
];

// Documents outside it: the library decides (including its errors).
const libraryCases = [
  "a: &x 1\nb: *x\n",
  "a: [1, 2]\n",
  "a: {b: 1}\n",
  "a: >\n  folded\n  text\n",
  "a: !!str 1\n",
  "a: multi\n  line plain\n",
  "a: 1\na: 2\n",
  "---\na: 1\n",
  "just a scalar",
  "a: 'unterminated\n  quote'\n",
  "\ta: 1\n",
  "a: b: c\n",
  "__proto__: 1\n",
  "? complex\n: key\n",
  "a: |2\n   x\n",
  "~: a\n",
  "on: push\n",
  "base: &b\n  a: 1\nmerged:\n  <<: *b\n",
];

describe("YAML as Helm reads it", () => {
  test("YAML 1.1 scalars: yes/no/on/off are booleans, 0777 is octal, times and dates stay strings", () => {
    expect(parse("a: yes\nb: off\nc: 0777\nd: 12:30\ne: 2024-01-02\nf: 1_000\n")).toEqual({ a: true, b: false, c: 511, d: "12:30", e: "2024-01-02", f: 1000 });
  });
});

describe("fast YAML reading", () => {
  test.each(fastCases)("reads %j as the yaml library does, without deferring", (text) => {
    const fast = readBlockYaml(text);
    expect(fast).toBeDefined();
    expect(fast?.value).toEqual(parse(text));
  });

  test.each(libraryCases)("defers %j to the yaml library", (text) => {
    expect(readBlockYaml(text)).toBeUndefined();
    let expected: unknown;
    let expectedError: string | undefined;
    try {
      expected = parse(text);
    } catch (e) {
      expectedError = (e as Error).message;
    }
    if (expectedError !== undefined) expect(() => parseYamlFast(text)).toThrow(expectedError);
    else expect(parseYamlFast(text)).toEqual(expected);
  });

  test.each(["web", "worker", "cache", "agent", "report"])("reads every document the %s example chart renders, fast", async (name) => {
    const chart = await loadChart(repoRoot, `charts/${name}`);
    const result = renderChart(chart, { releaseName: "demo", namespace: "prod", valueLayers: [{ podAnnotations: { "a/b": "c: d", n: "1" } }] });
    expect(result.documents.length).toBeGreaterThan(0);
    for (const doc of result.documents) {
      const fast = readBlockYaml(doc.text);
      expect(fast).toBeDefined();
      expect(fast?.value).toEqual(parse(doc.text));
    }
  });
});

describe("fast YAML reading against the library on generated documents", () => {
  test("whenever the fast reader answers, it answers as the library does", () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pick = <T,>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)] as T;
    const atoms = ["a", "yes", "no", "on", "y", "N", "0777", "08", "1_000", "0x1F", "1e3", "1.5", ".5", ".", "-", "- x", "a: b", "#x", "a #b", "x#y", "", " lead", "trail ", "12:30", "2024-01-01", "null", "~", "true", "'q'", '"dq"', "multi\nline", "multi\nline\n", "tab\there", "é", "{}", "[]", "[1]", "&a", "*a", "!tag", "|", ">", "%", "k:", ":k", "? x", "-1", "+1", ".inf", ".NaN", "0b101", "0o17", "\\", "x\n\n", "trailing\n\n\n"];
    const keys = ["a", "b", "name", "app.kubernetes.io/name", "y", "on", "1", "k k", "-x", "x:y", "'s'", "a#b", "<<", "true", "0777", ""];
    const gen = (d: number): unknown => {
      const r = rnd();
      if (d > 3 || r < 0.4) {
        const t = rnd();
        return t < 0.6 ? pick(atoms) : t < 0.8 ? Math.floor(rnd() * 1e6) / (rnd() < 0.5 ? 1 : 100) : pick([true, false, null]);
      }
      if (r < 0.7) {
        const o: Record<string, unknown> = {};
        const n = Math.floor(rnd() * 4);
        for (let i = 0; i < n; i++) o[pick(keys)] = gen(d + 1);
        return o;
      }
      return Array.from({ length: Math.floor(rnd() * 4) }, () => gen(d + 1));
    };
    const canonical = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === "number" && !Number.isFinite(x) ? String(x) : x));
    let fast = 0;
    const mismatches: string[] = [];
    for (let i = 0; i < 1500; i++) {
      let text = stringify({ root: gen(0), other: gen(1) }, { version: "1.1" });
      if (rnd() < 0.3) {
        const lines = text.split("\n");
        const j = Math.floor(rnd() * lines.length);
        const m = rnd();
        const line = lines[j] ?? "";
        lines[j] = m < 0.3 ? ` ${line}` : m < 0.6 ? line.slice(1) : m < 0.8 ? `${line} # c` : `${line}: x`;
        text = lines.join("\n");
      }
      const got = readBlockYaml(text);
      if (!got) continue;
      fast++;
      let expected: string;
      try {
        expected = canonical(parse(text));
      } catch {
        expected = "library error";
      }
      if (canonical(got.value) !== expected) mismatches.push(text);
    }
    expect(mismatches).toEqual([]);
    expect(fast).toBeGreaterThan(500);
  });
});
