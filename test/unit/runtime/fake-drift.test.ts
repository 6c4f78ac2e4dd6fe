import { describe, expect, it } from "vitest";
import { FakeRuntime } from "../../../src/runtime/fake.js";
import { LABEL, MANAGED_BY_VALUE } from "../../../src/runtime/labels.js";
import type { RuntimeEvent } from "../../../src/runtime/types.js";

const labels = { [LABEL.managedBy]: MANAGED_BY_VALUE, [LABEL.pod]: "db-0" };

async function running(rt: FakeRuntime, name: string, extra: Partial<Parameters<FakeRuntime["create"]>[0]> = {}): Promise<string> {
  const { id } = await rt.create({ name, image: "capstan-demo/web:v1", labels, ...extra });
  await rt.start(id);
  return id;
}

describe("the fake engine's changes made outside Capstan", () => {
  it("keeps the limits a container was made with and changes them as `docker update` does, with an update event", async () => {
    const rt = new FakeRuntime({ images: ["capstan-demo/web:v1"] });
    const events: RuntimeEvent[] = [];
    rt.subscribe((e) => events.push(e));
    const id = await running(rt, "db", { resources: { memoryBytes: 128 * 1024 ** 2, nanoCpus: 5e8 } });
    expect((await rt.inspect(id)).resources).toEqual({ memoryBytes: 128 * 1024 ** 2, nanoCpus: 5e8 });
    rt.updateResources(id, { memoryBytes: 64 * 1024 ** 2, nanoCpus: 0 });
    expect((await rt.inspect(id)).resources).toEqual({ memoryBytes: 64 * 1024 ** 2 });
    await new Promise((r) => setTimeout(r, 0));
    expect(events.at(-1)).toMatchObject({ action: "update", containerId: id, labels });
  });

  it("renames a container as `docker rename` does, with a rename event carrying the new name", async () => {
    const rt = new FakeRuntime({ images: ["capstan-demo/web:v1"] });
    const events: RuntimeEvent[] = [];
    rt.subscribe((e) => events.push(e));
    const id = await running(rt, "db");
    await running(rt, "other");
    expect(() => rt.rename(id, "other")).toThrow(/already in use/);
    rt.rename(id, "renamed");
    expect((await rt.inspect("renamed")).id).toBe(id);
    await expect(rt.inspect("db")).rejects.toMatchObject({ code: "CONTAINER_NOT_FOUND" });
    await new Promise((r) => setTimeout(r, 0));
    expect(events.at(-1)).toMatchObject({ action: "rename", containerName: "renamed" });
  });

  it("lists the running containers attached to a network, whoever made them", async () => {
    const rt = new FakeRuntime({ images: ["capstan-demo/web:v1"] });
    await rt.ensureNetwork("capstan-prod");
    const a = await running(rt, "a", { network: { name: "capstan-prod" }, labels: {} });
    const { id: stopped } = await rt.create({ name: "b", image: "capstan-demo/web:v1", network: { name: "capstan-prod" } });
    await running(rt, "c");
    expect(await rt.networkMembers("capstan-prod")).toEqual([{ id: a, name: "a" }]);
    expect(stopped).not.toBe(a);
    expect(await rt.networkMembers("no-such-network")).toEqual([]);
  });
});
