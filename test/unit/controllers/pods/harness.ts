import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, vi } from "vitest";
import { FakeClock } from "../../../../src/controllers/clock.js";
import { DockerPodManager, type PodManagerOptions } from "../../../../src/controllers/pods/manager.js";
import { containerName } from "../../../../src/controllers/pods/materialize.js";
import type { PodIntent } from "../../../../src/controllers/pods/types.js";
import { FakeRuntime } from "../../../../src/runtime/fake.js";
import { intent } from "./fixtures.js";

/** A pod manager over one fake engine with a fake clock, made and torn down per test. */
export interface Harness {
  clock: FakeClock;
  rt: FakeRuntime;
  manager(extra?: Partial<PodManagerOptions>): DockerPodManager;
}

export function useHarness(): Harness {
  let stateDir = "";
  const managers: DockerPodManager[] = [];
  const h = { manager: (extra: Partial<PodManagerOptions> = {}) => {
    const m = new DockerPodManager({ runtimes: new Map([["node-a", h.rt]]), stateDir, clock: h.clock, ...extra });
    managers.push(m);
    return m;
  } } as Harness;
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "capstan-drift-"));
    h.clock = new FakeClock(0);
    h.rt = new FakeRuntime({ node: "node-a", images: ["capstan-demo/web:v1", "capstan-demo/web:v2"] });
  });
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.stop();
    await rm(stateDir, { recursive: true, force: true });
  });
  return h;
}

export const MI = 1024 ** 2;

/** A pod with limits and a variable, owned by `ownerKind` (StatefulSet unless said). */
export function limited(name = "db-0", extra: Partial<PodIntent> = {}): PodIntent {
  return intent(
    {
      metadata: { labels: { app: "db" } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: "db", image: "capstan-demo/web:v1", env: [{ name: "MODE", value: "fast" }], resources: { limits: { memory: "128Mi", cpu: "500m" } } }],
      },
    },
    { name, ownerKind: "StatefulSet", ownerName: "db", ...extra },
  );
}

export const cname = (p: { namespace: string; name: string }): string => containerName(p.namespace, p.name);

/** Waits (bounded) for what engine events set off. */
export function eventually(check: () => void | Promise<void>, timeoutMs = 2_000): Promise<void> {
  return vi.waitFor(check, { timeout: timeoutMs, interval: 10 });
}
