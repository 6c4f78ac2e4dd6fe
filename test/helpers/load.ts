import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LoadReport, LoadgenOptions } from "./loadgen.js";

export type { LoadReport, LoadgenOptions };

const script = fileURLToPath(new URL("./loadgen.ts", import.meta.url));

export interface RunningLoad {
  /** Resolves once the child is up and sending. */
  started: Promise<void>;
  /** Ends the load early (in-flight requests finish) and resolves with the report. */
  stop(): Promise<LoadReport>;
  /** Resolves with the report when the load ends by itself (duration or count reached). */
  done: Promise<LoadReport>;
}

/**
 * Runs the load generator in a second process against 127.0.0.1:<port>, so the proxy under
 * test never shares an event loop with its client. Bounded by the options' duration and count;
 * the child is killed if it outlives that by 15 s.
 */
export function startLoad(options: LoadgenOptions): RunningLoad {
  const child = spawn(process.execPath, ["--import", "tsx", script, JSON.stringify(options)], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const guard = setTimeout(() => child.kill("SIGKILL"), options.durationMs + 15_000);
  const done = new Promise<LoadReport>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(guard);
      if (code !== 0) return reject(new Error(`load generator exited ${code}: ${err.replace("loadgen: started", "").trim()}`));
      try {
        resolve(JSON.parse(out) as LoadReport);
      } catch {
        reject(new Error(`load generator printed no report: ${out.slice(0, 200)} ${err.trim()}`));
      }
    });
  });
  const started = new Promise<void>((resolve, reject) => {
    child.stderr.on("data", () => {
      if (err.includes("loadgen: started")) resolve();
    });
    done.catch(reject);
  });
  return {
    started,
    done,
    stop: () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return done;
    },
  };
}

export function runLoad(options: LoadgenOptions): Promise<LoadReport> {
  return startLoad(options).done;
}

/** Collapses consecutive equal bodies: ["web v1\n" ×120, "web v2\n" ×80] → [{ body, count }]. */
export function runs(bodies: string[]): { body: string; count: number }[] {
  const out: { body: string; count: number }[] = [];
  for (const b of bodies) {
    const last = out[out.length - 1];
    if (last && last.body === b) last.count++;
    else out.push({ body: b, count: 1 });
  }
  return out;
}
