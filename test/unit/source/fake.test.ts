import { readFileSync, rmSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CapstanError } from "../../../src/errors.js";
import { FakeGitSource } from "../../../src/source/fake.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fake(): FakeGitSource {
  const dir = mkdtempSync(join(tmpdir(), "capstan-fake-"));
  dirs.push(dir);
  return new FakeGitSource(dir);
}

describe("in-memory git source", () => {
  it("resolves branches, tags, pull-request refs and short SHAs, and checks out files", async () => {
    const git = fake();
    const one = git.commit("https://example.com/deploy.git", "main", { "apps/web.yaml": "v: 1\n" }, "first");
    git.setRef("https://example.com/deploy.git", "refs/tags/v1", one);
    git.setRef("https://example.com/deploy.git", "refs/pull/4/head", one);
    const two = git.commit("https://example.com/deploy.git", "main", { "apps/web.yaml": "v: 2\n" });
    expect((await git.resolve("https://example.com/deploy.git", "main")).sha).toBe(two);
    expect((await git.resolve("https://example.com/deploy.git", "HEAD")).sha).toBe(two);
    expect((await git.resolve("https://example.com/deploy.git", "v1")).sha).toBe(one);
    expect((await git.resolve("https://example.com/deploy.git", "pull/4/head")).sha).toBe(one);
    expect((await git.resolve("https://example.com/deploy.git", one.slice(0, 7))).message).toBe("first");
    const tree = await git.checkout("https://example.com/deploy.git", one);
    expect(readFileSync(join(tree, "apps/web.yaml"), "utf8")).toBe("v: 1\n");
  });

  it("validates URLs and refs like the real source and suggests near names", async () => {
    const git = fake();
    git.commit("https://example.com/deploy.git", "main", {});
    await expect(git.resolve("ext::sh -c id", "main")).rejects.toMatchObject({ code: "GIT_URL_REFUSED" });
    await expect(git.resolve("https://example.com/deploy.git", "a..b")).rejects.toMatchObject({ code: "GIT_REF_INVALID" });
    const err = await git.resolve("https://example.com/deploy.git", "mian").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CapstanError);
    expect((err as CapstanError).message).toContain("did you mean 'main'?");
  });

  it("reports a force-push when a branch moves to a commit that does not descend from the last one seen", async () => {
    const git = fake();
    const url = "https://example.com/deploy.git";
    git.commit(url, "main", { a: "1" });
    await git.fetch(url);
    const two = git.commit(url, "main", { a: "2" });
    expect((await git.fetch(url)).events).toEqual([]);
    const other = git.commit(url, "rewrite", { a: "x" });
    git.setRef(url, "refs/heads/main", other);
    expect((await git.fetch(url)).events).toEqual([{ type: "ForcePushed", repoURL: url, ref: "refs/heads/main", from: two, to: other }]);
  });
});
