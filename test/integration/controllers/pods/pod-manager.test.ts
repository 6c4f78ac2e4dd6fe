import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerPodManager, type PodManagerOptions } from "../../../../src/controllers/pods/manager.js";
import type { PodIntent, PodStatus } from "../../../../src/controllers/pods/types.js";
import type { ConfigMap, PodTemplate, Secret } from "../../../../src/manifest/index.js";
import { DockerRuntime } from "../../../../src/runtime/docker.js";

const run = randomBytes(4).toString("hex");
const testLabels = { "capstan.dev/test-run": run };
const namespace = `it-${run}`;
const rt = new DockerRuntime({ node: "local" });
const managers: DockerPodManager[] = [];
let stateDir = "";

function manager(extra: Partial<PodManagerOptions> = {}): DockerPodManager {
  const m = new DockerPodManager({ runtimes: new Map([["local", rt]]), stateDir, labels: testLabels, restartBackoff: { baseMs: 500, maxMs: 4_000 }, ...extra });
  managers.push(m);
  return m;
}

let n = 0;
function pod(spec: PodTemplate["spec"], extra: Partial<PodIntent> = {}): PodIntent {
  return {
    name: `pod-${run}-${n++}`,
    namespace,
    app: "it",
    ownerKind: "Deployment",
    ownerName: "web",
    revision: "r1",
    commit: "c0ffee",
    template: { metadata: { labels: { app: "web" } }, spec },
    configMaps: {},
    secrets: {},
    ...extra,
  };
}

