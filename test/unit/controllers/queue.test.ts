import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/controllers/clock.js";
import { TerminalError } from "../../../src/controllers/errors.js";
import { WorkQueue, retryDelay } from "../../../src/controllers/queue.js";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("WorkQueue", () => {
  it("processes a key added many times before it runs only once", async () => {
    const seen: string[] = [];
    const q = new WorkQueue({ clock: new FakeClock(0), reconcile: async (k) => void seen.push(k) });
    q.add("a");
    q.add("a");
    q.add("b");
    q.add("a");
    expect(q.depth()).toBe(2);
    q.start();
    await q.onIdle();
    expect(seen).toEqual(["a", "b"]);
  });

  it("never reconciles one key concurrently, and runs it again if added meanwhile", async () => {
    let active = 0;
    let maxActive = 0;
    let calls = 0;
    const gate = deferred();
    const q = new WorkQueue({
      clock: new FakeClock(0),
      concurrency: 4,
      reconcile: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        calls++;
        if (calls === 1) await gate.promise;
        active--;
      },
    });
    q.start();
    q.add("k");
    await new Promise((r) => setImmediate(r));
    q.add("k");
    q.add("k");
    expect(calls).toBe(1);
    gate.resolve();
    await q.onIdle();
    expect(calls).toBe(2);
    expect(maxActive).toBe(1);
  });

  it("processes different keys in parallel up to the concurrency", async () => {
    let active = 0;
    let maxActive = 0;
    const gate = deferred();
    const q = new WorkQueue({
      clock: new FakeClock(0),
      concurrency: 2,
      reconcile: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await gate.promise;
        active--;
      },
    });
    q.start();
    for (const k of ["a", "b", "c", "d"]) q.add(k);
    await new Promise((r) => setImmediate(r));
    expect(active).toBe(2);
    expect(q.depth()).toBe(2);
    gate.resolve();
    await q.onIdle();
    expect(maxActive).toBe(2);
  });

  it("retries a failing key with doubling back-off and resets it after a success", async () => {
    const clock = new FakeClock(0);
    const times: number[] = [];
    let fail = 4;
    const q = new WorkQueue({
      clock,
      backoff: { baseMs: 100, maxMs: 500 },
      reconcile: async () => {
        times.push(clock.now());
        if (fail-- > 0) throw new Error("boom");
      },
    });
    q.start();
    q.add("k");
    await q.onIdle();
    await clock.advance(10_000);
    expect(times).toEqual([0, 100, 300, 700, 1200]);
    expect(q.failureCount("k")).toBe(0);
  });

  it("does not retry a key whose reconcile throws TerminalError", async () => {
    const clock = new FakeClock(0);
    let calls = 0;
    const errors: unknown[] = [];
    const q = new WorkQueue({
      clock,
      reconcile: async () => {
        calls++;
        throw new TerminalError("invalid object");
      },
      onError: (_k, e, info) => errors.push([e instanceof TerminalError, info.retryInMs]),
    });
    q.start();
    q.add("k");
    await q.onIdle();
    await clock.advance(60_000);
    expect(calls).toBe(1);
    expect(errors).toEqual([[true, null]]);
  });

  it("honours requeueAfterMs and addAfter, keeping the earliest delay per key", async () => {
    const clock = new FakeClock(0);
    const times: number[] = [];
    const q = new WorkQueue({
      clock,
      reconcile: async () => {
        times.push(clock.now());
        return times.length === 1 ? { requeueAfterMs: 1_000 } : undefined;
      },
    });
    q.start();
    q.add("k");
    await q.onIdle();
    q.addAfter("k", 5_000);
    q.addAfter("k", 400);
    await clock.advance(10_000);
    expect(times).toEqual([0, 400]);
  });

  it("stops taking work but lets the step under way finish", async () => {
    const gate = deferred();
    let finished = false;
    const q = new WorkQueue({
      clock: new FakeClock(0),
      concurrency: 1,
      reconcile: async (k) => {
        if (k === "a") {
          await gate.promise;
          finished = true;
        }
      },
    });
    q.start();
    q.add("a");
    q.add("b");
    await new Promise((r) => setImmediate(r));
    const stopping = q.stop();
    gate.resolve();
    await stopping;
    expect(finished).toBe(true);
    expect(q.depth()).toBe(0);
  });

  it("computes the back-off as base doubling to the cap", () => {
    expect([1, 2, 3, 4, 10, 20].map((n) => retryDelay(n, 100, 30_000))).toEqual([100, 200, 400, 800, 30_000, 30_000]);
  });
});
