import { describe, expect, it } from "vitest";
import { rolloutStep, surgeAndUnavailable } from "../../../../src/controllers/workloads/rollout.js";
import type { PodReplacementPolicy, RolloutPod, RolloutState, RolloutStrategy } from "../../../../src/controllers/workloads/rollout.js";

const NOW = 1_000_000;

function pods(n: number, revision: string, extra: Partial<RolloutPod> = {}): RolloutPod[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `${revision}-${i}`,
    revision,
    phase: "Running" as const,
    ready: true,
    readySince: NOW - 60_000,
    createdAt: i,
    ...extra,
  }));
}

function state(over: Partial<RolloutState>): RolloutState {
  return {
    replicas: 3,
    strategy: { type: "RollingUpdate", maxSurge: "25%", maxUnavailable: "25%" },
    minReadySeconds: 0,
    progressDeadlineSeconds: 600,
    paused: false,
    revision: "new",
    pods: [],
    now: NOW,
    ...over,
  };
}

const creates = (r: ReturnType<typeof rolloutStep>) => r.actions.filter((a) => a.type === "create").reduce((n, a) => n + (a.type === "create" ? a.count : 0), 0);
const deletes = (r: ReturnType<typeof rolloutStep>) => r.actions.flatMap((a) => (a.type === "delete" ? a.pods : []));

describe("maxSurge and maxUnavailable as pod counts", () => {
  it.each([
    { replicas: 10, surge: "25%", unavailable: "25%", want: { surge: 3, unavailable: 2 } },
    { replicas: 3, surge: "25%", unavailable: "25%", want: { surge: 1, unavailable: 0 } },
    { replicas: 4, surge: "25%", unavailable: "25%", want: { surge: 1, unavailable: 1 } },
    { replicas: 3, surge: 0, unavailable: 0, want: { surge: 0, unavailable: 1 } },
    { replicas: 5, surge: "0%", unavailable: "0%", want: { surge: 0, unavailable: 1 } },
    { replicas: 10, surge: 1, unavailable: 0, want: { surge: 1, unavailable: 0 } },
    { replicas: 1, surge: "50%", unavailable: "50%", want: { surge: 1, unavailable: 0 } },
  ])("$replicas replicas with surge $surge and unavailable $unavailable give $want", ({ replicas, surge, unavailable, want }) => {
    expect(surgeAndUnavailable(replicas, { type: "RollingUpdate", maxSurge: surge, maxUnavailable: unavailable })).toEqual(want);
  });
});

describe("one rolling-update step from a fully available old revision", () => {
  it.each([
    { replicas: 10, strategy: { maxSurge: "25%", maxUnavailable: "25%" }, create: 3, remove: 2 },
    { replicas: 3, strategy: { maxSurge: "25%", maxUnavailable: "25%" }, create: 1, remove: 0 },
    { replicas: 4, strategy: { maxSurge: "25%", maxUnavailable: "25%" }, create: 1, remove: 1 },
    { replicas: 3, strategy: { maxSurge: 0, maxUnavailable: 0 }, create: 0, remove: 1 },
    { replicas: 10, strategy: { maxSurge: 1, maxUnavailable: 0 }, create: 1, remove: 0 },
    { replicas: 10, strategy: { maxSurge: 0, maxUnavailable: 3 }, create: 0, remove: 3 },
  ])("$replicas replicas with $strategy start $create new pods and stop $remove old ones", ({ replicas, strategy, create, remove }) => {
    const r = rolloutStep(state({ replicas, strategy: { type: "RollingUpdate", ...strategy }, pods: pods(replicas, "old") }));
    expect(creates(r)).toBe(create);
    expect(deletes(r)).toHaveLength(remove);
    expect(r.phase).toBe("Progressing");
  });

  it("stops unhealthy old pods before available ones", () => {
    const old = [...pods(2, "old"), { name: "old-sick", revision: "old", phase: "Running" as const, ready: false, createdAt: 0 }];
    const r = rolloutStep(state({ strategy: { type: "RollingUpdate", maxSurge: 0, maxUnavailable: 1 }, pods: old }));
    expect(deletes(r)).toEqual(["old-sick"]);
  });

  it("counts terminating containers against the surge so the engine never runs more than replicas + surge", () => {
    const p = [...pods(3, "old"), ...pods(1, "new"), { ...pods(1, "old")[0]!, name: "old-going", terminating: true }];
    const r = rolloutStep(state({ strategy: { type: "RollingUpdate", maxSurge: 1, maxUnavailable: 0 }, pods: p }));
    expect(creates(r)).toBe(0);
  });

  it("does not stop old pods while new ones are not yet available", () => {
    const p = [...pods(3, "old"), ...pods(1, "new", { ready: false, readySince: undefined })];
    const r = rolloutStep(state({ strategy: { type: "RollingUpdate", maxSurge: 1, maxUnavailable: 0 }, pods: p }));
    expect(r.actions).toEqual([]);
  });
});

