import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../../../src/controllers/clock.js";
import { DockerPodManager, type PodManagerOptions } from "../../../../src/controllers/pods/manager.js";
import { containerName } from "../../../../src/controllers/pods/materialize.js";
import type { ProbeExecutor } from "../../../../src/controllers/pods/probes.js";
import type { PodStatus } from "../../../../src/controllers/pods/types.js";
import { LABEL } from "../../../../src/runtime/labels.js";
import { FakeRuntime } from "../../../../src/runtime/fake.js";
import { configMap, intent, secret } from "./fixtures.js";

const cname = (p: { namespace: string; name: string }): string => containerName(p.namespace, p.name);

let stateDir = "";
let clock: FakeClock;
let rt: FakeRuntime;
const managers: DockerPodManager[] = [];

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "capstan-pods-"));
  clock = new FakeClock(0);
  rt = new FakeRuntime({ node: "node-a", images: ["capstan-demo/web:v1", "capstan-demo/crash:latest"] });
});

afterEach(async () => {
  for (const m of managers.splice(0)) await m.stop();
  await rm(stateDir, { recursive: true, force: true });
});

function manager(extra: Partial<PodManagerOptions> = {}): DockerPodManager {
  const m = new DockerPodManager({ runtimes: new Map([["node-a", rt]]), stateDir, clock, ...extra });
  managers.push(m);
  return m;
}

const web = (extra: Parameters<typeof intent>[1] = {}) => intent({ containers: [{ name: "web", image: "capstan-demo/web:v1", ports: [{ containerPort: 8080 }] }] }, extra);

/** A probe executor the test steers: the named probe kind answers what `answers` says. */
function steeredProbes(answers: { readiness?: boolean; liveness?: boolean; startup?: boolean }): ProbeExecutor {
  return async (probe) => {
    const path = probe.httpGet?.path ?? "";
    const kind = path.includes("ready") ? "readiness" : path.includes("live") ? "liveness" : "startup";
    const ok = answers[kind] ?? true;
    return { ok, message: ok ? "ok" : `${kind} says no` };
  };
}

