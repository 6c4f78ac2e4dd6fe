import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatServiceTable, servicePortRows, sortServiceRows } from "../../../src/cli/commands/services.js";
import { formatTable } from "../../../src/cli/printers.js";
import { FakeView, startServer, type AppDetail, type AppObjects, type AppSummary, type FakeAppSeed, type PodView, type RunningServer } from "../../../src/server/index.js";
import { acquireDaemonLock, ensureToken, type DaemonLock } from "../../../src/state/index.js";
import { runCli } from "../../helpers/cli.js";

function summary(name: string, namespace: string): AppSummary {
  return {
    name,
    namespace,
    sync: "Synced",
    syncMessage: "",
    syncedCommit: null,
    health: "Healthy",
    healthMessage: "",
    currentRevision: 1,
    commit: null,
    pinned: null,
    suspended: false,
    lastSync: null,
    source: { repo: "https://git.example.com/deploy.git", path: `charts/${name}`, targetRevision: "main" },
  };
}

function pod(name: string, ports: PodView["ports"], extra: Partial<PodView> = {}): PodView {
  return { name, node: "local", ready: true, restarts: 0, phase: "Running", reason: "", ports, createdAt: "2026-11-23T10:00:00Z", ...extra };
}

function deployment(name: string, pods: PodView[]): AppObjects["workloads"][number] {
  return {
    kind: "Deployment",
    name,
    health: "Healthy",
    healthMessage: "",
    desired: pods.length,
    ready: pods.filter((p) => p.ready).length,
    revisionSets: [{ revision: "abc123", current: true, desired: pods.length, pods }],
  };
}

const objects = (o: Partial<AppObjects>): AppObjects => ({ workloads: [], services: [], configMaps: [], secrets: [], persistentVolumeClaims: [], ...o });

/** A view that pairs each port with its endpoints and addresses, and names its warnings. */
const shop: FakeAppSeed = {
  summary: summary("shop", "prod"),
  objects: objects({
    workloads: [
      deployment("web", [
        pod("web-abc123-aaaaa", [{ containerPort: 8080, hostPort: 32768, protocol: "TCP", name: "http" }]),
        pod("web-abc123-bbbbb", [{ containerPort: 8080, hostPort: 32769, protocol: "TCP", name: "http" }], { ready: false, reason: "CrashLoopBackOff", restarts: 4 }),
      ]),
    ],
    services: [
      {
        name: "web",
        namespace: "prod",
        type: "NodePort",
        ports: [
          {
            name: "http",
            port: 80,
            targetPort: "http",
            nodePort: 30080,
            protocol: "TCP",
            endpoints: [
              { pod: "web-abc123-bbbbb", ready: false, address: null, reason: "not ready" },
              { pod: "web-abc123-aaaaa", ready: true, address: "127.0.0.1:32768", reason: "" },
            ],
          },
        ],
        endpoints: [
          { pod: "web-abc123-aaaaa", ready: true },
          { pod: "web-abc123-bbbbb", ready: false },
        ],
        warnings: [],
      },
      {
        name: "admin",
        namespace: "prod",
        type: "ClusterIP",
        ports: [
          { name: "http", port: 8081, targetPort: 9000, nodePort: null, protocol: "TCP", endpoints: [] },
          { name: "metrics", port: 9090, targetPort: 9090, nodePort: null, protocol: "TCP", endpoints: [] },
        ],
        endpoints: [],
        warnings: ['Service admin: selector {"app":"admin"} matches no pod in namespace prod'],
      },
    ],
  }),
  history: [],
};

/** A view that only lists the selected pods with their readiness, as a Service-level summary. */
const blog: FakeAppSeed = {
  summary: summary("blog", "default"),
  objects: objects({
    workloads: [
      deployment("blog", [
        // Pod ports without names: the single published one is where a Ready pod is served.
        pod("blog-def456-ccccc", [{ containerPort: 2368, hostPort: 32800, protocol: "TCP" }]),
        pod("blog-def456-ddddd", [{ containerPort: 2368, hostPort: null, protocol: "TCP" }], { ready: false }),
      ]),
      deployment("cache", [
        pod("cache-0a1b2c-eeeee", [
          { containerPort: 6379, hostPort: 32801, protocol: "TCP" },
          { containerPort: 9121, hostPort: 32802, protocol: "TCP" },
        ]),
      ]),
    ],
    services: [
      {
        name: "blog",
        type: "LoadBalancer",
        ports: [{ name: "http", port: 80, targetPort: "http", nodePort: null, protocol: "TCP" }],
        endpoints: [
          { pod: "blog-def456-ccccc", ready: true },
          { pod: "blog-def456-ddddd", ready: false },
        ],
      },
      {
        name: "cache",
        type: "ClusterIP",
        ports: [{ port: 6379, targetPort: 6379, nodePort: null, protocol: "TCP" }],
        endpoints: [{ pod: "cache-0a1b2c-eeeee", ready: true }],
      },
      { name: "search", type: "ClusterIP", ports: [{ port: 9200, targetPort: 9200, nodePort: null, protocol: "TCP" }], endpoints: [] },
    ],
  }),
  history: [],
};