/**
 * Simulates a whole rollout: new pods become ready one tick after creation, stopped pods vanish
 * `stopTicks` ticks after they were told to stop (one by default).
 */
function simulate(replicas: number, strategy: RolloutStrategy, options: { podReplacementPolicy?: PodReplacementPolicy; stopTicks?: number } = {}) {
  let p: (RolloutPod & { stoppingSince?: number })[] = pods(replicas, "old");
  let progress: RolloutState["progress"];
  const { surge, unavailable } = surgeAndUnavailable(replicas, strategy);
  const stopTicks = options.stopTicks ?? 1;
  const policy = options.podReplacementPolicy ? { podReplacementPolicy: options.podReplacementPolicy } : {};
  let maxTotal = 0;
  let maxCounted = 0;
  let minAvailable = Infinity;
  let n = 0;
  for (let tick = 0; tick < 200; tick++) {
    const now = NOW + tick * 1000;
    p = p.filter((x) => !x.terminating || tick - (x.stoppingSince ?? tick) < stopTicks).map((x) => (x.ready || x.terminating ? x : { ...x, ready: true, readySince: now }));
    const r = rolloutStep(state({ replicas, strategy, pods: p, now, ...policy, ...(progress ? { progress } : {}) }));
    progress = r.progress;
    if (r.phase === "Complete") return { ticks: tick, maxTotal, maxCounted, minAvailable, surge, unavailable, final: p.filter((x) => !x.terminating) };
    for (const a of r.actions) {
      if (a.type === "delete") p = p.map((x) => (a.pods.includes(x.name) ? { ...x, terminating: true, ready: false, stoppingSince: tick } : x));
      else for (let i = 0; i < a.count; i++) p.push({ name: `new-${n++}`, revision: "new", phase: "Running", ready: false, createdAt: now });
    }
    maxTotal = Math.max(maxTotal, p.length);
    maxCounted = Math.max(maxCounted, p.filter((x) => !x.terminating).length);
    minAvailable = Math.min(minAvailable, p.filter((x) => x.ready && !x.terminating).length);
  }
  throw new Error("rollout did not complete");
}

describe("a whole rolling update", () => {
  it.each([
    { replicas: 10, strategy: { type: "RollingUpdate" as const, maxSurge: "25%", maxUnavailable: "25%" } },
    { replicas: 3, strategy: { type: "RollingUpdate" as const, maxSurge: "25%", maxUnavailable: "25%" } },
    { replicas: 4, strategy: { type: "RollingUpdate" as const, maxSurge: "25%", maxUnavailable: "25%" } },
    { replicas: 10, strategy: { type: "RollingUpdate" as const, maxSurge: 1, maxUnavailable: 0 } },
    { replicas: 5, strategy: { type: "RollingUpdate" as const, maxSurge: 0, maxUnavailable: 0 } },
    { replicas: 6, strategy: { type: "RollingUpdate" as const, maxSurge: "50%", maxUnavailable: 2 } },
  ])("with $replicas replicas and $strategy stays within replicas + surge and above replicas - unavailable", ({ replicas, strategy }) => {
    const r = simulate(replicas, strategy);
    expect(r.maxTotal).toBeLessThanOrEqual(replicas + r.surge);
    expect(r.minAvailable).toBeGreaterThanOrEqual(replicas - r.unavailable);
    expect(r.final.every((x) => x.revision === "new")).toBe(true);
    expect(r.final).toHaveLength(replicas);
  });
});