async function until(what: string, m: DockerPodManager, name: string, test: (p: PodStatus) => boolean, timeoutMs = 20_000): Promise<PodStatus> {
  const end = Date.now() + timeoutMs;
  let last: PodStatus | undefined;
  while (Date.now() < end) {
    last = m.get(namespace, name);
    if (last && test(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: pod ${name} did not get there in ${timeoutMs} ms; last status ${JSON.stringify(last)}`);
}

/** GET through the published port; lenient parsing because the demo's busybox CGI ends headers with bare newlines. */
/** GET on the published port; the pod has no readiness probe, so a server still starting is retried for up to 10 s. */
async function get(port: number, path: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await getOnce(port, path);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function getOnce(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, insecureHTTPParser: true }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve(body));
    });
    req.on("error", reject);
    req.end();
  });
}

const hostPort = (p: PodStatus, containerPort = 8080): number => p.hostPorts.find((h) => h.containerPort === containerPort)?.hostPort ?? 0;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "capstan-pods-it-"));
});

afterAll(async () => {
  for (const m of managers) await m.stop();
  for (const c of await rt.list(testLabels)) await rt.remove(c.id, { force: true });
  for (const net of await rt.listNetworks(testLabels)) await rt.removeNetwork(net.name);
  for (const v of await rt.listVolumes(testLabels)) await rt.removeVolume(v.name);
  await rm(stateDir, { recursive: true, force: true });
});

describe("pods on the real Docker engine", () => {
  it("makes a web pod ready through its HTTP readiness probe on 127.0.0.1", async () => {
    const m = manager();
    await m.start();
    const i = pod({ containers: [{ name: "web", image: "capstan-demo/web:v1", ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 1 } }] });
    const created = await m.create(i);
    expect(created.phase).toBe("Running");
    const t = Date.now();
    const ready = await until("ready", m, i.name, (p) => p.ready);
    expect(Date.now() - t).toBeLessThan(5_000);
    expect(ready.readySince).not.toBeNull();
    expect(await get(hostPort(ready), "/")).toBe("web v1\n");
  });

  it("never becomes ready while the readiness probe fails", async () => {
    const m = manager();
    await m.start();
    const i = pod({ containers: [{ name: "web", image: "capstan-demo/web:broken", ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 1 } }] });
    await m.create(i);
    const p = await until("probe failing", m, i.name, (s) => (s.message ?? "").includes("404"));
    expect(p.ready).toBe(false);
    expect(p.phase).toBe("Running");
  });

  it("passes a ConfigMap as environment and as read-only files", async () => {
    const m = manager();
    await m.start();
    // Two ConfigMaps: the demo's CGI cannot print multi-line environment values.
    const cfg: ConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace }, data: { greeting: "hello from git" } };
    const files: ConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "files", namespace }, data: { "app.conf": "level=debug\n" } };
    const i = pod(
      {
        containers: [
          {
            name: "web",
            image: "capstan-demo/web:v1",
            ports: [{ containerPort: 8080 }],
            env: [{ name: "GREETING", valueFrom: { configMapKeyRef: { name: "settings", key: "greeting" } } }],
            envFrom: [{ configMapRef: { name: "settings" }, prefix: "CFG_" }],
            volumeMounts: [{ name: "conf", mountPath: "/etc/app" }],
          },
        ],
        volumes: [{ name: "conf", configMap: { name: "files", defaultMode: 420 } }],
      },
      { configMaps: { settings: cfg, files } },
    );
    const p = await m.create(i);
    const env = await get(hostPort(p), "/cgi-bin/env");
    expect(env).toContain("GREETING=hello from git");
    expect(env).toContain("CFG_greeting=hello from git");
    const cat = await rt.exec(p.containerIds[0] ?? "", ["cat", "/etc/app/app.conf"]);
    expect(cat.stdout).toBe("level=debug\n");
    const write = await rt.exec(p.containerIds[0] ?? "", ["sh", "-c", "echo x > /etc/app/new"]);
    expect(write.exitCode).not.toBe(0);
  });

  it("never binds anything outside a volume, whatever subPath or subPathExpr says", async () => {
    const m = manager();
    await m.start();
    const files: ConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "files", namespace }, data: { "app.conf": "level=debug\n" } };
    const mounted = (mount: { subPath?: string; subPathExpr?: string }) =>
      pod(
        {
          containers: [
            {
              name: "w",
              image: "capstan-demo/worker:latest",
              env: [{ name: "UP", value: "../../../../../.." }],
              volumeMounts: [{ name: "conf", mountPath: "/host", ...mount }],
            },
          ],
          volumes: [{ name: "conf", configMap: { name: "files" } }],
        },
        { configMaps: { files } },
      );
    // Straight to the pod layer, as a stored desired state from before the manifest check would come.
    for (const mount of [{ subPath: "../../../../../.." }, { subPathExpr: "$(UP)" }, { subPath: "missing-key" }]) {
      const i = mounted(mount);
      await m.create(i);
      const p = await until("refused", m, i.name, (s) => s.reason === "CreateContainerConfigError");
      expect(p.containerIds).toEqual([]);
      expect(p.message).toMatch(/subPath|does not exist in its volume/);
    }
    const ok = await m.create(mounted({ subPath: "app.conf" }));
    expect((await rt.exec(ok.containerIds[0] ?? "", ["cat", "/host"])).stdout).toBe("level=debug\n");
    // docker inspect: every bind source of this run's containers lies under the pods' files directory.
    const ids = (await rt.list(testLabels)).map((c) => c.id);
    const binds = JSON.parse(execFileSync("docker", ["inspect", "--format", "{{json .Mounts}}", ...ids], { encoding: "utf8" }).trim().split("\n").join(",").replace(/^/, "[").replace(/$/, "]")) as { Type: string; Source: string }[][];
    const sources = binds.flat().filter((b) => b.Type === "bind").map((b) => b.Source);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(source.startsWith(join(stateDir, "files") + "/")).toBe(true);
  });

  it("runs a granted hostPID pod in the host's PID namespace, with no-new-privileges when escalation is off", async () => {
    const m = manager();
    await m.start();
    const p = await m.create(pod({ hostPID: true, containers: [{ name: "w", image: "capstan-demo/worker:latest", securityContext: { allowPrivilegeEscalation: false } }] }));
    const host = JSON.parse(execFileSync("docker", ["inspect", "--format", "{{json .HostConfig}}", p.containerIds[0] ?? ""], { encoding: "utf8" })) as { PidMode: string; SecurityOpt: string[] | null };
    expect(host.PidMode).toBe("host");
    expect(host.SecurityOpt).toContain("no-new-privileges:true");
  });

  it("lets pods of one namespace reach each other by pod name and Service alias", async () => {
    const m = manager();
    await m.start();
    const server = pod({ containers: [{ name: "web", image: "capstan-demo/web:v2", ports: [{ containerPort: 8080 }] }] }, { aliases: [`web-${run}`] });
    const client = pod({ containers: [{ name: "w", image: "capstan-demo/worker:latest" }] });
    await m.create(server);
    const c = await m.create(client);
    for (const host of [server.name, `web-${run}`]) {
      const r = await rt.exec(c.containerIds[0] ?? "", ["http-get", `http://${host}:8080/`], { timeoutMs: 5_000 });
      expect(r.stdout).toBe("web v2\n");
    }
  });

  it("mounts a Secret as owner-only files readable by the container's user", async () => {
    const m = manager();
    await m.start();
    const token: Secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "api", namespace }, type: "Opaque", data: { token: Buffer.from("s3cr3t").toString("base64") } };
    const spec = (user?: number): PodTemplate["spec"] => ({
      securityContext: user === undefined ? undefined : { runAsUser: user },
      containers: [{ name: "w", image: "capstan-demo/worker:latest", volumeMounts: [{ name: "api", mountPath: "/run/api" }] }],
      volumes: [{ name: "api", secret: { secretName: "api" } }],
    });
    for (const user of [undefined, 1000]) {
      const p = await m.create(pod(spec(user), { secrets: { api: token } }));
      const r = await rt.exec(p.containerIds[0] ?? "", ["sh", "-c", "cat /run/api/token; echo; stat -c '%a %u' /run/api/token"]);
      expect(r.stdout).toBe(`s3cr3t\n400 ${user ?? 0}\n`);
    }
  });

  it("keeps a PersistentVolumeClaim's data across pod deletion and re-creation", async () => {
    const m = manager();
    await m.start();
    const spec: PodTemplate["spec"] = {
      terminationGracePeriodSeconds: 2,
      containers: [{ name: "w", image: "capstan-demo/worker:latest", volumeMounts: [{ name: "data", mountPath: "/data" }] }],
      volumes: [{ name: "data", persistentVolumeClaim: { claimName: `data-${run}` } }],
    };
    const i = pod(spec);
    const first = await m.create(i);
    expect((await rt.exec(first.containerIds[0] ?? "", ["sh", "-c", "echo kept > /data/file"])).exitCode).toBe(0);
    await m.delete(namespace, i.name);
    expect(m.get(namespace, i.name)).toBeUndefined();
    expect(await rt.list({ ...testLabels, "capstan.dev/pod": i.name })).toEqual([]);
    const second = await m.create(i);
    expect(second.containerIds[0]).not.toBe(first.containerIds[0]);
    expect((await rt.exec(second.containerIds[0] ?? "", ["cat", "/data/file"])).stdout).toBe("kept\n");
  });

  it("puts a crashing container into CrashLoopBackOff with growing restarts", async () => {
    const m = manager();
    await m.start();
    const i = pod({ containers: [{ name: "crash", image: "capstan-demo/crash:latest" }] });
    await m.create(i);
    const reasons = new Set<string>();
    m.onChange((p) => {
      if (p.name === i.name && p.reason) reasons.add(p.reason);
    });
    const p = await until("crash looping", m, i.name, (s) => s.restarts >= 3, 30_000);
    expect(p.exitCode).toBe(3);
    expect(reasons.has("CrashLoopBackOff")).toBe(true);
    expect(m.events(namespace, i.name).some((e) => e.reason === "BackOff" && e.message.includes("exited with code 3"))).toBe(true);
  });

  it("restarts a container whose liveness probe fails", async () => {
    const m = manager();
    await m.start();
    const i = pod({
      terminationGracePeriodSeconds: 1,
      containers: [{ name: "web", image: "capstan-demo/web:v1", ports: [{ containerPort: 8080 }], livenessProbe: { httpGet: { path: "/nope", port: 8080 }, periodSeconds: 1, failureThreshold: 2 } }],
    });
    await m.create(i);
    const p = await until("restarted by liveness", m, i.name, (s) => s.restarts >= 1, 30_000);
    expect(m.events(namespace, i.name).some((e) => e.reason === "Killing" && e.message.includes("liveness"))).toBe(true);
    expect(p.containerIds).toHaveLength(1);
  });

  it("recreates a pod container removed with docker rm -f within seconds, with the default back-off", async () => {
    const m = manager({ restartBackoff: undefined });
    await m.start();
    const i = pod({ containers: [{ name: "web", image: "capstan-demo/web:v1", ports: [{ containerPort: 8080 }] }] });
    const before = await m.create(i);
    const t = Date.now();
    execFileSync("docker", ["rm", "-f", before.containerIds[0] ?? ""], { stdio: "ignore" });
    const after = await until("recreated", m, i.name, (s) => s.phase === "Running" && s.ready && s.containerIds[0] !== before.containerIds[0], 5_000);
    console.log(`pod recreated ${Date.now() - t} ms after docker rm -f`);
    expect(await get(hostPort(after), "/")).toBe("web v1\n");
    expect(m.events(namespace, i.name).map((e) => e.reason)).toContain("Recreated");
  });

  it("reports a missing image as ImagePullBackOff at once", async () => {
    const m = manager();
    const i = pod({ containers: [{ name: "web", image: `capstan-demo/absent:${run}` }] });
    const t = Date.now();
    const p = await m.create(i);
    expect(Date.now() - t).toBeLessThan(5_000);
    expect(p).toMatchObject({ phase: "Pending", reason: "ImagePullBackOff", ready: false });
    expect(p.message).toContain(`capstan-demo/absent:${run}`);
    expect(p.message).toContain("node local");
  });

  it("adopts the pods of another manager on the same engine and creates none", async () => {
    const first = manager();
    const i = pod({ containers: [{ name: "web", image: "capstan-demo/web:v1", ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 1 } }] });
    await first.create(i);
    await until("ready", first, i.name, (s) => s.ready);
    await first.stop();
    const before = (await rt.list(testLabels)).map((c) => c.id).sort();

    const second = manager();
    await second.start();
    const adopted = second.get(namespace, i.name);
    expect(adopted).toMatchObject({ adopted: true, ownerKind: "Deployment", ownerName: "web", revision: "r1", phase: "Running" });
    expect(second.list({ namespace }).length).toBeGreaterThanOrEqual(1);
    await until("ready again after adoption", second, i.name, (s) => s.ready);
    await second.create(i);
    expect((await rt.list(testLabels)).map((c) => c.id).sort()).toEqual(before);
  });
});
