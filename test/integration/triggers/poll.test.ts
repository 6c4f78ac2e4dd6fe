import { describe, expect, it } from "vitest";
import { schedulePoll } from "../../../src/triggers/poll.js";
import { createGitSource } from "../../../src/source/git.js";
import { makeRepo, removeDir, tempDir } from "../../helpers/git.js";

describe("poll schedule", () => {
  it("fetches on every tick of a one-second schedule, sees a new commit, and stops ticking when stopped", async () => {
    const repo = makeRepo();
    const state = tempDir("capstan-poll-state-");
    try {
      const first = repo.commit({ "a.txt": "1" });
      const source = createGitSource({ stateDir: state });
      const heads: string[] = [];
      const ticks: number[] = [];
      const poll = schedulePoll({
        repo: repo.path,
        schedule: "* * * * * *",
        random: () => 0.5,
        onTick: async (url) => {
          ticks.push(Date.now());
          heads.push((await source.resolve(url, "main")).sha);
        },
      });
      expect(poll.periodMs).toBe(1000);
      const until = async (cond: () => boolean, ms: number) => {
        const end = Date.now() + ms;
        while (!cond()) {
          if (Date.now() > end) throw new Error("condition not met");
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await until(() => heads.includes(first), 5000);
      const second = repo.commit({ "a.txt": "2" });
      await until(() => heads.includes(second), 5000);
      // Each tick waits half of 10% of the period (50 ms) after the second boundary.
      for (const t of ticks) expect(t % 1000).toBeGreaterThanOrEqual(45);
      await poll.stop();
      const count = ticks.length;
      await new Promise((r) => setTimeout(r, 2500));
      expect(ticks.length).toBe(count);
    } finally {
      await removeDir(repo.path);
      await removeDir(state);
    }
  });

  it("keeps ticking after a failed fetch, reporting the error, and skips a tick while the last one still runs", async () => {
    const errors: unknown[] = [];
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const poll = schedulePoll({
      repo: "https://git.example.com/acme/deploy",
      schedule: "* * * * * *",
      random: () => 0,
      onError: (err) => errors.push(err),
      onTick: async () => {
        calls++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 1500));
        running--;
        throw new Error("fetch failed");
      },
    });
    await new Promise((r) => setTimeout(r, 4200));
    await poll.stop();
    expect(maxRunning).toBe(1);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(errors.length).toBe(calls);
  });
});
