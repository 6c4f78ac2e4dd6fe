import type { NodeConfig } from "../../../src/config/index.js";
import { FakeClock } from "../../../src/controllers/clock.js";
import { DockerPodManager } from "../../../src/controllers/pods/manager.js";
import type { PodIntent } from "../../../src/controllers/pods/index.js";
import type { PodTemplate } from "../../../src/manifest/index.js";
import { NodeHealthMonitor, NodeRegistry, createPlacer, type NodePlacer } from "../../../src/nodes/index.js";
import { FakeRuntime } from "../../../src/runtime/fake.js";

/** Three fake engines of 2 CPUs and 1 GiB each behind a registry, a health monitor, a placer and a pod manager. */
export async function fakeCluster(stateDir: string, options: { nodes?: string[]; memoryBytes?: number; evictionTimeoutMs?: number } = {}) {
  const clock = new FakeClock(0);
  const names = options.nodes ?? ["node-a", "node-b", "node-c"];
  const runtimes = new Map(names.map((n) => [n, new FakeRuntime({ node: n, cpus: 2, memoryBytes: options.memoryBytes ?? 1024 ** 3, images: ["capstan-demo/web:v1"] })]));
  const configs: NodeConfig[] = names.map((name) => ({ name, labels: { zone: name === "node-a" ? "a" : "b" }, taints: [], proxyAddress: "127.0.0.1" }));
  const registry = await NodeRegistry.open({ nodes: configs, stateDir, clock, runtimeFor: (n) => runtimes.get(n.name) as FakeRuntime });
  // The monitor's hooks reach the manager, which is made after it (it needs the placer, which needs the monitor).
  const ref: { pods?: DockerPodManager } = {};
  const health = new NodeHealthMonitor({
    nodes: names.map((name) => ({ name, ping: () => (runtimes.get(name) as FakeRuntime).ping() })),
    clock,
    periodMs: 1_000,
    gracePeriodMs: 3_000,
    evictionTimeoutMs: options.evictionTimeoutMs ?? 10_000,
    onEvict: async (node) => void (await ref.pods?.evictNode(node)),
    onRecover: async (node) => void (await ref.pods?.removeStale(node)),
  });
  const placer: NodePlacer = createPlacer({ registry, health });
  const pods = new DockerPodManager({ runtimes: new Map(runtimes), stateDir, clock, placer, resyncPeriodMs: 30_000 });
  ref.pods = pods;
  return { clock, runtimes, registry, health, placer, pods, rt: (n: string) => runtimes.get(n) as FakeRuntime };
}

export function podIntent(name: string, spec: Partial<PodTemplate["spec"]> & { memory?: string } = {}, labels: Record<string, string> = { app: "web" }): PodIntent {
  const { memory, ...rest } = spec;
  return {
    name,
    namespace: "prod",
    app: "shop",
    ownerKind: "Deployment",
    ownerName: "web",
    revision: "abc123",
    commit: "0123456789abcdef0123456789abcdef01234567",
    template: {
      metadata: { labels },
      spec: {
        containers: [{ name: "web", image: "capstan-demo/web:v1", ...(memory ? { resources: { requests: { memory } } } : {}) }],
        ...rest,
      },
    },
    configMaps: {},
    secrets: {},
  };
}

export const antiAffinity = {
  podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "web" } }, topologyKey: "kubernetes.io/hostname" }] },
};
