import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";
import { DockerRuntime } from "../../../src/runtime/docker.js";
import { LABEL, MANAGED_BY_VALUE } from "../../../src/runtime/labels.js";
import type { RuntimeEvent } from "../../../src/runtime/types.js";

const run = randomBytes(4).toString("hex");
const testLabels = { "capstan.dev/test-run": run };
const rt = new DockerRuntime({ node: "local" });
const docker = (...args: string[]): string => execFileSync("docker", args, { encoding: "utf8", timeout: 30_000 }).trim();

afterAll(async () => {
  for (const c of await rt.list(testLabels)) await rt.remove(c.id, { force: true });
  for (const n of await rt.listNetworks(testLabels)) await rt.removeNetwork(n.name);
});

describe("what the Docker engine tells about changes made outside Capstan", () => {
  it("reads limits from the container and hears `docker update` and `docker rename` as events", async () => {
    const events: RuntimeEvent[] = [];
    const sub = rt.subscribe((e) => events.push(e));
    try {
      const name = `drift-${run}-a`;
      const { id } = await rt.create({ name, image: "capstan-demo/web:v1", labels: { ...testLabels, [LABEL.managedBy]: MANAGED_BY_VALUE }, resources: { memoryBytes: 128 * 1024 ** 2, nanoCpus: 5e8 } });
      await rt.start(id);
      expect((await rt.inspect(id)).resources).toEqual({ memoryBytes: 128 * 1024 ** 2, nanoCpus: 5e8 });
      docker("update", "--memory", "64m", id);
      expect((await rt.inspect(id)).resources.memoryBytes).toBe(64 * 1024 ** 2);
      docker("rename", name, `${name}-renamed`);
      expect((await rt.inspect(id)).name).toBe(`${name}-renamed`);
      await vi.waitFor(() => expect(events.filter((e) => e.containerId === id).map((e) => e.action)).toEqual(expect.arrayContaining(["update", "rename"])), { timeout: 10_000 });
      const renamed = events.find((e) => e.containerId === id && e.action === "rename");
      expect(renamed).toMatchObject({ containerName: `${name}-renamed`, labels: { ...testLabels, [LABEL.managedBy]: MANAGED_BY_VALUE } });
      expect(renamed?.labels).not.toHaveProperty("oldName");
    } finally {
      sub.close();
    }
  });

  it("lists the running containers attached to a network, Capstan's or not", async () => {
    const network = `capstan-drift-${run}`;
    await rt.ensureNetwork(network, testLabels);
    const theirs = docker("run", "-d", "--label", `capstan.dev/test-run=${run}`, "--network", network, "--network-alias", "web", "--name", `drift-${run}-theirs`, "capstan-demo/web:v1");
    expect(await rt.networkMembers(network)).toEqual([{ id: theirs, name: `drift-${run}-theirs` }]);
    expect((await rt.inspect(theirs)).networks).toEqual([{ name: network, aliases: ["web"] }]);
    expect(await rt.networkMembers(`capstan-drift-${run}-none`)).toEqual([]);
  });
});
