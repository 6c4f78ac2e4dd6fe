import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalize } from "../../../src/manifest/index.js";
import { ServiceRun, asService, freeNodePort, service, worker } from "./harness.js";

const run = new ServiceRun();
beforeAll(() => run.setup());
afterAll(() => run.teardown());

const ns = () => `${run.namespace}-bad`;
const svc = (name: string, options: Parameters<typeof service>[1]) => asService(normalize(service(name, options), ns()));

describe("Services on the real engine: bad input", () => {
  it("a selector that matches nothing still gets its NodePort, with a warning naming the selector", async () => {
    const { controller, applier } = await run.stack();
    // The application runs a pod, which the Service's selector misses.
    await applier.sync(run.request("bad", "c1", [worker("busy")]));
    expect(await applier.waitForHealthy("bad", 60_000)).toEqual({ status: "Healthy", commit: "c1" });
    const nodePort = await freeNodePort();
    expect(await controller.setServices("bad", [svc("lonely", { selector: { app: "nobody" }, nodePort })])).toEqual([]);
    expect(run.warnings.map((w) => w.message)).toContain(`Service lonely: selector {"app":"nobody"} matches no pod in namespace ${ns()}`);
    const status = controller.status().find((s) => s.name === "lonely");
    expect(status?.matched).toEqual([]);
    expect(status?.nodePorts).toEqual([{ port: 80, nodePort, listening: true }]);
    // Nothing to send it to: the connection is closed, not left hanging.
    const closed = await new Promise<string>((resolve) => {
      fetch(`http://127.0.0.1:${nodePort}/`).then(
        () => resolve("answered"),
        (err: Error) => resolve(err.name),
      );
    });
    expect(closed).toBe("TypeError");
  });

  it("two Services asking for the same nodePort: the second is refused naming the first, and a port out of range is refused naming the range", async () => {
    const { controller } = await run.stack();
    const nodePort = await freeNodePort();
    const problems = await controller.setServices("bad2", [svc("first", { nodePort }), svc("second", { nodePort }), svc("low", { nodePort: 8080 })]);
    expect(problems).toEqual([
      { field: "spec.ports[0].nodePort", message: `Service ${ns()}/second: nodePort ${nodePort} is already allocated to ${ns()}/first:80` },
      { field: "spec.ports[0].nodePort", message: `Service ${ns()}/low: nodePort 8080 is outside the range 30000-32767` },
    ]);
    expect(controller.status().find((s) => s.name === "first")?.nodePorts).toEqual([{ port: 80, nodePort, listening: true }]);
    expect(controller.status().find((s) => s.name === "second")?.nodePorts).toEqual([]);
  });

  it("a nodePort another process already listens on is reported in status and as a warning", async () => {
    const { controller } = await run.stack();
    const nodePort = await freeNodePort();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(nodePort, "127.0.0.1", resolve));
    try {
      expect(await controller.setServices("bad3", [svc("squatted", { nodePort })])).toEqual([]);
      const message = `127.0.0.1:${nodePort} is already in use (nodePort clash)`;
      expect(controller.status().find((s) => s.name === "squatted")?.nodePorts).toEqual([{ port: 80, nodePort, listening: false, error: message }]);
      expect(run.warnings.map((w) => w.message)).toContain(`Service ${ns()}/squatted: ${message}`);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });
});
