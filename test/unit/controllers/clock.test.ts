import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/controllers/clock.js";

describe("FakeClock", () => {
  it("fires timers only when time is advanced past them, in due order", async () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push("b@200"), 200);
    clock.setTimeout(() => fired.push("a@100"), 100);
    await clock.advance(99);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual(["a@100"]);
    await clock.advance(500);
    expect(fired).toEqual(["a@100", "b@200"]);
    expect(clock.now()).toBe(600);
  });

  it("runs timers set by timers within the same advance, and skips cancelled ones", async () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    const t = clock.setTimeout(() => fired.push(-1), 50);
    t.cancel();
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 100);
    }, 100);
    await clock.advance(1_000);
    expect(fired).toEqual([100, 200]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("resolves sleep when its time comes and lets awaiting code continue", async () => {
    const clock = new FakeClock(0);
    const steps: number[] = [];
    const task = (async () => {
      await clock.sleep(10);
      steps.push(clock.now());
      await clock.sleep(10);
      steps.push(clock.now());
    })();
    await clock.advance(25);
    await task;
    expect(steps).toEqual([10, 20]);
  });
});
