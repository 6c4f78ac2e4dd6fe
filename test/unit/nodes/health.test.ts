import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/controllers/clock.js";
import { NodeHealthMonitor, type NodeEvent } from "../../../src/nodes/index.js";

function engine(name: string) {
  let up = true;
  let hang = false;
  return {
    name,
    ping: () => (hang ? new Promise<void>(() => {}) : up ? Promise.resolve() : Promise.reject(new Error("connect ECONNREFUSED"))),
    set up(v: boolean) {
      up = v;
    },
    set hang(v: boolean) {
      hang = v;
    },
  };
}

function monitor(nodes: ReturnType<typeof engine>[], extra: { grace?: number; eviction?: number } = {}) {
  const clock = new FakeClock();
  const events: NodeEvent[] = [];
  const evicted: string[] = [];
  const recovered: string[] = [];
  const m = new NodeHealthMonitor({
    nodes,
    clock,
    periodMs: 5_000,
    gracePeriodMs: extra.grace ?? 40_000,
    evictionTimeoutMs: extra.eviction ?? 300_000,
    onEvent: (e) => events.push(e),
    onEvict: (n) => void evicted.push(n),
    onRecover: (n) => void recovered.push(n),
  });
  return { clock, events, evicted, recovered, m };
}

describe("NodeHealthMonitor", () => {
  it("marks a node NotReady only after the grace period without an answer", async () => {
    const a = engine("a");
    const b = engine("b");
    const { clock, events, m } = monitor([a, b]);
    m.start();
    await clock.advance(10_000);
    a.up = false;
    await clock.advance(35_000); // last answer at 10 s; 45 s now: 35 s without one
    expect(m.isReady("a")).toBe(true);
    await clock.advance(5_000); // 40 s without an answer
    expect(m.isReady("a")).toBe(false);
    expect(m.isReady("b")).toBe(true);
    expect(events.map((e) => [e.node, e.reason, e.type])).toEqual([["a", "NodeNotReady", "Warning"]]);
    expect(events[0]!.message).toMatch(/^Node a status is now: NodeNotReady \(no answer for 40s: connect ECONNREFUSED\)$/);
    expect(m.health("a")).toMatchObject({ ready: false, notReadySince: clock.now(), evicted: false, lastError: "connect ECONNREFUSED" });
    m.stop();
  });

  it("gives a NotReady node's pods up after the eviction timeout, once", async () => {
    const a = engine("a");
    const { clock, events, evicted, m } = monitor([a], { grace: 40_000, eviction: 300_000 });
    m.start();
    a.up = false;
    await clock.advance(40_000);
    expect(m.isReady("a")).toBe(false);
    await clock.advance(295_000);
    expect(evicted).toEqual([]);
    await clock.advance(5_000);
    expect(evicted).toEqual(["a"]);
    await clock.advance(60_000);
    expect(evicted).toEqual(["a"]);
    expect(events.map((e) => e.reason)).toEqual(["NodeNotReady", "DeletingAllPods"]);
    m.stop();
  });

  it("turns Ready at the first answer and asks to remove stale pods of an evicted node", async () => {
    const a = engine("a");
    const { clock, events, recovered, m } = monitor([a], { grace: 10_000, eviction: 20_000 });
    m.start();
    a.up = false;
    await clock.advance(35_000);
    expect(m.health("a")).toMatchObject({ ready: false, evicted: true });
    a.up = true;
    await clock.advance(5_000);
    expect(m.health("a")).toMatchObject({ ready: true, evicted: false, notReadySince: null });
    expect(recovered).toEqual(["a"]);
    expect(events.map((e) => e.reason)).toEqual(["NodeNotReady", "DeletingAllPods", "NodeReady", "RemovingStalePods"]);
  });

  it("does not evict a node that comes back before the eviction timeout", async () => {
    const a = engine("a");
    const { clock, events, evicted, recovered, m } = monitor([a], { grace: 10_000, eviction: 60_000 });
    m.start();
    a.up = false;
    await clock.advance(20_000);
    a.up = true;
    await clock.advance(5_000);
    await clock.advance(120_000);
    expect(evicted).toEqual([]);
    expect(recovered).toEqual([]);
    expect(events.map((e) => e.reason)).toEqual(["NodeNotReady", "NodeReady"]);
    m.stop();
  });

  it("counts a ping that never returns as unanswered", async () => {
    const a = engine("a");
    const { clock, m } = monitor([a], { grace: 15_000 });
    m.start();
    a.hang = true;
    await clock.advance(30_000);
    expect(m.isReady("a")).toBe(false);
    expect(m.health("a")?.lastError).toBe("no answer within 5000 ms");
    m.stop();
  });

  it("stops pinging when stopped", async () => {
    const a = engine("a");
    const { clock, m } = monitor([a]);
    m.start();
    await clock.advance(1);
    m.stop();
    expect(clock.pendingTimers()).toBe(0);
  });
});
