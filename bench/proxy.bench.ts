/**
 * What the NodePort ServiceProxy costs: throughput (requests/s, a new TCP connection per request,
 * 8 clients in a closed loop) and latency (p50/p99 at a light 50 req/s) through the proxy against
 * a direct connection to the same pod's published port, same container, same run. The load comes
 * from a second process so the proxy does not share its event loop with the client.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { ServiceProxy } from "../src/services/proxy.js";
import { runLoad, type LoadReport } from "../test/helpers/load.js";

const exec = promisify(execFile);
const docker = async (...args: string[]) => (await exec("docker", args, { timeout: 120_000 })).stdout.trim();
const label = `capstan.dev/bench=proxy-${randomBytes(3).toString("hex")}`;
const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 5);

async function measure(port: number): Promise<{ throughput: LoadReport; latency: LoadReport }> {
  await runLoad({ port, rps: 0, concurrency: 4, durationMs: 1_000 }); // warm-up
  const throughput = await runLoad({ port, rps: 0, concurrency: 8, durationMs: SECONDS * 1000 });
  const latency = await runLoad({ port, rps: 50, durationMs: SECONDS * 1000 });
  for (const r of [throughput, latency]) if (r.failed > 0) throw new Error(`${r.failed} requests failed on port ${port}: ${r.errors[0]?.error ?? ""}`);
  return { throughput, latency };
}

const rate = (r: LoadReport): number => (r.ok * 1000) / r.durationMs;
const ms = (n: number): string => `${n.toFixed(2)} ms`;

const id = await docker("run", "-d", "--label", label, "-p", "127.0.0.1::8080", "capstan-demo/web:v1");
const proxy = new ServiceProxy({ host: "127.0.0.1", port: 0 });
try {
  const published = Number((await docker("port", id, "8080/tcp")).split(":").pop());
  const proxyPort = await proxy.listen();
  proxy.setEndpoints([{ id: "web", host: "127.0.0.1", port: published }]);
  for (let i = 0; i < 50; i++) {
    const r = await runLoad({ port: published, rps: 10, durationMs: 100, maxRequests: 1 });
    if (r.ok === 1) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  const direct = await measure(published);
  const proxied = await measure(proxyPort);
  console.log(`direct (docker published port ${published}): ${rate(direct.throughput).toFixed(0)} req/s; p50 ${ms(direct.latency.latencyMs.p50)}, p99 ${ms(direct.latency.latencyMs.p99)}`);
  console.log(`through ServiceProxy: ${rate(proxied.throughput).toFixed(0)} req/s; p50 ${ms(proxied.latency.latencyMs.p50)}, p99 ${ms(proxied.latency.latencyMs.p99)}`);
  console.log(`added latency: p50 +${ms(proxied.latency.latencyMs.p50 - direct.latency.latencyMs.p50)}, p99 +${ms(proxied.latency.latencyMs.p99 - direct.latency.latencyMs.p99)}`);
  console.log(`ratio: the proxy keeps ${((rate(proxied.throughput) / rate(direct.throughput)) * 100).toFixed(0)}% of direct throughput`);
} finally {
  await proxy.close();
  await docker("rm", "-f", id);
}
