import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import type { Probe } from "../../manifest/index.js";
import type { ContainerRuntime } from "../../runtime/types.js";
import type { Clock, Timer } from "../clock.js";

/**
 * Probes as the kubelet runs them, with Kubernetes' defaults. HTTP and TCP probes go to the port
 * published on the node's 127.0.0.1, never to a container IP (which is not reachable from every
 * host, e.g. Docker Desktop). Exec probes run through the engine.
 */

export type ProbeKind = "startup" | "readiness" | "liveness";

export interface ProbeState {
  kind: ProbeKind;
  /** Consecutive successes / failures. */
  successes: number;
  failures: number;
  /** Readiness starts failed (not ready); liveness starts passed; startup starts unknown. */
  result: "unknown" | "success" | "failure";
  message?: string;
}

export const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 } as const;

export function probeSettings(p: Probe): { initialDelayMs: number; periodMs: number; timeoutMs: number; successThreshold: number; failureThreshold: number } {
  return {
    initialDelayMs: (p.initialDelaySeconds ?? PROBE_DEFAULTS.initialDelaySeconds) * 1000,
    periodMs: (p.periodSeconds ?? PROBE_DEFAULTS.periodSeconds) * 1000,
    timeoutMs: (p.timeoutSeconds ?? PROBE_DEFAULTS.timeoutSeconds) * 1000,
    successThreshold: p.successThreshold ?? PROBE_DEFAULTS.successThreshold,
    failureThreshold: p.failureThreshold ?? PROBE_DEFAULTS.failureThreshold,
  };
}

export function initialProbeState(kind: ProbeKind): ProbeState {
  return { kind, successes: 0, failures: 0, result: kind === "readiness" ? "failure" : kind === "liveness" ? "success" : "unknown" };
}

/** One probe outcome applied to the state: the result flips only after the threshold in a row. */
export function observeProbe(state: ProbeState, ok: boolean, probe: Probe, message?: string): ProbeState {
  const s = probeSettings(probe);
  // Liveness and startup probes must have a success threshold of 1, as in Kubernetes.
  const successThreshold = state.kind === "readiness" ? s.successThreshold : 1;
  if (ok) {
    const successes = state.successes + 1;
    return { ...state, successes, failures: 0, result: successes >= successThreshold ? "success" : state.result, message };
  }
  const failures = state.failures + 1;
  return { ...state, failures, successes: 0, result: failures >= s.failureThreshold ? "failure" : state.result, message };
}

export interface ProbeTarget {
  runtime: ContainerRuntime;
  containerId: string;
  /** Container port → host port on 127.0.0.1. */
  hostPorts: { containerPort: number; hostPort: number }[];
  namedPorts: Record<string, number>;
}

export interface ProbeOutcome {
  ok: boolean;
  message: string;
}

export type ProbeExecutor = (probe: Probe, target: ProbeTarget, timeoutMs: number) => Promise<ProbeOutcome>;

function hostPortFor(port: number | string, target: ProbeTarget): { port: number; hostPort?: number } {
  const containerPort = typeof port === "number" ? port : (target.namedPorts[port] ?? Number(port));
  return { port: containerPort, hostPort: target.hostPorts.find((p) => p.containerPort === containerPort)?.hostPort };
}

function httpProbe(probe: NonNullable<Probe["httpGet"]>, hostPort: number, timeoutMs: number): Promise<ProbeOutcome> {
  const path = probe.path ?? "/";
  const https = probe.scheme === "HTTPS";
  const headers: Record<string, string> = { "User-Agent": "capstan-probe", Accept: "*/*" };
  for (const h of probe.httpHeaders ?? []) headers[h.name] = h.value;
  return new Promise((resolve) => {
    const req = (https ? httpsRequest : httpRequest)(
      { host: "127.0.0.1", port: hostPort, path, method: "GET", headers, timeout: timeoutMs, rejectUnauthorized: false },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve({ ok: code >= 200 && code < 400, message: `HTTP probe ${path} returned ${code}` });
      },
    );
    req.on("timeout", () => {
      req.destroy();
      resolve({ ok: false, message: `HTTP probe ${path} timed out after ${timeoutMs} ms` });
    });
    req.on("error", (e) => resolve({ ok: false, message: `HTTP probe ${path} failed: ${e.message}` }));
    req.end();
  });
}