describe("pod replacement policy", () => {
  const surgeOne = { type: "RollingUpdate" as const, maxSurge: 1, maxUnavailable: 0 };
  const stopping = () => [...pods(2, "old"), ...pods(1, "new"), { ...pods(1, "old")[0]!, name: "old-going", ready: false, terminating: true }];

  it("TerminationStarted starts the replacement while the replaced pod is still stopping, as Kubernetes does by default", () => {
    const r = rolloutStep(state({ strategy: surgeOne, podReplacementPolicy: "TerminationStarted", pods: stopping() }));
    expect(creates(r)).toBe(1);
  });

  it("TerminationStarted still stops no old pod before its replacement is available", () => {
    const p = [...pods(2, "old"), ...pods(1, "new"), ...pods(1, "new", { name: "new-starting", ready: false, readySince: undefined }), { ...pods(1, "old")[0]!, name: "old-going", ready: false, terminating: true }];
    const r = rolloutStep(state({ strategy: surgeOne, podReplacementPolicy: "TerminationStarted", pods: p }));
    expect(deletes(r)).toEqual([]);
    expect(creates(r)).toBe(0);
  });

  it("the default (TerminationComplete) waits for the stopped container to be gone", () => {
    expect(creates(rolloutStep(state({ strategy: surgeOne, pods: stopping() })))).toBe(0);
    expect(creates(rolloutStep(state({ strategy: surgeOne, podReplacementPolicy: "TerminationComplete", pods: stopping() })))).toBe(0);
  });

  it("under TerminationStarted a rollout whose last old pod is stopping is complete; by default it is not yet", () => {
    const p = [...pods(3, "new"), { ...pods(1, "old")[0]!, name: "old-going", ready: false, terminating: true }];
    expect(rolloutStep(state({ pods: p, podReplacementPolicy: "TerminationStarted" })).phase).toBe("Complete");
    const byDefault = rolloutStep(state({ pods: p }));
    expect(byDefault.phase).toBe("Progressing");
    expect(byDefault.status.old).toBe(1);
  });

  it("Recreate under TerminationStarted starts the new revision once every old pod is stopping", () => {
    const r = rolloutStep(state({ strategy: { type: "Recreate" }, podReplacementPolicy: "TerminationStarted", pods: pods(3, "old", { terminating: true, ready: false }) }));
    expect(r.actions).toEqual([{ type: "create", revision: "new", count: 3 }]);
  });

  it.each([
    { replicas: 10, strategy: surgeOne },
    { replicas: 4, strategy: { type: "RollingUpdate" as const, maxSurge: "25%", maxUnavailable: "25%" } },
    { replicas: 6, strategy: { type: "RollingUpdate" as const, maxSurge: "50%", maxUnavailable: 2 } },
  ])("with slow-stopping pods, $replicas replicas and $strategy: TerminationStarted keeps live pods within replicas + surge and finishes sooner", ({ replicas, strategy }) => {
    const started = simulate(replicas, strategy, { podReplacementPolicy: "TerminationStarted", stopTicks: 3 });
    const complete = simulate(replicas, strategy, { stopTicks: 3 });
    expect(started.maxCounted).toBeLessThanOrEqual(replicas + started.surge);
    expect(started.minAvailable).toBeGreaterThanOrEqual(replicas - started.unavailable);
    expect(started.final.map((x) => x.revision)).toEqual(Array(replicas).fill("new"));
    expect(complete.maxTotal).toBeLessThanOrEqual(replicas + complete.surge);
    expect(complete.minAvailable).toBeGreaterThanOrEqual(replicas - complete.unavailable);
    expect(started.ticks).toBeLessThan(complete.ticks);
  });
});

describe("Recreate", () => {
  it("stops every old pod before starting any new one", () => {
    const r = rolloutStep(state({ strategy: { type: "Recreate" }, pods: pods(3, "old") }));
    expect(deletes(r).sort()).toEqual(["old-0", "old-1", "old-2"]);
    expect(creates(r)).toBe(0);
  });

  it("waits while old pods are still stopping", () => {
    const r = rolloutStep(state({ strategy: { type: "Recreate" }, pods: pods(3, "old", { terminating: true }) }));
    expect(r.actions).toEqual([]);
  });

  it("starts all new pods once the old ones are gone", () => {
    const r = rolloutStep(state({ strategy: { type: "Recreate" }, pods: [] }));
    expect(r.actions).toEqual([{ type: "create", revision: "new", count: 3 }]);
  });
});

