import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CapstanError } from "../../../src/errors.js";
import { createGitSource } from "../../../src/source/git.js";
import { freePort, removeDir, tempDir } from "../../helpers/git.js";

const dirs: string[] = [];
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await removeDir(d);
});

async function failure(p: Promise<unknown>): Promise<CapstanError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CapstanError) return err;
    throw err;
  }
  throw new Error("expected a CapstanError");
}

describe("git runs guarded", () => {
  it("is not steered by the user's ~/.gitconfig: an insteadOf rewrite to the ext:: transport is never read", async () => {
    const home = dir();
    const marker = join(dir(), "pwned");
    writeFileSync(join(home, ".gitconfig"), `[url "ext::sh -c touch% ${marker}% #"]\n\tinsteadOf = https://evil.example/\n`);
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      const err = await failure(createGitSource({ stateDir: dir(), timeoutMs: 10_000 }).fetch("https://evil.example/repo.git"));
      expect(err.code).toBe("GIT_FAILED");
      expect(err.message).toContain("git fetch for https://evil.example/repo.git failed");
      expect(err.message).not.toContain("transport 'ext'");
    } finally {
      process.env.HOME = saved;
    }
    expect(existsSync(marker)).toBe(false);
  });

  it("never waits for an SSH prompt: an unreachable ssh remote fails at once, with the key path quoted", async () => {
    const port = await freePort();
    const keyDir = join(dir(), "keys with space");
    mkdirSync(keyDir);
    writeFileSync(join(keyDir, "id"), "not a key\n", { mode: 0o600 });
    const source = createGitSource({ stateDir: dir(), timeoutMs: 20_000, credentials: [{ url: `ssh://127.0.0.1:${port}/`, sshKeyPath: join(keyDir, "id") }] });
    const started = Date.now();
    const err = await failure(source.fetch(`ssh://git@127.0.0.1:${port}/deploy.git`));
    expect(err.code).toBe("GIT_FAILED");
    expect(err.message).toContain(`git fetch for ssh://127.0.0.1:${port}/deploy.git failed`);
    // Had the key path been split at its space, ssh would have tried a host named "with".
    expect(err.message).toContain(`ssh: connect to host 127.0.0.1 port ${port}: Connection refused`);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
