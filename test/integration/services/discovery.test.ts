import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { web } from "../controllers/workloads/harness.js";
import { ServiceRun, asService, freeNodePort, service, until, worker } from "./harness.js";

const run = new ServiceRun();
beforeAll(() => run.setup());
afterAll(() => run.teardown());

describe("Services on the real engine: discovery", () => {
  it("a pod reaches a Service by its name in its namespace and as name.namespace from another namespace", async () => {
    const { applier, pods, controller } = await run.stack();
    const nodePort = await freeNodePort();
    // In-cluster names resolve to the pods themselves (DNS aliases), so the Service port is the container port.
    const svc = service("web", { port: 8080, nodePort });
    const req = run.request("dns", "c1", [web("web", { replicas: 2 }), worker("client"), svc], { autoRollback: true });
    await applier.sync(req);
    expect((await applier.waitForHealthy("dns", 60_000)).status).toBe("Healthy");
    const other = run.request("other", "c1", [worker("client")]);
    await applier.sync(other);
    expect((await applier.waitForHealthy("other", 60_000)).status).toBe("Healthy");
    const declared = req.objects.filter((o) => o.kind === "Service").map(asService);
    expect(await controller.setServices("dns", declared)).toEqual([]);

    const exec = async (app: string, url: string): Promise<string | undefined> => {
      const id = pods.list({ app }).find((p) => p.name.startsWith("client"))?.containerIds[0];
      if (!id) return undefined;
      const r = await run.rt.exec(id, ["http-get", url], { timeoutMs: 5_000 });
      return r.exitCode === 0 && r.stdout.startsWith("web v1") ? r.stdout : undefined;
    };
    expect(await until("web by short name", () => exec("dns", "http://web:8080/"))).toBe("web v1\n");
    expect(await until("web.namespace from another namespace", () => exec("other", `http://web.${req.namespace}:8080/`))).toBe("web v1\n");
    // The short name is the namespace's own: the other namespace does not see it.
    const id = pods.list({ app: "other" })[0]?.containerIds[0] ?? "";
    const stranger = await run.rt.exec(id, ["http-get", "http://web:8080/"], { timeoutMs: 5_000 });
    expect(stranger.exitCode, `from namespace other, "web" answered: ${stranger.stdout}${stranger.stderr}`).not.toBe(0);

    // And the NodePort answers on the host.
    const res = await until("NodePort", async () => (await fetch(`http://127.0.0.1:${nodePort}/`)).text());
    expect(res).toBe("web v1\n");
    const status = controller.status().find((s) => s.name === "web");
    expect(status?.nodePorts).toEqual([{ port: 8080, nodePort, listening: true }]);
  }, 120_000);
});