describe("pausing, scaling, minReadySeconds and the progress deadline", () => {
  it("a paused Deployment starts no new revision and reports Paused", () => {
    const r = rolloutStep(state({ paused: true, pods: pods(3, "old") }));
    expect(r.actions).toEqual([]);
    expect(r.phase).toBe("Paused");
  });

  it("a Deployment paused for longer than its deadline has the whole deadline again once resumed", () => {
    const strategy = { type: "RollingUpdate" as const, maxSurge: 1, maxUnavailable: 0 };
    const stale = { at: NOW - 3_600_000, revision: "new", newPods: 0, newAvailable: 0, oldPods: 3 };
    const paused = rolloutStep(state({ paused: true, progressDeadlineSeconds: 30, strategy, pods: pods(3, "old"), progress: stale }));
    expect(paused.phase).toBe("Paused");
    const resumed = rolloutStep(state({ now: NOW + 1_000, progressDeadlineSeconds: 30, strategy, pods: pods(3, "old"), progress: paused.progress }));
    expect(resumed.phase).toBe("Progressing");
    expect(creates(resumed)).toBe(1);
  });

  it("a paused Deployment still scales its current pods", () => {
    const r = rolloutStep(state({ paused: true, replicas: 5, pods: pods(3, "new") }));
    expect(r.actions).toEqual([{ type: "create", revision: "new", count: 2 }]);
  });

  it("changing only replicas scales up without replacing any pod", () => {
    const r = rolloutStep(state({ replicas: 5, pods: pods(3, "new") }));
    expect(r.actions).toEqual([{ type: "create", revision: "new", count: 2 }]);
  });

  it("scaling down removes not-ready pods first, then the newest", () => {
    const p = [...pods(3, "new"), { name: "new-unready", revision: "new", phase: "Running" as const, ready: false, createdAt: 0 }];
    const r = rolloutStep(state({ replicas: 2, pods: p }));
    expect(deletes(r)).toEqual(["new-unready", "new-2"]);
  });

  it("a pod is not available until it has been ready for minReadySeconds, and the step says when to look again", () => {
    const p = [...pods(3, "old"), ...pods(1, "new", { readySince: NOW - 4_000 })];
    const r = rolloutStep(state({ minReadySeconds: 10, strategy: { type: "RollingUpdate", maxSurge: 1, maxUnavailable: 0 }, pods: p }));
    expect(deletes(r)).toEqual([]);
    expect(r.requeueAfterMs).toBe(6_000);
    const later = rolloutStep(state({ now: NOW + 6_000, minReadySeconds: 10, strategy: { type: "RollingUpdate", maxSurge: 1, maxUnavailable: 0 }, pods: p }));
    expect(deletes(later)).toHaveLength(1);
  });

  it("no progress for progressDeadlineSeconds fails the rollout with ProgressDeadlineExceeded and the pod's reason", () => {
    const p = [...pods(3, "old"), ...pods(1, "new", { ready: false, readySince: undefined, reason: "CrashLoopBackOff" })];
    const progress = { at: NOW - 30_000, newPods: 1, newAvailable: 0, oldPods: 3 };
    const r = rolloutStep(state({ progressDeadlineSeconds: 30, strategy: { type: "RollingUpdate", maxSurge: 1, maxUnavailable: 0 }, pods: p, progress }));
    expect(r.phase).toBe("Failed");
    expect(r.reason).toBe("ProgressDeadlineExceeded");
    expect(r.message).toContain("CrashLoopBackOff");
  });

  it("a new revision starts its own deadline: a commit long after the last rollout is not failed at its first step", () => {
    // The previous revision finished ten minutes ago; its record says nothing moved since.
    const progress = { at: NOW - 600_000, revision: "old", newPods: 3, newAvailable: 3, oldPods: 0, completedRevision: "old" };
    const r = rolloutStep(state({ progressDeadlineSeconds: 30, strategy: { type: "RollingUpdate", maxSurge: 1, maxUnavailable: 0 }, pods: pods(3, "old"), progress }));
    expect(r.phase).toBe("Progressing");
    expect(creates(r)).toBe(1);
    expect(r.progress).toMatchObject({ at: NOW, revision: "new" });
    // Its new pod is made but never becomes available: thirty seconds after that, the deadline passes.
    const stuck = { progressDeadlineSeconds: 30, strategy: { type: "RollingUpdate" as const, maxSurge: 1, maxUnavailable: 0 }, pods: [...pods(3, "old"), ...pods(1, "new", { ready: false, readySince: undefined })] };
    const made = rolloutStep(state({ ...stuck, now: NOW + 1_000, progress: r.progress }));
    expect(made.phase).toBe("Progressing");
    const later = rolloutStep(state({ ...stuck, now: NOW + 31_000, progress: made.progress }));
    expect(later.reason).toBe("ProgressDeadlineExceeded");
  });

  it("a rollout that keeps making progress does not time out", () => {
    const progress = { at: NOW - 30_000, newPods: 0, newAvailable: 0, oldPods: 3 };
    const p = [...pods(3, "old"), ...pods(1, "new")];
    const r = rolloutStep(state({ progressDeadlineSeconds: 30, pods: p, progress }));
    expect(r.phase).toBe("Progressing");
    expect(r.progress.at).toBe(NOW);
  });

  it("a completed rollout never times out later, even if a pod becomes unready", () => {
    const done = rolloutStep(state({ pods: pods(3, "new") }));
    expect(done.phase).toBe("Complete");
    const later = rolloutStep(state({ now: NOW + 3_600_000, progressDeadlineSeconds: 30, pods: [...pods(2, "new"), ...pods(1, "new", { name: "x", ready: false })].map((x, i) => ({ ...x, name: `p${i}` })), progress: done.progress }));
    expect(later.phase).toBe("Progressing");
  });
});