describe("pod manager on a fake engine", () => {
  it("runs pods of the same name in two namespaces side by side (a StatefulSet's db-0 in staging and in prod)", async () => {
    const m = manager();
    const spec = { containers: [{ name: "db", image: "capstan-demo/web:v1" }] };
    const staging = await m.create(intent(spec, { name: "db-0", namespace: "staging", ownerKind: "StatefulSet", ownerName: "db" }));
    const prod = await m.create(intent(spec, { name: "db-0", namespace: "prod", ownerKind: "StatefulSet", ownerName: "db" }));
    expect([staging.phase, prod.phase]).toEqual(["Running", "Running"]);
    expect(staging.containerIds[0]).not.toBe(prod.containerIds[0]);
    expect((await rt.list()).map((c) => c.name).sort()).toEqual(["prod_db-0", "staging_db-0"]);
  });

  it("never replaces or removes the same pod's container made by another installation, and says why its pod waits", async () => {
    const theirs = { [LABEL.managedBy]: "capstan", [LABEL.installation]: "bbbbbbbbbbbbbbbb", [LABEL.namespace]: "prod", [LABEL.pod]: "web-abc123-0", [LABEL.specDigest]: "other" };
    const { id } = await rt.create({ name: "prod_web-abc123-0", image: "capstan-demo/web:v1", labels: theirs });
    await rt.start(id);
    const m = manager({ labels: { [LABEL.installation]: "aaaaaaaaaaaaaaaa" } });
    const s = await m.create(web());
    expect(s).toMatchObject({ phase: "Pending", reason: "Error" });
    expect(s.message).toBe(
      `container name prod_web-abc123-0 on node node-a is taken by the same pod of another Capstan installation (${LABEL.installation}=bbbbbbbbbbbbbbbb); rename the pod or remove that container`,
    );
    await m.delete("prod", "web-abc123-0");
    expect((await rt.list()).map((c) => [c.id, c.status])).toEqual([[id, "running"]]);
  });

  it("creates, starts and reports a pod without probes as ready", async () => {
    const m = manager();
    const s = await m.create(web());
    expect(s).toMatchObject({ name: "web-abc123-0", namespace: "prod", phase: "Running", ready: true, readySince: 0, restarts: 0, node: "node-a", terminating: false });
    expect(s.hostPorts).toEqual([{ containerPort: 8080, hostPort: expect.any(Number) }]);
    const containers = await rt.list();
    expect(containers.map((c) => c.name)).toEqual(["prod_web-abc123-0"]);
    expect(containers[0]?.labels[LABEL.pod]).toBe("web-abc123-0");
    expect(m.list({ ownerName: "web" })).toHaveLength(1);
    expect(m.list({ ownerName: "api" })).toHaveLength(0);
    expect((await rt.listNetworks()).map((n) => n.name)).toEqual(["capstan-prod"]);
  });

  it("is idempotent: creating the same pod twice makes one container", async () => {
    const m = manager();
    await m.create(web());
    await m.create(web());
    expect(await rt.list()).toHaveLength(1);
    expect(m.events("prod", "web-abc123-0").filter((e) => e.reason === "Created")).toHaveLength(1);
  });

  it("holds readiness until the readiness probe passes and tells listeners", async () => {
    const answers = { readiness: false };
    const m = manager({ probeExecutor: steeredProbes(answers) });
    const seen: PodStatus[] = [];
    m.onChange((p) => seen.push(p));
    const i = intent({ containers: [{ name: "web", image: "capstan-demo/web:v1", ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 5 } }] });
    expect((await m.create(i)).ready).toBe(false);
    await clock.advance(10_000);
    expect(m.get("prod", i.name)?.ready).toBe(false);
    expect(m.get("prod", i.name)?.message).toContain("readiness says no");
    answers.readiness = true;
    await clock.advance(5_000);
    const s = m.get("prod", i.name);
    expect(s?.ready).toBe(true);
    expect(s?.readySince).toBe(15_000);
    expect(seen.at(-1)?.ready).toBe(true);
  });

  it("gates liveness and readiness behind the startup probe", async () => {
    const answers = { startup: false, liveness: false };
    const m = manager({ probeExecutor: steeredProbes(answers) });
    const i = intent({
      containers: [
        {
          name: "web",
          image: "capstan-demo/web:v1",
          ports: [{ containerPort: 8080 }],
          startupProbe: { httpGet: { path: "/start", port: 8080 }, periodSeconds: 1, failureThreshold: 30 },
          livenessProbe: { httpGet: { path: "/live", port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
        },
      ],
    });
    await m.create(i);
    await clock.advance(10_000);
    // Liveness would fail at once, but it does not run before startup succeeds.
    expect(m.get("prod", i.name)).toMatchObject({ ready: false, restarts: 0, message: "waiting for the startup probe" });
    answers.startup = true;
    answers.liveness = true;
    await clock.advance(1_000);
    expect(m.get("prod", i.name)).toMatchObject({ ready: true, restarts: 0 });
  });

  it("restarts a container whose liveness probe fails, counting the restart", async () => {
    const answers = { liveness: true };
    const m = manager({ probeExecutor: steeredProbes(answers), restartBackoff: { baseMs: 1_000 } });
    const i = intent({ containers: [{ name: "web", image: "capstan-demo/web:v1", ports: [{ containerPort: 8080 }], livenessProbe: { httpGet: { path: "/live", port: 8080 } } }] });
    await m.create(i);
    await clock.advance(30_000);
    expect(m.get("prod", i.name)?.restarts).toBe(0);
    answers.liveness = false;
    await clock.advance(30_000);
    answers.liveness = true;
    await clock.advance(2_000);
    const s = m.get("prod", i.name);
    expect(s?.restarts).toBe(1);
    expect(s?.phase).toBe("Running");
    expect(m.events("prod", i.name).map((e) => e.reason)).toEqual(expect.arrayContaining(["Unhealthy", "Killing", "BackOff"]));
  });

  it("restarts an exiting container with back-off 10, 20, 40 … 300 s and says CrashLoopBackOff while waiting", async () => {
    const m = manager();
    await m.start();
    const i = intent({ containers: [{ name: "crash", image: "capstan-demo/crash" }] });
    await m.create(i);
    const restartsAt: number[] = [];
    let last = 0;
    m.onChange((p) => {
      if (p.restarts > last) {
        last = p.restarts;
        restartsAt.push(clock.now());
      }
    });
    let exitAt = 0;
    const gaps: number[] = [];
    for (let n = 0; n < 7; n++) {
      exitAt = clock.now();
      rt.exit(cname(i), 3);
      await clock.advance(0);
      expect(m.get("prod", i.name)).toMatchObject({ reason: "CrashLoopBackOff", ready: false, exitCode: 3 });
      await clock.advance(400_000);
      gaps.push(((restartsAt[n] ?? NaN) - exitAt) / 1000);
    }
    expect(gaps).toEqual([10, 20, 40, 80, 160, 300, 300]);
    expect(m.get("prod", i.name)?.restarts).toBe(7);
  });

  it("ends a Never pod as Succeeded or Failed by exit code, and OnFailure only restarts failures", async () => {
    const m = manager();
    await m.start();
    const job = (name: string, policy: "Never" | "OnFailure") => intent({ restartPolicy: policy, containers: [{ name: "job", image: "capstan-demo/crash" }] }, { name, ownerKind: "Job" });
    await m.create(job("ok", "Never"));
    await m.create(job("bad", "Never"));
    await m.create(job("retry", "OnFailure"));
    await m.create(job("done", "OnFailure"));
    rt.exit(containerName("prod", "ok"), 0);
    rt.exit(containerName("prod", "bad"), 3);
    rt.exit(containerName("prod", "retry"), 1);
    rt.exit(containerName("prod", "done"), 0);
    await clock.advance(0);
    expect(m.get("prod", "ok")).toMatchObject({ phase: "Succeeded", reason: "Completed", exitCode: 0 });
    expect(m.get("prod", "bad")).toMatchObject({ phase: "Failed", reason: "Error", exitCode: 3 });
    expect(m.get("prod", "done")).toMatchObject({ phase: "Succeeded", reason: "Completed" });
    expect(m.get("prod", "retry")).toMatchObject({ reason: "CrashLoopBackOff" });
    await clock.advance(10_000);
    expect(m.get("prod", "retry")).toMatchObject({ phase: "Running", restarts: 1 });
    expect(m.get("prod", "bad")?.restarts).toBe(0);
  });

  it("reports a missing image as ImagePullBackOff naming image and node, and retries with back-off", async () => {
    const m = manager();
    const i = intent({ containers: [{ name: "web", image: "capstan-demo/web:v9" }] });
    const s = await m.create(i);
    expect(s).toMatchObject({ phase: "Pending", reason: "ImagePullBackOff", ready: false });
    expect(s.message).toContain("capstan-demo/web:v9");
    expect(s.message).toContain("node-a");
    rt.addImage("capstan-demo/web:v9");
    await clock.advance(9_999);
    expect(m.get("prod", i.name)?.phase).toBe("Pending");
    await clock.advance(1);
    expect(m.get("prod", i.name)).toMatchObject({ phase: "Running", ready: true });
  });

  it("keeps a pod with a missing ConfigMap key Pending with CreateContainerConfigError and starts it once the intent has it", async () => {
    const m = manager();
    const spec = { containers: [{ name: "web", image: "capstan-demo/web:v1", env: [{ name: "MODE", valueFrom: { configMapKeyRef: { name: "cfg", key: "mode" } } }] }] };
    const s = await m.create(intent(spec, { configMaps: { cfg: configMap("cfg", {}) } }));
    expect(s).toMatchObject({ phase: "Pending", reason: "CreateContainerConfigError", message: "spec.containers[0] (web).env[0] (MODE): couldn't find key mode in ConfigMap prod/cfg" });
    expect(await rt.list()).toHaveLength(0);
    const fixed = await m.create(intent(spec, { configMaps: { cfg: configMap("cfg", { mode: "fast" }) } }));
    expect(fixed).toMatchObject({ phase: "Running", ready: true });
    expect((await rt.inspect(cname(fixed))).env.MODE).toBe("fast");
  });

  it("recreates a container removed by hand under the same name", async () => {
    const m = manager();
    await m.start();
    const s = await m.create(web());
    await rt.remove(cname(s), { force: true });
    await clock.advance(0);
    const after = m.get("prod", s.name);
    expect(after?.containerIds[0]).not.toBe(s.containerIds[0]);
    expect(after?.phase).toBe("Running");
    expect((await rt.list()).map((c) => c.name)).toEqual([cname(s)]);
    expect(m.events("prod", s.name).map((e) => e.reason)).toContain("Recreated");
  });

  it("recreates a removed container at once even while a crash back-off is running", async () => {
    const m = manager();
    await m.start();
    const s = await m.create(web());
    rt.exit(cname(s), 1);
    await clock.advance(0);
    expect(m.get("prod", s.name)?.reason).toBe("CrashLoopBackOff");
    await rt.remove(cname(s), { force: true });
    await clock.advance(0);
    expect(m.get("prod", s.name)).toMatchObject({ phase: "Running", ready: true });
    expect(m.get("prod", s.name)?.containerIds[0]).not.toBe(s.containerIds[0]);
  });

  it("treats a container stopped by hand as an exit and restarts it under its policy", async () => {
    const m = manager();
    await m.start();
    const s = await m.create(web());
    await rt.stop(cname(s));
    await clock.advance(0);
    expect(m.get("prod", s.name)?.reason).toBe("CrashLoopBackOff");
    await clock.advance(10_000);
    expect(m.get("prod", s.name)).toMatchObject({ phase: "Running", restarts: 1 });
  });

  it("replaces a container whose spec digest differs from the intent", async () => {
    const m = manager();
    const first = await m.create(web({ configMaps: {} }));
    const changed = intent({ containers: [{ name: "web", image: "capstan-demo/web:v1", ports: [{ containerPort: 8080 }], env: [{ name: "X", value: "1" }] }] });
    const second = await m.create(changed);
    expect(second.containerIds[0]).not.toBe(first.containerIds[0]);
    expect((await rt.inspect(cname(second))).env.X).toBe("1");
    expect(m.events("prod", second.name).map((e) => e.reason)).toContain("Replaced");
  });

  it("updates Service aliases on the running container without replacing it", async () => {
    const m = manager();
    const first = await m.create(web());
    expect((await rt.inspect(cname(first))).networks).toEqual([{ name: "capstan-prod", aliases: ["web-abc123-0"] }]);
    const second = await m.create(web({ aliases: ["web", "web.prod"] }));
    expect(second.containerIds).toEqual(first.containerIds);
    expect((await rt.inspect(cname(first))).networks).toEqual([{ name: "capstan-prod", aliases: ["web", "web-abc123-0", "web.prod"] }]);
    expect(m.events("prod", first.name).map((e) => e.reason)).toContain("Aliases");
  });

  it("deletes a pod with its container, emptyDir volume and generated files, keeping the claim's volume", async () => {
    const m = manager();
    const i = intent(
      {
        containers: [
          {
            name: "web",
            image: "capstan-demo/web:v1",
            volumeMounts: [
              { name: "tmp", mountPath: "/tmp/x" },
              { name: "data", mountPath: "/data" },
              { name: "s", mountPath: "/s" },
            ],
          },
        ],
        volumes: [
          { name: "tmp", emptyDir: {} },
          { name: "data", persistentVolumeClaim: { claimName: "data" } },
          { name: "s", secret: { secretName: "creds" } },
        ],
      },
      { secrets: { creds: secret("creds", { token: "t0p" }) } },
    );
    await m.create(i);
    const file = join(stateDir, "files", "prod", i.name, "s", "token");
    expect(await readFile(file, "utf8")).toBe("t0p");
    expect((await stat(file)).mode & 0o777).toBe(0o400);
    expect((await stat(join(stateDir, "files", "prod", i.name))).mode & 0o777).toBe(0o700);
    expect((await rt.listVolumes()).map((v) => v.name).sort()).toEqual(["capstan-prod-data", `capstan-prod-${i.name}-tmp`]);
    const seen: PodStatus[] = [];
    m.onChange((p) => seen.push(p));
    await m.delete("prod", i.name);
    expect(await rt.list()).toHaveLength(0);
    expect((await rt.listVolumes()).map((v) => v.name)).toEqual(["capstan-prod-data"]);
    await expect(stat(join(stateDir, "files", "prod", i.name))).rejects.toThrow();
    expect(m.get("prod", i.name)).toBeUndefined();
    expect(seen[0]?.terminating).toBe(true);
  });

  it("adopts the pods of a previous run from labels and creates no duplicates", async () => {
    const first = manager();
    await first.create(web());
    await first.create(intent({ containers: [{ name: "w", image: "capstan-demo/web:v1" }] }, { name: "other-0", ownerName: "other" }));
    await first.stop();
    const before = (await rt.list()).map((c) => c.id).sort();

    const second = manager();
    await second.start();
    const pods = second.list();
    expect(pods.map((p) => [p.name, p.ownerKind, p.ownerName, p.revision, p.adopted, p.phase, p.ready])).toEqual([
      ["other-0", "Deployment", "other", "abc123", true, "Running", true],
      ["web-abc123-0", "Deployment", "web", "abc123", true, "Running", true],
    ]);
    expect(pods[1]?.labels).toEqual({ app: "web" });
    // The owner declares the pod again: the running container is kept.
    const again = await second.create(web());
    expect(again.adopted).toBe(false);
    expect((await rt.list()).map((c) => c.id).sort()).toEqual(before);
    expect(second.events("prod", "web-abc123-0").map((e) => e.reason)).toEqual(["Adopted"]);
  });

  it("restarts probes from not-ready for adopted pods", async () => {
    const first = manager({ probeExecutor: steeredProbes({ readiness: true }) });
    const i = intent({ containers: [{ name: "web", image: "capstan-demo/web:v1", ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: "/ready", port: 8080 } } }] });
    await first.create(i);
    await clock.advance(1);
    expect(first.get("prod", i.name)?.ready).toBe(true);
    await first.stop();
    const second = manager({ probeExecutor: steeredProbes({ readiness: true }) });
    await second.start();
    expect(second.get("prod", i.name)?.ready).toBe(false);
    await clock.advance(1);
    expect(second.get("prod", i.name)?.ready).toBe(true);
  });

  it("fails a Never pod whose liveness probe fails instead of restarting it", async () => {
    const m = manager({ probeExecutor: steeredProbes({ liveness: false }) });
    await m.start();
    const i = intent({
      restartPolicy: "Never",
      containers: [{ name: "web", image: "capstan-demo/web:v1", ports: [{ containerPort: 8080 }], livenessProbe: { httpGet: { path: "/live", port: 8080 }, periodSeconds: 1, failureThreshold: 2 } }],
    });
    await m.create(i);
    await clock.advance(3_000);
    expect(m.get("prod", i.name)).toMatchObject({ phase: "Failed", reason: "Error", restarts: 0, message: "liveness probe failed; exited with code 0" });
  });

  it("notices on resync what happened while events were missed, and leaves agreeing pods alone after one inspect each", async () => {
    const m = manager();
    const a = await m.create(web());
    const b = await m.create(intent({ containers: [{ name: "w", image: "capstan-demo/web:v1" }] }, { name: "other-0" }));
    let inspects = 0;
    const inspect = rt.inspect.bind(rt);
    rt.inspect = async (id) => {
      inspects++;
      return inspect(id);
    };
    // No start(): the manager hears no engine events.
    await rt.remove(cname(a), { force: true });
    await m.resync();
    expect(m.get("prod", a.name)?.containerIds[0]).not.toBe(a.containerIds[0]);
    expect(m.get("prod", b.name)?.containerIds[0]).toBe(b.containerIds[0]);
    const afterFirst = inspects;
    const ids = m.list().map((p) => p.containerIds[0]);
    const events = m.events("prod", b.name).length;
    await m.resync();
    // One inspect per pod compares its container with its template (drift); nothing else happens.
    expect(inspects - afterFirst).toBe(2);
    expect(m.list().map((p) => p.containerIds[0])).toEqual(ids);
    expect(m.events("prod", b.name)).toHaveLength(events);
  });

  it("marks pods of an engine that stops answering as NodeUnavailable and recovers when it is back", async () => {
    const m = manager();
    const s = await m.create(web());
    rt.setAvailable(false);
    await m.resync();
    expect(m.get("prod", s.name)).toMatchObject({ reason: "NodeUnavailable", ready: false });
    rt.setAvailable(true);
    await m.resync();
    expect(m.get("prod", s.name)).toMatchObject({ phase: "Running", ready: true });
    expect(m.get("prod", s.name)?.reason).toBeUndefined();
  });

  it("shows why a step failed in the pod's message and retries it", async () => {
    const m = manager();
    const s = await m.create(web());
    const start = rt.start.bind(rt);
    let failures = 1;
    rt.start = async (id) => {
      if (failures-- > 0) throw new Error("port is already allocated");
      return start(id);
    };
    await m.start();
    rt.exit(cname(s), 1);
    await clock.advance(10_000);
    expect(m.get("prod", s.name)?.message).toBe("port is already allocated");
    expect(m.events("prod", s.name).at(-1)).toMatchObject({ reason: "Failed", type: "Warning" });
    await clock.advance(1_000);
    expect(m.get("prod", s.name)).toMatchObject({ phase: "Running", restarts: 1, ready: true });
  });

  it("only adopts containers carrying its own extra labels", async () => {
    const other = manager({ labels: { "capstan.dev/test-run": "other" } });
    await other.create(web());
    const mine = manager({ labels: { "capstan.dev/test-run": "mine" } });
    await mine.resync();
    expect(mine.list()).toEqual([]);
  });

  it("relists the engine on the resync period only", async () => {
    const m = manager({ resyncPeriodMs: 30_000 });
    let lists = 0;
    const list = rt.list.bind(rt);
    rt.list = async (sel) => {
      lists++;
      return list(sel);
    };
    await m.start();
    expect(lists).toBe(1);
    await clock.advance(29_999);
    expect(lists).toBe(1);
    await clock.advance(1);
    expect(lists).toBe(2);
    await clock.advance(60_000);
    expect(lists).toBe(4);
  });
});
