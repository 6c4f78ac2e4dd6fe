import { describe, expect, it } from "vitest";
import { CapstanError } from "../../../src/errors.js";
import { assertRefName, refNameProblem } from "../../../src/source/refname.js";

describe("ref names", () => {
  it("accepts branches, tags, SHAs and pull-request refs", () => {
    for (const ref of ["main", "release/1.2", "v1.2.0", "3f2a9c1", "refs/pull/12/head", "pull/12/head", "merge-requests/4/head", "feature/a-b_c"]) {
      expect(refNameProblem(ref), ref).toBeUndefined();
    }
  });

  it.each([
    ["main..evil", "contains '..'"],
    ["-main", "starts with '-'"],
    ["--upload-pack=x", "starts with '-'"],
    ["a b", "space or control character"],
    ["a\tb", "space or control character"],
    ["HEAD~1", "contains '~'"],
    ["main^", "contains '^'"],
    ["a:b", "contains ':'"],
    ["what?", "contains '?'"],
    ["feat*", "contains '*'"],
    ["x[1]", "contains '['"],
    ["a\\b", "contains '\\'"],
    ["main.lock", "ends with '.lock'"],
    ["main@{1}", "contains '@{'"],
    ["@", "single character '@'"],
    ["/main", "starts or ends with '/'"],
    ["main/", "starts or ends with '/'"],
    ["a//b", "contains '//'"],
    ["main.", "ends with '.'"],
    ["release/.hidden", "starts with '.'"],
    ["", "empty"],
  ])("refuses %j because %s", (ref, why) => {
    expect(refNameProblem(ref)).toContain(why);
    let err: unknown;
    try {
      assertRefName(ref);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CapstanError);
    expect((err as CapstanError).code).toBe("GIT_REF_INVALID");
    expect((err as CapstanError).message).toContain("is not a valid git ref name");
  });
});