function tcpProbe(hostPort: number, containerPort: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const sock = connect({ host: "127.0.0.1", port: hostPort });
    const done = (o: ProbeOutcome): void => {
      sock.destroy();
      resolve(o);
    };
    sock.setTimeout(timeoutMs, () => done({ ok: false, message: `TCP probe to port ${containerPort} timed out after ${timeoutMs} ms` }));
    sock.on("connect", () => done({ ok: true, message: `TCP probe to port ${containerPort} connected` }));
    sock.on("error", (e) => done({ ok: false, message: `TCP probe to port ${containerPort} failed: ${e.message}` }));
  });
}

/** Runs one probe once. Never throws: failures are outcomes. */
export const runProbe: ProbeExecutor = async (probe, target, timeoutMs) => {
  try {
    if (probe.exec) {
      const r = await target.runtime.exec(target.containerId, probe.exec.command, { timeoutMs });
      const out = (r.stdout + r.stderr).trim().slice(0, 200);
      return { ok: r.exitCode === 0, message: `exec probe exited ${r.exitCode}${out ? `: ${out}` : ""}` };
    }
    const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
    if (port === undefined) return { ok: false, message: "probe has no handler (httpGet, tcpSocket or exec)" };
    const { port: containerPort, hostPort } = hostPortFor(port, target);
    if (!hostPort) return { ok: false, message: `probe port ${port} is not published on 127.0.0.1 (declare it in ports)` };
    if (probe.httpGet) return await httpProbe(probe.httpGet, hostPort, timeoutMs);
    return await tcpProbe(hostPort, containerPort, timeoutMs);
  } catch (err) {
    return { ok: false, message: `probe failed: ${(err as Error).message}` };
  }
};

/**
 * Runs one probe of one container run on its period until stopped. The first probe runs once the
 * initial delay has passed (at once by default). Later ones follow a ticker, as the kubelet's do:
 * one tick every period from `tickerFrom`, whatever a probe took. The kubelet starts that ticker
 * when it admits the pod, before the container starts, so after a first probe that finds the
 * container not yet listening the next comes at the next tick, not a whole period later.
 */
export class ProbeWorker {
  state: ProbeState;
  private timer: Timer | undefined;
  private stopped = false;
  private tickerFrom = 0;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: Probe,
    private readonly clock: Clock,
    private readonly execute: (probe: Probe, timeoutMs: number) => Promise<ProbeOutcome>,
    private readonly onResult: (state: ProbeState, previous: ProbeState) => void,
  ) {
    this.state = initialProbeState(kind);
  }

  /** `tickerFrom`: when the period ticker started (clock ms, e.g. when the pod was declared); default: the first probe. */
  start(options: { tickerFrom?: number } = {}): void {
    const delay = probeSettings(this.probe).initialDelayMs;
    this.tickerFrom = options.tickerFrom ?? this.clock.now() + delay;
    this.schedule(delay);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const s = probeSettings(this.probe);
    const began = this.clock.now();
    const outcome = await this.execute(this.probe, s.timeoutMs);
    if (this.stopped) return;
    const previous = this.state;
    this.state = observeProbe(previous, outcome.ok, this.probe, outcome.message);
    this.onResult(this.state, previous);
    // The first tick after the one this probe ran at; a tick missed while a slow probe ran runs at once.
    const nextTick = this.tickerFrom + (Math.floor((began - this.tickerFrom) / s.periodMs) + 1) * s.periodMs;
    this.schedule(Math.max(0, nextTick - this.clock.now()));
  }
}
