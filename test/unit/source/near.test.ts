import { describe, expect, it } from "vitest";
import { levenshtein, nearNames } from "../../../src/source/near.js";

describe("near-name suggestions", () => {
  it("counts insertions, deletions and substitutions", () => {
    expect(levenshtein("main", "main")).toBe(0);
    expect(levenshtein("mian", "main")).toBe(2);
    expect(levenshtein("mai", "main")).toBe(1);
    expect(levenshtein("kitten", "sitting")).toBe(3);
  });

  it("suggests the closest branch names first and leaves out distant ones", () => {
    expect(nearNames("mian", ["main", "master", "develop"])).toEqual(["main"]);
    expect(nearNames("relase/1.2", ["release/1.2", "release/1.3", "main"])).toEqual(["release/1.2", "release/1.3"]);
    expect(nearNames("zzzz", ["main", "develop"])).toEqual([]);
  });
});
