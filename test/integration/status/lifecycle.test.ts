import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appCommands } from "../../../src/cli/commands/apps.js";
import { deleteCommand } from "../../../src/cli/commands/delete.js";
import { runCli } from "../../helpers/cli.js";
import { served, statusFixture, until, type StatusFixture } from "./fixture.js";

const networks = (namespace: string) =>
  execFileSync("docker", ["network", "ls", "--format", "{{.Name}}", "--filter", `name=^capstan-${namespace}`], { encoding: "utf8" }).split("\n").filter(Boolean).sort();

describe("application lifecycle under the daemon", () => {
  // 0: manual; 1: broken at first, 2 depends on it; 3: removed from Git without the finalizer; 4: with it; 5: follows the default branch.
  const fx: StatusFixture = statusFixture("life", [
    { manual: true },
    { values: { tag: "broken", deadline: 5 } },
    { dependsOn: [1] },
    {},
    { finalizer: true },
    { noTargetRevision: true },
  ]);
  const [manual, dependency, dependent, orphan, finalized, follower] = fx.apps as [StatusFixture["apps"][0], StatusFixture["apps"][0], StatusFixture["apps"][0], StatusFixture["apps"][0], StatusFixture["apps"][0], StatusFixture["apps"][0]];
  const cli = (...argv: string[]) => runCli(["--state-dir", fx.stateDir, ...argv], { commands: [...appCommands, deleteCommand], env: { HOME: fx.stateDir } });

  beforeAll(async () => {
    await fx.start();
    for (const a of [orphan, finalized, follower]) await until(`${a.name} healthy`, async () => (await fx.history(a))[0]?.phase === "Succeeded", 90_000);
  }, 150_000);
  afterAll(() => fx.cleanup(), 60_000);

  it("deploys an application without automated sync only when asked", async () => {
    const d = await fx.detail(manual);
    expect(d.sync).toBe("OutOfSync");
    expect(d.syncMessage).toMatch(/not deployed: automated sync is off/);
    expect(fx.containers(manual)).toEqual([]);
    expect(await fx.history(manual)).toEqual([]);
    await fx.daemon!.daemon.view.sync(manual.name);
    await until("deployed once asked", async () => (await fx.history(manual))[0]?.phase === "Succeeded", 60_000);
    expect(fx.containers(manual)).toHaveLength(3);
  }, 90_000);

  it("holds a dependent until its dependency is Healthy, saying what it waits for", async () => {
    await until("the dependency failed", async () => (await fx.history(dependency))[0]?.phase === "Failed", 60_000);
    // A first sync that failed still shows what runs: its pods, not an empty list.
    const failed = await fx.detail(dependency);
    expect(failed.health).toBe("Degraded");
    expect(failed.objects.workloads.map((w) => w.name)).toEqual(["web"]);
    expect(failed.objects.workloads[0]!.revisionSets.flatMap((r) => r.pods).length).toBeGreaterThan(0);
    const waiting = await fx.detail(dependent);
    expect(waiting.syncMessage).toBe(`Waiting for ${dependency.name}`);
    expect(fx.containers(dependent)).toEqual([]);
    expect(await fx.history(dependent)).toEqual([]);
    dependency.set({ tag: "v1", deadline: 30 }, "fix the dependency");
    await until("the dependency healthy", async () => (await fx.history(dependency))[0]?.phase === "Succeeded", 60_000);
    await until("the dependent deployed after it", async () => (await fx.history(dependent))[0]?.phase === "Succeeded", 60_000);
    const [dep] = await fx.history(dependency);
    const [own] = await fx.history(dependent);
    expect(Date.parse(own!.startedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(dep!.finishedAt ?? ""));
  }, 150_000);

  it("follows the default branch when targetRevision is left out, not the branch checked out in the working copy", async () => {
    const ids = fx.containers(follower).map((c) => c.id);
    fx.repo.git("checkout", "--quiet", "-b", "feature");
    const sha = follower.set({ tag: "v2" }, "on a feature branch");
    await fx.daemon!.daemon.refresh("cli");
    await new Promise((r) => setTimeout(r, 3000));
    expect(fx.containers(follower).map((c) => c.id)).toEqual(ids);
    expect((await fx.history(follower)).map((r) => r.sha)).not.toContain(sha);
    fx.repo.git("checkout", "--quiet", "main");
  }, 30_000);

  it("prunes an Application removed with the finalizer, and keeps the objects of one without it as Orphaned", async () => {
    const kept = fx.containers(orphan).map((c) => c.id);
    fx.repo.commit({ [`apps/${orphan.name}.yaml`]: null, [`apps/${finalized.name}.yaml`]: null }, "remove two applications");
    await until("the finalized application gone", async () => !(await fx.daemon!.daemon.view.listApps()).some((a) => a.name === finalized.name), 30_000);
    await until("its containers removed", async () => fx.containers(finalized).length === 0, 30_000);
    expect(networks(finalized.namespace)).toEqual([]);
    const d = await until("the other Orphaned", async () => {
      const x = await fx.detail(orphan);
      return x.sync === "Orphaned" ? x : null;
    }, 30_000);
    expect(d.syncMessage).toMatch(/objects kept/);
    expect(fx.containers(orphan).map((c) => c.id)).toEqual(kept);
    expect(await served(orphan.nodePort)).toBe("web v1");
    const list = await cli("get", "apps");
    expect(list.stdout).toMatch(new RegExp(`${orphan.name} +Orphaned`));
  }, 90_000);

  it("deletes through the running daemon on `capstan delete`, networks included, and does not make it again until asked", async () => {
    expect(fx.containers(manual)).toHaveLength(3);
    const out = await cli("delete", "--app", manual.name);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`network capstan-${manual.namespace} removed`);
    expect(fx.containers(manual)).toEqual([]);
    expect(networks(manual.namespace)).toEqual([]);
    await new Promise((r) => setTimeout(r, 3000));
    expect(fx.containers(manual)).toEqual([]);
    const d = await fx.detail(manual);
    expect(d).toMatchObject({ suspended: true, health: "Missing" });
    await fx.daemon!.daemon.view.sync(manual.name);
    await until("deployed again once asked", async () => fx.containers(manual).length === 3, 60_000);
  }, 90_000);
});
