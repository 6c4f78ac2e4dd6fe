import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { CapstanError } from "../../src/errors.js";
import { LABEL, MANAGED_BY_VALUE } from "../../src/runtime/labels.js";
import type { ContainerRuntime, ContainerSpec, RuntimeEvent } from "../../src/runtime/types.js";

export interface ContractSubject {
  runtime: ContainerRuntime;
  /** A runtime for the same node name whose engine does not answer. */
  down: () => ContainerRuntime;
  /** An image present on the engine that keeps running until stopped. */
  image: string;
}

async function waitFor<T>(fn: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** One suite, run against the fake and against a real engine, so the fake cannot drift. */
export function runtimeContract(label: string, make: () => Promise<ContractSubject>): void {
  describe(`ContainerRuntime contract: ${label}`, () => {
    const run = randomBytes(4).toString("hex");
    const testLabels = { [LABEL.managedBy]: MANAGED_BY_VALUE, "capstan.dev/test-run": run };
    let subject: ContractSubject | undefined;
    const get = async (): Promise<ContractSubject> => (subject ??= await make());
    let n = 0;
    const spec = (image: string, extra: Partial<ContainerSpec> = {}): ContainerSpec => ({
      name: `capstan-test-${run}-${n++}`,
      image,
      labels: { ...testLabels, ...(extra.labels ?? {}) },
      ...extra,
      ...(extra.labels ? { labels: { ...testLabels, ...extra.labels } } : {}),
    });

    afterAll(async () => {
      if (!subject) return;
      const rt = subject.runtime;
      for (const c of await rt.list({ "capstan.dev/test-run": run })) await rt.remove(c.id, { force: true });
      for (const net of await rt.listNetworks({ "capstan.dev/test-run": run })) await rt.removeNetwork(net.name);
      for (const v of await rt.listVolumes({ "capstan.dev/test-run": run })) await rt.removeVolume(v.name);
    });

    it("takes a container through create, start, stop and remove", async () => {
      const { runtime, image } = await get();
      const s = spec(image);
      const { id } = await runtime.create(s);
      expect((await runtime.inspect(id)).status).toBe("created");
      await runtime.start(id);
      const running = await runtime.inspect(s.name);
      expect(running.running).toBe(true);
      expect(running.id).toBe(id);
      await runtime.stop(id, { graceSeconds: 2 });
      const stopped = await runtime.inspect(id);
      expect(stopped.running).toBe(false);
      expect(stopped.status).toBe("exited");
      await runtime.remove(id);
      expect((await runtime.list({ "capstan.dev/test-run": run })).map((c) => c.name)).not.toContain(s.name);
      await expect(runtime.inspect(id)).rejects.toMatchObject({ code: "CONTAINER_NOT_FOUND" });
    });

    it("keeps labels, env and lists containers by label selector", async () => {
      const { runtime, image } = await get();
      const a = spec(image, { labels: { [LABEL.application]: "web", [LABEL.revision]: "abc123" }, env: { GREETING: "hello world", EMPTY: "" } });
      const b = spec(image, { labels: { [LABEL.application]: "worker" } });
      await runtime.create(a);
      await runtime.create(b);
      const web = await runtime.list({ "capstan.dev/test-run": run, [LABEL.application]: "web" });
      expect(web.map((c) => c.name)).toEqual([a.name]);
      expect(web[0]?.labels[LABEL.revision]).toBe("abc123");
      const details = await runtime.inspect(a.name);
      expect(details.env.GREETING).toBe("hello world");
      expect(details.env.EMPTY).toBe("");
      const all = await runtime.list({ "capstan.dev/test-run": run });
      expect(all.map((c) => c.name).sort()).toEqual(expect.arrayContaining([a.name, b.name]));
    });

    it("publishes ports on 127.0.0.1 with an automatic host port", async () => {
      const { runtime, image } = await get();
      const s = spec(image, { ports: [{ containerPort: 8080 }] });
      await runtime.create(s);
      await runtime.start(s.name);
      const d = await runtime.inspect(s.name);
      const p = d.ports.find((x) => x.containerPort === 8080);
      expect(p?.hostIP).toBe("127.0.0.1");
      expect(p?.hostPort).toBeGreaterThan(0);
      const listed = (await runtime.list({ "capstan.dev/test-run": run })).find((c) => c.name === s.name);
      expect(listed?.ports.some((x) => x.containerPort === 8080 && x.hostPort === p?.hostPort)).toBe(true);
    });

    it("refuses a second container with the same name", async () => {
      const { runtime, image } = await get();
      const s = spec(image);
      await runtime.create(s);
      await expect(runtime.create(s)).rejects.toMatchObject({ code: "RUNTIME_ERROR" });
    });

    it("reports a missing image as IMAGE_NOT_FOUND within seconds, naming the node", async () => {
      const { runtime } = await get();
      const started = Date.now();
      const err = await runtime.create(spec(`capstan-demo/missing-${run}:v9`)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CapstanError);
      expect((err as CapstanError).code).toBe("IMAGE_NOT_FOUND");
      expect((err as CapstanError).message).toContain(`node ${runtime.node}`);
      expect((err as CapstanError).message).toContain("ImagePullBackOff");
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await runtime.imagePresent(`capstan-demo/missing-${run}:v9`)).toBe(false);
    });

    it("knows which images are present", async () => {
      const { runtime, image } = await get();
      expect(await runtime.imagePresent(image)).toBe(true);
    });

    it("streams start, die and destroy events for Capstan's containers", async () => {
      const { runtime, image } = await get();
      const seen: RuntimeEvent[] = [];
      const sub = runtime.subscribe((e) => seen.push(e));
      try {
        // The stream needs a moment to attach on a real engine.
        await new Promise((r) => setTimeout(r, 300));
        const s = spec(image);
        const { id } = await runtime.create(s);
        await runtime.start(id);
        await runtime.stop(id, { graceSeconds: 2 });
        await runtime.remove(id);
        const actions = await waitFor(() => {
          const mine = seen.filter((e) => e.containerId === id).map((e) => e.action);
          return ["start", "die", "destroy"].every((a) => mine.includes(a as RuntimeEvent["action"])) ? mine : undefined;
        });
        expect(actions.indexOf("start")).toBeLessThan(actions.indexOf("destroy"));
        const ev = seen.find((e) => e.containerId === id && e.action === "start");
        expect(ev?.labels["capstan.dev/test-run"]).toBe(run);
        expect(ev?.containerName).toBe(s.name);
        expect(ev?.node).toBe(runtime.node);
      } finally {
        sub.close();
      }
    });

    it("creates networks and volumes idempotently and finds them by label", async () => {
      const { runtime, image } = await get();
      const net = `capstan-test-${run}-net`;
      await runtime.ensureNetwork(net, testLabels);
      await runtime.ensureNetwork(net, testLabels);
      expect((await runtime.listNetworks({ "capstan.dev/test-run": run })).map((x) => x.name)).toEqual([net]);
      const vol = `capstan-test-${run}-vol`;
      await runtime.ensureVolume(vol, testLabels);
      await runtime.ensureVolume(vol, testLabels);
      expect((await runtime.listVolumes({ "capstan.dev/test-run": run })).map((x) => x.name)).toEqual([vol]);
      const s = spec(image, { network: { name: net, aliases: ["web", "web.default"] }, mounts: [{ type: "volume", source: vol, target: "/data" }] });
      await runtime.create(s);
      const d = await runtime.inspect(s.name);
      expect(d.networks.find((x) => x.name === net)?.aliases).toEqual(expect.arrayContaining(["web", "web.default"]));
      expect(d.mounts.find((m) => m.target === "/data")?.source).toBe(vol);
    });

    it("says RUNTIME_UNAVAILABLE, naming the node, when the engine does not answer", async () => {
      const { down } = await get();
      const rt = down();
      const started = Date.now();
      await expect(rt.ping()).rejects.toMatchObject({ code: "RUNTIME_UNAVAILABLE", message: expect.stringContaining(`node ${rt.node}`) });
      await expect(rt.list()).rejects.toMatchObject({ code: "RUNTIME_UNAVAILABLE" });
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });
}
