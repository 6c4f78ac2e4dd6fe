import { describe, expect, it } from "vitest";
import { diffLines, unifiedDiff } from "../../../src/diff/lines.js";

function apply(ops: ReturnType<typeof diffLines>): { a: string[]; b: string[] } {
  return {
    a: ops.filter((o) => o.op !== "+").map((o) => o.line),
    b: ops.filter((o) => o.op !== "-").map((o) => o.line),
  };
}

describe("line diff", () => {
  it("finds a shortest edit script", () => {
    const a = "A B C A B B A".split(" ");
    const b = "C B A B A C".split(" ");
    const ops = diffLines(a, b);
    expect(apply(ops)).toEqual({ a, b });
    expect(ops.filter((o) => o.op !== " ").length).toBe(5);
  });

  it("reproduces both sides for random inputs", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const a = Array.from({ length: Math.floor(rand() * 20) }, () => "abcd"[Math.floor(rand() * 4)] as string);
      const b = Array.from({ length: Math.floor(rand() * 20) }, () => "abcd"[Math.floor(rand() * 4)] as string);
      expect(apply(diffLines(a, b))).toEqual({ a, b });
    }
  });

  it("prints unified hunks with three lines of context and correct ranges", () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
    const after = before.replace("line 5\n", "line five\n").replace("line 18\n", "");
    expect(unifiedDiff(before, after, "a", "b")).toBe(
      [
        "--- a",
        "+++ b",
        "@@ -2,7 +2,7 @@",
        " line 2",
        " line 3",
        " line 4",
        "-line 5",
        "+line five",
        " line 6",
        " line 7",
        " line 8",
        "@@ -15,6 +15,5 @@",
        " line 15",
        " line 16",
        " line 17",
        "-line 18",
        " line 19",
        " line 20",
        "",
      ].join("\n"),
    );
  });

  it("prints nothing for equal texts and whole-file hunks for new ones", () => {
    expect(unifiedDiff("a\n", "a\n", "x", "y")).toBe("");
    expect(unifiedDiff("", "a\nb\n", "/dev/null", "y")).toBe("--- /dev/null\n+++ y\n@@ -0,0 +1,2 @@\n+a\n+b\n");
  });
});
