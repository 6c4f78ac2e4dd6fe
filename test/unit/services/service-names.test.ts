import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/controllers/clock.js";
import { DockerPodManager } from "../../../src/controllers/pods/manager.js";
import type { Service } from "../../../src/manifest/index.js";
import { FakeRuntime } from "../../../src/runtime/fake.js";
import { ServiceController } from "../../../src/services/controller.js";
import { intent } from "../controllers/pods/fixtures.js";

const service = (name: string): Service =>
  ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: "prod" }, spec: { type: "ClusterIP", selector: { app: "web" }, ports: [{ port: 8080 }] } }) as Service;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("Service names in the pod layer", () => {
  it("make a foreign container answering to a declared Service's name drift, and stop doing so once the Service goes", async () => {
    const rt = new FakeRuntime({ images: ["capstan-demo/web:v1"] });
    const stateDir = await mkdtemp(join(tmpdir(), "capstan-svc-names-"));
    const inner = new DockerPodManager({ runtimes: new Map([["local", rt]]), stateDir, clock: new FakeClock(0) });
    const controller = new ServiceController({ pods: inner, runtimes: new Map([["local", rt]]), serveProxies: false });
    cleanups.push(async () => {
      await controller.close();
      await inner.stop();
      await rm(stateDir, { recursive: true, force: true });
    });
    const pods = controller.pods;
    await pods.create(intent({ containers: [{ name: "web", image: "capstan-demo/web:v1", ports: [{ containerPort: 8080 }] }] }));
    await controller.setServices("shop", [service("web"), service("api")]);
    const { id } = await rt.create({ name: "intruder", image: "capstan-demo/web:v1", network: { name: "capstan-prod", aliases: ["api"] } });
    await rt.start(id);
    await pods.resync();
    expect(pods.strays("shop")).toEqual([{ object: "Container/intruder", field: "networks[capstan-prod].aliases", live: "api", desired: "(none: api is Service prod/api)" }]);
    await controller.setServices("shop", [service("web")]);
    await pods.resync();
    expect(pods.strays("shop")).toEqual([]);
    // selfHeal reaches the pod layer through the Service controller's wrapper.
    await controller.setServices("shop", [service("api")]);
    pods.setSelfHeal("shop", true);
    await pods.resync();
    expect((await rt.inspect(id)).networks).toEqual([]);
  });
});