const detail = (seed: FakeAppSeed): AppDetail => ({ ...seed.summary, objects: seed.objects, drift: [], kept: [] });

describe("Service rows", () => {
  it("shows one row per Service port with kubectl's PORT(S), each endpoint's address and readiness", () => {
    const rows = servicePortRows(detail(shop));
    expect(rows.map((r) => [r.namespace, r.name, r.type, r.ports])).toEqual([
      ["prod", "web", "NodePort", "80:30080/TCP"],
      ["prod", "admin", "ClusterIP", "8081/TCP"],
      ["prod", "admin", "ClusterIP", "9090/TCP"],
    ]);
    expect(rows[0]?.endpoints).toEqual([
      { pod: "web-abc123-aaaaa", address: "127.0.0.1:32768", ready: true, reason: "" },
      // The address comes from the pod's published port; the pod's own reason replaces "not ready".
      { pod: "web-abc123-bbbbb", address: "127.0.0.1:32769", ready: false, reason: "CrashLoopBackOff" },
    ]);
    expect(rows[0]?.port).toEqual({ name: "http", port: 80, targetPort: "http", nodePort: 30080, protocol: "TCP" });
    expect(rows[1]?.warnings).toEqual(['Service admin: selector {"app":"admin"} matches no pod in namespace prod']);
  });

  it("finds endpoint addresses from the pods when the view lists only the Service's pods", () => {
    const rows = servicePortRows(detail(blog));
    const byName = new Map(rows.map((r) => [r.name, r]));
    expect(byName.get("blog")?.namespace).toBe("default");
    expect(byName.get("blog")?.endpoints).toEqual([
      { pod: "blog-def456-ccccc", address: "127.0.0.1:32800", ready: true, reason: "" },
      { pod: "blog-def456-ddddd", address: null, ready: false, reason: "" },
    ]);
    // By container port number when the pod has several.
    expect(byName.get("cache")?.endpoints).toEqual([{ pod: "cache-0a1b2c-eeeee", address: "127.0.0.1:32801", ready: true, reason: "" }]);
  });

  it("warns when a selector matches no pod, a port has no Ready endpoint, or an exposed port has no node port", () => {
    const rows = servicePortRows(detail(blog));
    const byName = new Map(rows.map((r) => [r.name, r]));
    expect(byName.get("search")?.warnings).toEqual(["selector matches no pod"]);
    expect(byName.get("blog")?.warnings).toEqual(["port 80 has no node port (see the application's events)"]);
    expect(byName.get("cache")?.warnings).toEqual([]);
    const down = servicePortRows({
      ...detail(blog),
      objects: objects({ services: [{ name: "db", type: "ClusterIP", ports: [{ port: 5432, targetPort: 5432, nodePort: null, protocol: "TCP" }], endpoints: [{ pod: "db-0", ready: false }] }] }),
    });
    expect(down[0]?.warnings).toEqual(["port 5432 has no Ready endpoint"]);
  });

  it("shows a Service without ports as one row with <none>", () => {
    const rows = servicePortRows({ ...detail(blog), objects: objects({ services: [{ name: "headless", type: "ClusterIP", ports: [], endpoints: [] }] }) });
    expect(rows.map((r) => [r.ports, r.port])).toEqual([["<none>", null]]);
  });

  it("prints a table aligned like the other get commands, one line per endpoint", () => {
    const rows = sortServiceRows([...servicePortRows(detail(shop)), ...servicePortRows(detail(blog))]);
    expect(formatServiceTable(rows)).toBe(
      [
        "NAMESPACE   NAME     TYPE           PORT(S)        ENDPOINTS                                                          APP    WARNINGS",
        "default     blog     LoadBalancer   80/TCP         blog-def456-ccccc   127.0.0.1:32800  Ready                         blog   port 80 has no node port (see the application's events)",
        "                                                   blog-def456-ddddd   -                NotReady",
        "default     cache    ClusterIP      6379/TCP       cache-0a1b2c-eeeee  127.0.0.1:32801  Ready                         blog",
        "default     search   ClusterIP      9200/TCP       <none>                                                             blog   selector matches no pod",
        'prod        admin    ClusterIP      8081/TCP       <none>                                                             shop   Service admin: selector {"app":"admin"} matches no pod in namespace prod',
        'prod        admin    ClusterIP      9090/TCP       <none>                                                             shop   Service admin: selector {"app":"admin"} matches no pod in namespace prod',
        "prod        web      NodePort       80:30080/TCP   web-abc123-aaaaa    127.0.0.1:32768  Ready                         shop",
        "                                                   web-abc123-bbbbb    127.0.0.1:32769  NotReady (CrashLoopBackOff)",
        "",
      ].join("\n"),
    );
  });

  it("lets a table cell span lines while the other columns stay aligned", () => {
    const out = formatTable(
      [
        { a: "x", b: "one\ntwo-long", c: "end" },
        { a: "longer", b: "3", c: "" },
      ],
      [
        { header: "a", value: (r) => r.a },
        { header: "b", value: (r) => r.b },
        { header: "c", value: (r) => r.c },
      ],
    );
    expect(out).toBe("A        B          C\nx        one        end\n         two-long\nlonger   3\n");
  });
});

