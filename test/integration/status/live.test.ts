import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appCommands } from "../../../src/cli/commands/apps.js";
import { planCommand } from "../../../src/cli/commands/plan.js";
import { runCli } from "../../helpers/cli.js";
import { statusFixture, until, type StatusFixture } from "./fixture.js";

const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();
const memoryOf = (id: string) => Number(docker("inspect", "--format", "{{.HostConfig.Memory}}", id));

describe("status that follows what runs", () => {
  // Application 0 heals drift; application 1 only reports it.
  const fx: StatusFixture = statusFixture("live", [{ selfHeal: true }, { selfHeal: false }]);
  const [healing, reporting] = fx.apps as [StatusFixture["apps"][0], StatusFixture["apps"][0]];
  beforeAll(async () => {
    await fx.start();
    for (const app of fx.apps) await until(`${app.name} healthy`, async () => (await fx.detail(app)).health === "Healthy" && fx.containers(app).length === 3, 90_000);
  }, 120_000);
  afterAll(() => fx.cleanup(), 60_000);

  it("leaves Healthy within 15 s of `docker pause` on one pod of three, and returns within 15 s of unpause", async () => {
    const [victim] = fx.containers(reporting);
    docker("pause", victim!.id);
    try {
      const paused = Date.now();
      const degraded = await until("health leaves Healthy", async () => {
        const d = await fx.detail(reporting);
        return d.health !== "Healthy" ? d : null;
      }, 15_000);
      expect(Date.now() - paused).toBeLessThan(15_000);
      expect(degraded.healthMessage).toMatch(/2\/3|2 of 3|available/);
      const metrics = await (await fetch(`${fx.daemon!.url}/metrics`)).text();
      expect(metrics).toContain(`capstan_app_health_status{app="${reporting.name}",status="Healthy"} 0`);
    } finally {
      docker("unpause", victim!.id);
    }
    const unpaused = Date.now();
    await until("Healthy again", async () => (await fx.detail(reporting)).health === "Healthy", 15_000);
    expect(Date.now() - unpaused).toBeLessThan(15_000);
    expect(fx.containers(reporting).map((c) => c.id)).toContain(victim!.id);
  }, 60_000);

  it("with selfHeal off, shows `docker update --memory` as OutOfSync naming the field, and changes nothing", async () => {
    const [target] = fx.containers(reporting);
    const ids = fx.containers(reporting).map((c) => c.id);
    docker("update", "--memory", "64m", "--memory-swap", "64m", target!.id);
    const d = await until("OutOfSync with the drift", async () => {
      const x = await fx.detail(reporting);
      return x.sync === "OutOfSync" && x.drift.length > 0 ? x : null;
    }, 45_000);
    expect(d.drift[0]).toMatchObject({ field: expect.stringContaining("resources.limits.memory") });
    expect(d.syncMessage).toContain("resources.limits.memory");
    // `get app` and `plan` name it too; plan counts it as a change (exit 1).
    const cli = (...argv: string[]) => runCli(["--state-dir", fx.stateDir, ...argv], { commands: [...appCommands, planCommand], env: { HOME: fx.stateDir } });
    const get = await cli("get", "app", reporting.name);
    expect(get.stdout).toMatch(/OUT OF SYNC\n[^]*resources\.limits\.memory +64Mi +96Mi/);
    const plan = await cli("plan", "--repo", fx.repo.path, "--app", reporting.name);
    expect(plan.stdout).toMatch(/Drift[^]*resources\.limits\.memory: live 64Mi, desired 96Mi/);
    expect(plan.code).toBe(1);
    expect(memoryOf(target!.id)).toBe(64 * 1024 * 1024);
    expect(fx.containers(reporting).map((c) => c.id)).toEqual(ids);
    expect(await fx.history(reporting)).toHaveLength(1);
  }, 60_000);

  it("with selfHeal on, corrects `docker update --memory` following the rollout and records what it corrected", async () => {
    const [target] = fx.containers(healing);
    docker("update", "--memory", "64m", "--memory-swap", "64m", target!.id);
    await until("the drifted container replaced", async () => !fx.containers(healing).some((c) => c.id === target!.id) && fx.containers(healing).length === 3, 60_000);
    for (const c of fx.containers(healing)) expect(memoryOf(c.id)).toBe(96 * 1024 * 1024);
    const d = await until("Synced and Healthy again", async () => {
      const x = await fx.detail(healing);
      return x.sync === "Synced" && x.health === "Healthy" ? x : null;
    }, 30_000);
    expect(d.drift).toEqual([]);
    const events = await fx.daemon!.daemon.view.events({ app: healing.name });
    expect(events.map((e) => `${e.reason} ${e.message}`).join("\n")).toMatch(/memory/);
    expect(await fx.history(healing)).toHaveLength(1);
  }, 90_000);

  it("shows a Pending pod with the scheduler's reason in the application's objects while it rolls out", async () => {
    const sha = reporting.set({ memory: "4000Gi", deadline: 600 }, "more memory than any node has");
    const pod = await until("a Pending pod with its reason", async () => {
      const d = await fx.detail(reporting);
      const pods = d.objects.workloads.flatMap((w) => w.revisionSets.filter((r) => r.current).flatMap((r) => r.pods));
      return pods.find((p) => p.phase === "Pending" && p.message) ?? null;
    }, 30_000);
    expect(pod.reason).toBe("Unschedulable");
    expect(pod.message).toMatch(/^0\/\d+ nodes are available: .*memory/);
    const d = await fx.detail(reporting);
    expect(d.health).not.toBe("Healthy");
    expect(d.objects.workloads[0]).toMatchObject({ desired: 3, ready: 3 });
    expect((await fx.history(reporting))[0]).toMatchObject({ sha, phase: "Running" });
  }, 60_000);

  it("shows a paused Deployment as Suspended, and its sync ends without waiting for a timeout", async () => {
    const sha = reporting.set({ memory: "96Mi", paused: true, tag: "v2" }, "pause the rollout");
    await until("the paused revision recorded", async () => {
      const h = await fx.history(reporting);
      return h[0]?.sha === sha && h[0].phase === "Succeeded";
    }, 30_000);
    expect((await fx.history(reporting)).find((r) => r.phase === "Superseded")).toBeDefined();
    const d = await until("Suspended", async () => {
      const x = await fx.detail(reporting);
      return x.health === "Suspended" ? x : null;
    }, 15_000);
    expect(d.healthMessage).toMatch(/paused/i);
    expect(fx.containers(reporting).map((c) => c.image)).toEqual(["capstan-demo/web:v1", "capstan-demo/web:v1", "capstan-demo/web:v1"]);
  }, 60_000);
});
