import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/controllers/clock.js";
import { DockerPodManager } from "../../../src/controllers/pods/manager.js";
import type { Problem } from "../../../src/errors.js";
import type { Service } from "../../../src/manifest/index.js";
import { FakeRuntime } from "../../../src/runtime/fake.js";
import { ServiceController } from "../../../src/services/controller.js";
import { intent } from "../controllers/pods/fixtures.js";

const service: Service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "prod" },
  spec: { type: "ClusterIP", selector: { app: "web" }, ports: [{ port: 80, targetPort: "http" }] },
} as Service;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(rt = new FakeRuntime({ images: ["capstan-demo/web:v1"] })) {
  const stateDir = await mkdtemp(join(tmpdir(), "capstan-svc-"));
  const pods = new DockerPodManager({ runtimes: new Map([["local", rt]]), stateDir, clock: new FakeClock(0) });
  const warnings: Problem[] = [];
  const controller = new ServiceController({ pods, runtimes: new Map([["local", rt]]), serveProxies: false, onWarning: (p) => warnings.push(p) });
  cleanups.push(async () => {
    await controller.close();
    await pods.stop();
    await rm(stateDir, { recursive: true, force: true });
  });
  await controller.pods.create(intent({ containers: [{ name: "web", image: "capstan-demo/web:v1", ports: [{ name: "http", containerPort: 8080 }] }] }));
  return { rt, controller, warnings };
}

describe("the Service controller", () => {
  it("says a standing endpoint warning once, not on every pass", async () => {
    const { controller, warnings } = await setup();
    await controller.setServices("shop", [service]);
    await controller.setServices("shop", [service]);
    await controller.reconcile();
    const untranslated = warnings.filter((w) => w.message.includes("is not translated"));
    expect(untranslated.map((w) => w.message)).toEqual(["Service web: inside the network, web:80 is not translated to the pods' port 8080; pods reach it at web:8080"]);
  });

  it("says a selector matches no pod once the application has pods in the namespace, not before its first pods are made", async () => {
    const { controller, warnings } = await setup();
    const typo = { ...service, metadata: { name: "api", namespace: "prod" }, spec: { ...service.spec, selector: { app: "apii" } } } as Service;
    // The application "api" has no pod yet: its Deployment is still to be applied.
    await controller.setServices("api", [typo]);
    expect(warnings.filter((w) => w.message.includes("matches no pod"))).toEqual([]);
    expect(controller.status().find((s) => s.name === "api")?.warnings.map((w) => w.message)).toEqual(['Service api: selector {"app":"apii"} matches no pod in namespace prod']);
    // Its pods come, and none carries the selector's labels: now it is said.
    await controller.pods.create(intent({ containers: [{ name: "api", image: "capstan-demo/web:v1" }] }, { name: "api-abc-0", app: "api" }));
    await controller.reconcile();
    expect(warnings.filter((w) => w.message.includes("matches no pod")).map((w) => w.message)).toEqual(['Service api: selector {"app":"apii"} matches no pod in namespace prod']);
  });

  it("takes a Service's DNS alias off an adopted pod when, after a restart, no Service is declared any more", async () => {
    const rt = new FakeRuntime({ images: ["capstan-demo/web:v1"] });
    const { controller } = await setup(rt);
    await controller.setServices("shop", [service]);
    const [container] = await rt.list();
    const serviceAliases = async () => (await rt.inspect(container?.id ?? "")).networks.find((n) => n.name === "capstan-prod-svc")?.aliases ?? [];
    expect(await serviceAliases()).toContain("web");
    // A new process: the pods are adopted from the engine, and Git no longer declares the Service.
    const stateDir = await mkdtemp(join(tmpdir(), "capstan-svc-"));
    const pods = new DockerPodManager({ runtimes: new Map([["local", rt]]), stateDir, clock: new FakeClock(0) });
    const again = new ServiceController({ pods, runtimes: new Map([["local", rt]]), serveProxies: false });
    cleanups.push(async () => {
      await again.close();
      await pods.stop();
      await rm(stateDir, { recursive: true, force: true });
    });
    await pods.start();
    await again.setServices("shop", []);
    expect(await serviceAliases()).not.toContain("web");
  });

  it("declares the Services even when a pass trips over a container going away, and says what failed", async () => {
    const rt = new FakeRuntime({ images: ["capstan-demo/web:v1"] });
    rt.connectNetwork = async () => {
      throw new Error("Container abc is marked for removal and cannot be connected or disconnected to the network");
    };
    const { controller, warnings } = await setup(rt);
    await expect(controller.setServices("shop", [service])).resolves.toEqual([]);
    expect(controller.status().map((s) => s.name)).toEqual(["web"]);
    expect(warnings.map((w) => w.message)).toContain("services: Container abc is marked for removal and cannot be connected or disconnected to the network");
  });
});