describe("capstan get services against a daemon's API", () => {
  let stateDir: string;
  let server: RunningServer;
  let lock: DaemonLock;
  const cli = (...argv: string[]) => runCli(["--state-dir", stateDir, ...argv], { env: { HOME: stateDir } });

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "capstan-svc-"));
    const token = ensureToken(stateDir);
    lock = acquireDaemonLock(stateDir);
    server = await startServer({ view: new FakeView({ apps: [shop, blog] }), token, port: 0 });
    writeFileSync(join(stateDir, "daemon.json"), JSON.stringify({ url: server.url, pid: process.pid }), { mode: 0o600 });
  });

  afterAll(async () => {
    await server?.close();
    lock?.release();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("lists every application's Services, sorted by namespace and name", async () => {
    const r = await cli("get", "svc");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const firstWords = r.stdout
      .split("\n")
      .filter((l) => l && !l.startsWith(" "))
      .map((l) => l.split(/\s+/).slice(0, 2).join(" "));
    expect(firstWords).toEqual(["NAMESPACE NAME", "default blog", "default cache", "default search", "prod admin", "prod admin", "prod web"]);
    expect(r.stdout).toContain("web-abc123-bbbbb    127.0.0.1:32769  NotReady (CrashLoopBackOff)");
  });

  it("shows one application's Services as JSON with -o json", async () => {
    const r = await cli("get", "-o", "json", "services", "shop");
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { app: string; name: string; ports: string; endpoints: { pod: string; ready: boolean }[] }[];
    expect(rows.map((x) => `${x.app}/${x.name} ${x.ports}`)).toEqual(["shop/admin 8081/TCP", "shop/admin 9090/TCP", "shop/web 80:30080/TCP"]);
    expect(rows[2]?.endpoints.map((e) => `${e.pod}=${e.ready}`)).toEqual(["web-abc123-aaaaa=true", "web-abc123-bbbbb=false"]);
  });

  it("takes text as the table's name and refuses an unknown format", async () => {
    const text = await cli("get", "service", "blog", "-o", "text");
    expect(text.code).toBe(0);
    expect(text.stdout.split("\n")[0]).toMatch(/^NAMESPACE {3}NAME {5}TYPE/);
    const bad = await cli("get", "svc", "-o", "xml");
    expect(bad).toMatchObject({ code: 1, stderr: "error: -o xml: unknown output format (use table, text, json, yaml)\n" });
  });

  it("names an unknown application and exits 1", async () => {
    const r = await cli("get", "svc", "nosuch");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: GET \/apps\/nosuch: 404 .*nosuch/);
  });

  it("says that Services need the daemon, with the command to start one, when none runs", async () => {
    const empty = mkdtempSync(join(tmpdir(), "capstan-svc-none-"));
    try {
      const r = await runCli(["--state-dir", empty, "get", "services"], { env: { HOME: empty } });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`no daemon holds the state directory ${empty}`);
      expect(r.stderr).toContain("`capstan daemon --repo PATH`");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
