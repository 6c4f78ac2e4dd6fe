import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../../src/controllers/clock.js";
import { ProbeWorker, initialProbeState, observeProbe, probeSettings, runProbe } from "../../../../src/controllers/pods/probes.js";
import type { Probe } from "../../../../src/manifest/index.js";
import { FakeRuntime } from "../../../../src/runtime/fake.js";

function run(kind: "readiness" | "liveness" | "startup", probe: Probe, outcomes: boolean[]): string[] {
  let s = initialProbeState(kind);
  return outcomes.map((ok) => (s = observeProbe(s, ok, probe)).result);
}

describe("probe state machine", () => {
  it("uses Kubernetes' defaults", () => {
    expect(probeSettings({ httpGet: { port: 80 } })).toEqual({ initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1_000, successThreshold: 1, failureThreshold: 3 });
  });

  it("starts readiness as not ready and liveness as alive", () => {
    expect(initialProbeState("readiness").result).toBe("failure");
    expect(initialProbeState("liveness").result).toBe("success");
    expect(initialProbeState("startup").result).toBe("unknown");
  });

  it("becomes ready after successThreshold successes in a row", () => {
    const p: Probe = { exec: { command: ["true"] }, successThreshold: 2 };
    expect(run("readiness", p, [true, false, true, true])).toEqual(["failure", "failure", "failure", "success"]);
  });

  it("fails only after failureThreshold failures in a row", () => {
    const p: Probe = { exec: { command: ["true"] }, failureThreshold: 3 };
    expect(run("liveness", p, [false, false, true, false, false, false])).toEqual(["success", "success", "success", "success", "success", "failure"]);
  });

  it("treats liveness and startup success thresholds as 1", () => {
    const p: Probe = { exec: { command: ["true"] }, successThreshold: 5, failureThreshold: 1 };
    expect(run("liveness", p, [false, true])).toEqual(["failure", "success"]);
    expect(run("startup", p, [true])).toEqual(["success"]);
  });
});

describe("probe worker", () => {
  it("probes after the initial delay and then every period", async () => {
    const clock = new FakeClock(0);
    const at: number[] = [];
    const w = new ProbeWorker("readiness", { exec: { command: ["x"] }, initialDelaySeconds: 5, periodSeconds: 2 }, clock, async () => {
      at.push(clock.now());
      return { ok: true, message: "ok" };
    }, () => {});
    w.start();
    await clock.advance(10_000);
    expect(at).toEqual([5_000, 7_000, 9_000]);
    w.stop();
    await clock.advance(10_000);
    expect(at).toHaveLength(3);
  });

  it("keeps a fixed rate: a probe that takes a while does not push the next one back", async () => {
    const clock = new FakeClock(0);
    const at: number[] = [];
    const w = new ProbeWorker("readiness", { exec: { command: ["x"] }, periodSeconds: 1 }, clock, async () => {
      at.push(clock.now());
      await clock.sleep(300);
      return { ok: false, message: "slow" };
    }, () => {});
    w.start();
    await clock.advance(3_500);
    w.stop();
    expect(at).toEqual([0, 1_000, 2_000, 3_000]);
  });

  it("after a first probe at container start, the next one comes at the next tick of a ticker started when the pod was declared", async () => {
    const clock = new FakeClock(0);
    const at: number[] = [];
    const w = new ProbeWorker("readiness", { exec: { command: ["x"] }, periodSeconds: 1 }, clock, async () => {
      at.push(clock.now());
      return { ok: at.length > 1, message: at.length > 1 ? "ok" : "not listening yet" };
    }, () => {});
    await clock.advance(700);
    w.start({ tickerFrom: 0 });
    await clock.advance(2_500);
    w.stop();
    expect(at).toEqual([700, 1_000, 2_000, 3_000]);
  });

  it("probes at once when the container starts if no initial delay is set, and tells each result", async () => {
    const clock = new FakeClock(0);
    const results: string[] = [];
    const w = new ProbeWorker("readiness", { httpGet: { port: 80 }, periodSeconds: 5 }, clock, async () => ({ ok: true, message: "ok" }), (s) => results.push(`${clock.now()}:${s.result}`));
    w.start();
    await clock.advance(0);
    expect(results).toEqual(["0:success"]);
    w.stop();
  });
});

describe("running probes", () => {
  it("counts 200–399 as success and other statuses as failure, through 127.0.0.1", async () => {
    const server = createServer((req, res) => {
      res.statusCode = req.url === "/ok" ? 200 : req.url === "/moved" ? 302 : 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const hostPort = (server.address() as AddressInfo).port;
    const target = { runtime: new FakeRuntime(), containerId: "c", hostPorts: [{ containerPort: 8080, hostPort }], namedPorts: { http: 8080 } };
    try {
      expect(await runProbe({ httpGet: { path: "/ok", port: "http" } }, target, 1_000)).toMatchObject({ ok: true });
      expect(await runProbe({ httpGet: { path: "/moved", port: 8080 } }, target, 1_000)).toMatchObject({ ok: true });
      expect(await runProbe({ httpGet: { path: "/nope", port: 8080 } }, target, 1_000)).toEqual({ ok: false, message: "HTTP probe /nope returned 404" });
      expect(await runProbe({ tcpSocket: { port: 8080 } }, target, 1_000)).toMatchObject({ ok: true });
    } finally {
      server.close();
    }
    expect((await runProbe({ tcpSocket: { port: 8080 } }, target, 1_000)).ok).toBe(false);
    expect(await runProbe({ httpGet: { port: 9999 } }, target, 1_000)).toEqual({ ok: false, message: "probe port 9999 is not published on 127.0.0.1 (declare it in ports)" });
  });

  it("runs exec probes through the engine and reads the exit code", async () => {
    const rt = new FakeRuntime({ images: ["img"], execHandler: (_c, cmd) => ({ exitCode: cmd[0] === "true" ? 0 : 1, stdout: "", stderr: "" }) });
    await rt.create({ name: "c1", image: "img" });
    await rt.start("c1");
    const target = { runtime: rt, containerId: "c1", hostPorts: [], namedPorts: {} };
    expect((await runProbe({ exec: { command: ["true"] } }, target, 1_000)).ok).toBe(true);
    expect(await runProbe({ exec: { command: ["false"] } }, target, 1_000)).toEqual({ ok: false, message: "exec probe exited 1" });
  });
});
