import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../../src/controllers/clock.js";
import { DEFAULT_RESTART_BACKOFF, NO_BACKOFF, backoffDelay, recordFailure, waitLeft } from "../../../../src/controllers/pods/backoff.js";

describe("restart back-off", () => {
  it("waits 10 s after the first exit and doubles up to 5 minutes", async () => {
    const clock = new FakeClock(0);
    let state = NO_BACKOFF;
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      state = recordFailure(state, clock.now(), 1_000);
      const wait = waitLeft(state, clock.now());
      waits.push(wait / 1000);
      await clock.advance(wait - 1);
      expect(waitLeft(state, clock.now())).toBe(1);
      await clock.advance(1);
      expect(waitLeft(state, clock.now())).toBe(0);
    }
    expect(waits).toEqual([10, 20, 40, 80, 160, 300, 300]);
  });

  it("starts the count afresh after a run of 10 minutes", () => {
    let state = NO_BACKOFF;
    for (let i = 0; i < 4; i++) state = recordFailure(state, 0, 5_000);
    expect(backoffDelay(state.failures)).toBe(80_000);
    state = recordFailure(state, 0, DEFAULT_RESTART_BACKOFF.resetAfterMs);
    expect(state.failures).toBe(1);
    expect(waitLeft(state, 0)).toBe(10_000);
  });

  it("counts failures to start (no run time) without resetting", () => {
    let state = NO_BACKOFF;
    state = recordFailure(state, 0);
    state = recordFailure(state, 0);
    expect(waitLeft(state, 5_000)).toBe(15_000);
  });

  it("honours a smaller base for tests while keeping the cap", () => {
    const policy = { baseMs: 100, maxMs: 400, resetAfterMs: 60_000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy))).toEqual([100, 200, 400, 400, 400]);
  });
});
