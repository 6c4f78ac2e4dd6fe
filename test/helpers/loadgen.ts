/**
 * A bounded HTTP/1.0 load generator meant to run in its own process (so the proxy under test
 * does not share an event loop with its client). One new TCP connection per request, since
 * busybox httpd closes every connection. Only 127.0.0.1 is ever contacted.
 *
 * Usage: node --import tsx test/helpers/loadgen.ts '{"port":30080,"rps":200,"durationMs":15000}'
 * Prints one JSON LoadReport line on stdout when done; SIGTERM ends it early (in-flight requests finish).
 */
import { createConnection } from "node:net";

export interface LoadgenOptions {
  port: number;
  path?: string;
  /** Requests started per second (open loop); ignored when concurrency is set. */
  rps: number;
  durationMs: number;
  /** Hard cap on requests, whatever rps × duration says. */
  maxRequests?: number;
  timeoutMs?: number;
  /** Closed loop instead: this many clients each send their next request as soon as the last one ends (for throughput). */
  concurrency?: number;
  onStart?: () => void;
}

export interface LoadReport {
  ok: number;
  failed: number;
  /** Response bodies in the order the requests were started ("" for a failure). */
  bodies: string[];
  /** First few failures, with when they happened (ms since start). */
  errors: { atMs: number; error: string }[];
  durationMs: number;
  /** Per-request time from connect to close, successful requests only. */
  latencyMs: { p50: number; p99: number; max: number };
}

function once(port: number, path: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
    socket.on("connect", () => socket.write(`GET ${path} HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on("close", (hadError) => {
      clearTimeout(timer);
      if (hadError) return;
      const text = Buffer.concat(chunks).toString("utf8");
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      const split = text.indexOf("\r\n\r\n");
      if (status !== "200" || split < 0) reject(new Error(`bad response: ${JSON.stringify(text.slice(0, 80))}`));
      else resolve(text.slice(split + 4));
    });
  });
}

export async function generateLoad(options: LoadgenOptions): Promise<LoadReport> {
  const path = options.path ?? "/";
  const timeoutMs = options.timeoutMs ?? 5_000;
  const cap = options.maxRequests ?? 1_000_000;
  const max = options.concurrency ? cap : Math.min(cap, Math.ceil((options.rps * options.durationMs) / 1000));
  const report: LoadReport = { ok: 0, failed: 0, bodies: [], errors: [], durationMs: 0, latencyMs: { p50: 0, p99: 0, max: 0 } };
  const latencies: number[] = [];
  const start = Date.now();
  let stopped = false;
  const stop = (): void => {
    stopped = true;
  };
  process.once("SIGTERM", stop);
  options.onStart?.();
  const inflight: Promise<void>[] = [];
  const one = (index: number): Promise<void> => {
    report.bodies.push("");
    const t = performance.now();
    return once(options.port, path, timeoutMs).then(
      (body) => {
        latencies.push(performance.now() - t);
        report.ok++;
        report.bodies[index] = body;
      },
      (err: Error) => {
        report.failed++;
        if (report.errors.length < 20) report.errors.push({ atMs: Date.now() - start, error: err.message });
      },
    );
  };
  const over = (): boolean => stopped || Date.now() - start > options.durationMs;
  if (options.concurrency) {
    let next = 0;
    const client = async (): Promise<void> => {
      while (!over() && next < max) await one(next++);
    };
    for (let c = 0; c < options.concurrency; c++) inflight.push(client());
  } else {
    for (let i = 0; i < max; i++) {
      // Open loop: request i starts at i / rps seconds, late or not.
      const due = start + (i * 1000) / options.rps;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (over()) break;
      inflight.push(one(i));
    }
  }
  await Promise.all(inflight);
  process.off("SIGTERM", stop);
  report.durationMs = Date.now() - start;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  report.latencyMs = { p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1] ?? 0 };
  return report;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "\0")) {
  const options = JSON.parse(process.argv[2] ?? "{}") as LoadgenOptions;
  generateLoad({ ...options, onStart: () => process.stderr.write("loadgen: started\n") }).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    },
  );
}
