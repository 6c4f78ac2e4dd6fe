import { describe, expect, it } from "vitest";
import { PodConfigError, POD_LABEL, materializePod } from "../../../../src/controllers/pods/materialize.js";
import type { PodTemplate } from "../../../../src/manifest/index.js";
import { LABEL } from "../../../../src/runtime/labels.js";
import { configMap, intent, secret } from "./fixtures.js";

const opts = { stateDir: "/var/lib/capstan" };

const fullSpec: PodTemplate["spec"] = {
  restartPolicy: "Always",
  terminationGracePeriodSeconds: 15,
  securityContext: { runAsUser: 1000, runAsGroup: 2000 },
  containers: [
    {
      name: "app",
      image: "capstan-demo/web:v1",
      command: ["/bin/web"],
      args: ["--port", "$(PORT)", "$$(PORT)"],
      workingDir: "/srv",
      env: [
        { name: "PORT", value: "8080" },
        { name: "MODE", valueFrom: { configMapKeyRef: { name: "cfg", key: "mode" } } },
        { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "creds", key: "password" } } },
        { name: "OPT", valueFrom: { configMapKeyRef: { name: "cfg", key: "nope", optional: true } } },
        { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "NS", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
        { name: "APP_LABEL", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: "URL", value: "http://$(POD):$(PORT)/" },
      ],
      envFrom: [{ configMapRef: { name: "cfg" }, prefix: "CFG_" }, { secretRef: { name: "creds" } }],
      ports: [
        { name: "http", containerPort: 8080, protocol: "TCP" },
        { containerPort: 9090, protocol: "UDP" },
      ],
      resources: { limits: { cpu: "500m", memory: "128Mi" } },
      readinessProbe: { httpGet: { path: "/healthz", port: "http" } },
      livenessProbe: { tcpSocket: { port: 8081 } },
      volumeMounts: [
        { name: "config", mountPath: "/etc/app" },
        { name: "creds", mountPath: "/run/secrets" },
        { name: "data", mountPath: "/data" },
        { name: "scratch", mountPath: "/tmp/scratch" },
        { name: "cache", mountPath: "/cache" },
      ],
      securityContext: { readOnlyRootFilesystem: true, capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] } },
    },
  ],
  volumes: [
    { name: "config", configMap: { name: "cfg", items: [{ key: "app.conf", path: "conf/app.conf", mode: 0o600 }], defaultMode: 420 } },
    { name: "creds", secret: { secretName: "creds", defaultMode: 420 } },
    { name: "data", persistentVolumeClaim: { claimName: "data" } },
    { name: "scratch", emptyDir: {} },
    { name: "cache", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
  ],
};

const cfg = configMap("cfg", { mode: "fast", "app.conf": "listen 8080\n", "bad key!": "skipped" });
const creds = secret("creds", { password: "hunter2" });
const full = () => intent(fullSpec, { configMaps: { cfg }, secrets: { creds } });

function configError(fn: () => unknown): PodConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PodConfigError) return err;
    throw err;
  }
  throw new Error("expected a PodConfigError");
}

describe("materializing a pod template for Docker", () => {
  it("turns every supported field into the container spec", () => {
    const pod = materializePod(full(), opts);
    const { labels, ...rest } = pod.container;
    expect(rest).toEqual({
      name: "prod_web-abc123-0",
      image: "capstan-demo/web:v1",
      command: ["/bin/web"],
      args: ["--port", "8080", "$(PORT)"],
      env: {
        CFG_mode: "fast",
        "CFG_app.conf": "listen 8080\n",
        password: "hunter2",
        PORT: "8080",
        MODE: "fast",
        PASSWORD: "hunter2",
        POD: "web-abc123-0",
        NS: "prod",
        APP_LABEL: "web",
        URL: "http://web-abc123-0:8080/",
      },
      workingDir: "/srv",
      user: "1000:2000",
      ports: [
        { containerPort: 8080, protocol: "tcp", hostPort: 0, hostIP: "127.0.0.1" },
        { containerPort: 9090, protocol: "udp", hostPort: 0, hostIP: "127.0.0.1" },
        // The liveness probe's port is published too, so the probe can reach it on 127.0.0.1.
        { containerPort: 8081, protocol: "tcp", hostPort: 0, hostIP: "127.0.0.1" },
      ],
      mounts: [
        { type: "bind", source: "/var/lib/capstan/files/prod/web-abc123-0/config", target: "/etc/app", readOnly: true },
        { type: "bind", source: "/var/lib/capstan/files/prod/web-abc123-0/creds", target: "/run/secrets", readOnly: true },
        { type: "volume", source: "capstan-prod-data", target: "/data", readOnly: false },
        { type: "volume", source: "capstan-prod-web-abc123-0-scratch", target: "/tmp/scratch", readOnly: false },
        { type: "tmpfs", target: "/cache", sizeBytes: 64 * 1024 * 1024 },
      ],
      hostname: "web-abc123-0",
      network: { name: "capstan-prod", aliases: ["web-abc123-0"] },
      resources: { nanoCpus: 500_000_000, memoryBytes: 128 * 1024 * 1024 },
      stopGraceSeconds: 15,
      readOnlyRootFilesystem: true,
      capAdd: ["NET_BIND_SERVICE"],
      capDrop: ["ALL"],
    });
    expect(labels).toMatchObject({
      [LABEL.managedBy]: "capstan",
      [LABEL.application]: "shop",
      [LABEL.namespace]: "prod",
      [LABEL.ownerKind]: "Deployment",
      [LABEL.ownerName]: "web",
      [LABEL.revision]: "abc123",
      [LABEL.commit]: "0123456789abcdef0123456789abcdef01234567",
      [LABEL.pod]: "web-abc123-0",
      [LABEL.specDigest]: pod.digest,
      [POD_LABEL.container]: "app",
      [POD_LABEL.podLabels]: '{"app":"web"}',
    });
    expect(JSON.parse(labels?.[POD_LABEL.template] ?? "")).toEqual(full().template);
    expect(pod.digest).toMatch(/^[0-9a-f]{16}$/);
  });

  it("names the container after namespace and pod, and gives it the pod's hostname, as Kubernetes does", () => {
    const base = { containers: [{ name: "db", image: "capstan-demo/web:v1" }] };
    const plain = materializePod(intent(base, { name: "db-0", namespace: "staging" }), opts).container;
    expect([plain.name, plain.hostname, plain.network]).toEqual(["staging_db-0", "db-0", { name: "capstan-staging", aliases: ["db-0"] }]);
    const named = materializePod(intent({ ...base, hostname: "primary", subdomain: "db" }, { name: "db-0" }), opts).container;
    expect([named.hostname, named.network?.aliases]).toEqual(["primary", ["db-0", "primary.db"]]);
    // A DNS label holds 63 characters; the cut never ends in a dash.
    const long = `${"a".repeat(62)}-b`;
    expect(materializePod(intent(base, { name: long }), opts).container.hostname).toBe("a".repeat(62));
  });

  it("lists the namespace network, the claim's volume and the emptyDir volume with labels", () => {
    const pod = materializePod(full(), { ...opts, extraLabels: { "capstan.dev/test-run": "t1" } });
    expect(pod.network).toEqual({ name: "capstan-prod", labels: { "capstan.dev/test-run": "t1", [LABEL.managedBy]: "capstan", [LABEL.namespace]: "prod" } });
    expect(pod.volumes.map((v) => [v.name, v.kind, v.labels[POD_LABEL.claim] ?? v.labels[POD_LABEL.emptyDirOf]])).toEqual([
      ["capstan-prod-data", "persistentVolumeClaim", "data"],
      ["capstan-prod-web-abc123-0-scratch", "emptyDir", "web-abc123-0"],
    ]);
    expect(pod.container.labels?.["capstan.dev/test-run"]).toBe("t1");
  });

  it("writes ConfigMap items with their modes and Secret keys as owner-only files", () => {
    const pod = materializePod(full(), opts);
    expect(pod.filesDir).toBe("/var/lib/capstan/files/prod/web-abc123-0");
    expect(pod.files).toEqual([
      { volume: "config", path: "conf/app.conf", contentBase64: Buffer.from("listen 8080\n").toString("base64"), mode: 0o600, secret: false },
      { volume: "creds", path: "password", contentBase64: Buffer.from("hunter2").toString("base64"), mode: 0o400, secret: true },
    ]);
  });

  it("keeps probes, named ports, restart policy and grace period for the manager", () => {
    const pod = materializePod(full(), opts);
    expect(pod.probes.readiness?.httpGet?.path).toBe("/healthz");
    expect(pod.probes.liveness?.tcpSocket?.port).toBe(8081);
    expect(pod.namedPorts).toEqual({ http: 8080 });
    expect(pod.restartPolicy).toBe("Always");
    expect(pod.graceSeconds).toBe(15);
  });

  it("gives the same digest for the same intent and a new one when a referenced ConfigMap changes", () => {
    const a = materializePod(full(), opts).digest;
    expect(materializePod(full(), opts).digest).toBe(a);
    const changed = intent(fullSpec, { configMaps: { cfg: configMap("cfg", { mode: "slow", "app.conf": "listen 8080\n" }) }, secrets: { creds } });
    expect(materializePod(changed, opts).digest).not.toBe(a);
  });

  it("keeps the digest when only the commit changes (identity is the pod template), and records the new commit on the container", () => {
    const before = materializePod(full(), opts);
    const after = materializePod({ ...full(), commit: "fedcba9876543210fedcba9876543210fedcba98" }, opts);
    expect(after.digest).toBe(before.digest);
    expect(after.container.labels?.[LABEL.commit]).toBe("fedcba9876543210fedcba9876543210fedcba98");
    expect(materializePod({ ...full(), revision: "def456" }, opts).digest).not.toBe(before.digest);
  });

  it("marks the variables whose values come from Secrets, directly, through envFrom or through $(VAR)", () => {
    const i = intent(
      {
        containers: [
          {
            name: "app",
            image: "x",
            envFrom: [{ secretRef: { name: "creds" }, prefix: "S_" }, { configMapRef: { name: "cfg" } }],
            env: [
              { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "creds", key: "password" } } },
              { name: "DSN", value: "postgres://u:$(PASSWORD)@db/app" },
              { name: "S_password", value: "overridden" },
              { name: "PLAIN", value: "$(mode)" },
            ],
          },
        ],
      },
      { configMaps: { cfg }, secrets: { creds } },
    );
    expect([...materializePod(i, opts).secretEnv].sort()).toEqual(["DSN", "PASSWORD"]);
  });

  it("keeps the digest when only Service aliases change, so pods are not replaced for them", () => {
    const plain = materializePod(full(), opts);
    const aliased = materializePod({ ...full(), aliases: ["web"] }, opts);
    expect(aliased.container.network).toEqual({ name: "capstan-prod", aliases: ["web-abc123-0", "web"] });
    expect(aliased.digest).toBe(plain.digest);
  });

  it("names the ConfigMap and key when an env key is missing (CreateContainerConfigError)", () => {
    const i = intent(
      { containers: [{ name: "app", image: "x", env: [{ name: "MODE", valueFrom: { configMapKeyRef: { name: "cfg", key: "missing" } } }] }] },
      { configMaps: { cfg } },
    );
    const err = configError(() => materializePod(i, opts));
    expect(err.reason).toBe("CreateContainerConfigError");
    expect(err.message).toBe("spec.containers[0] (app).env[0] (MODE): couldn't find key missing in ConfigMap prod/cfg");
  });

  it("reports every missing ConfigMap and Secret at once", () => {
    const i = intent({
      containers: [
        {
          name: "app",
          image: "x",
          env: [{ name: "TOKEN", valueFrom: { secretKeyRef: { name: "api", key: "token" } } }],
          envFrom: [{ configMapRef: { name: "settings" } }, { secretRef: { name: "maybe", optional: true } }],
          volumeMounts: [{ name: "c", mountPath: "/c" }],
        },
      ],
      volumes: [{ name: "c", configMap: { name: "files" } }],
    });
    const err = configError(() => materializePod(i, opts));
    expect(err.problems).toEqual([
      'spec.containers[0] (app).envFrom[0]: configmap "settings" not found in namespace prod',
      'spec.containers[0] (app).env[0] (TOKEN): secret "api" not found in namespace prod',
      'volume c: configmap "files" not found in namespace prod',
    ]);
  });

  it("skips optional references that are missing", () => {
    const i = intent({
      containers: [
        {
          name: "app",
          image: "x",
          env: [{ name: "A", valueFrom: { configMapKeyRef: { name: "none", key: "k", optional: true } } }],
          envFrom: [{ configMapRef: { name: "none", optional: true } }],
          volumeMounts: [{ name: "c", mountPath: "/c" }],
        },
      ],
      volumes: [{ name: "c", configMap: { name: "none", optional: true } }],
    });
    const pod = materializePod(i, opts);
    expect(pod.container.env).toEqual({});
    expect(pod.files).toEqual([]);
  });

  it("refuses a second container, init containers and the pod IP by name", () => {
    const i = intent({
      initContainers: [{ name: "migrate", image: "x" }],
      containers: [
        { name: "app", image: "x", env: [{ name: "IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }], volumeMounts: [{ name: "h", mountPath: "/h" }] },
        { name: "sidecar", image: "y" },
      ],
      volumes: [{ name: "h", hostPath: { path: "/etc" } }],
    });
    const err = configError(() => materializePod(i, opts));
    expect(err.reason).toBe("Unsupported");
    expect(err.problems).toHaveLength(3);
    expect(err.problems[0]).toContain("spec.containers[1] (sidecar)");
    expect(err.problems[1]).toContain("spec.initContainers[0] (migrate)");
    expect(err.problems[2]).toContain("status.podIP");
  });

  it("binds a hostPath (admitted by the project's pod security before it gets here) at its normalized path, without subPath", () => {
    const mount = (subPath?: string) =>
      intent({
        containers: [{ name: "app", image: "x", volumeMounts: [{ name: "h", mountPath: "/h", readOnly: true, ...(subPath ? { subPath } : {}) }] }],
        volumes: [{ name: "h", hostPath: { path: "/srv/data/./web/" } }],
      });
    expect(materializePod(mount(), opts).container.mounts).toEqual([{ type: "hostPath", source: "/srv/data/web/", target: "/h", readOnly: true }]);
    expect(configError(() => materializePod(mount("logs"), opts)).message).toContain("subPath on a hostPath volume");
  });

  it("refuses item paths that climb out of the volume directory", () => {
    const i = intent(
      { containers: [{ name: "app", image: "x", volumeMounts: [{ name: "c", mountPath: "/c" }] }], volumes: [{ name: "c", configMap: { name: "cfg", items: [{ key: "mode", path: "../../etc/passwd" }] } }] },
      { configMaps: { cfg } },
    );
    expect(configError(() => materializePod(i, opts)).message).toContain("must be relative and must not contain '..'");
  });

  it("defaults the stop grace period to 30 s and the restart policy to Always", () => {
    const pod = materializePod(intent({ containers: [{ name: "app", image: "x" }] }), opts);
    expect(pod.container.stopGraceSeconds).toBe(30);
    expect(pod.restartPolicy).toBe("Always");
    expect(pod.container.ports).toEqual([]);
    expect(pod.container.user).toBeUndefined();
  });

  it("publishes every port on 127.0.0.1, an empty hostIP included, and refuses another hostIP", () => {
    const pod = materializePod(intent({ containers: [{ name: "app", image: "x", ports: [{ containerPort: 80, hostPort: 8080, hostIP: "" }] }] }), opts);
    expect(pod.container.ports).toEqual([{ containerPort: 80, protocol: "tcp", hostPort: 8080, hostIP: "127.0.0.1" }]);
    const err = configError(() => materializePod(intent({ containers: [{ name: "app", image: "x", ports: [{ containerPort: 80, hostPort: 8080, hostIP: "0.0.0.0" }] }] }), opts));
    expect(err.message).toContain('spec.containers[0] (app).ports[0].hostIP: "0.0.0.0" is not allowed');
  });

  it("refuses a subPathExpr that expands to a path leaving its volume", () => {
    const i = intent(
      {
        containers: [{ name: "app", image: "x", env: [{ name: "UP", value: "../.." }], volumeMounts: [{ name: "config", mountPath: "/x", subPathExpr: "$(UP)/etc" }] }],
        volumes: [{ name: "config", configMap: { name: "cfg" } }],
      },
      { configMaps: { cfg: configMap("cfg", { a: "b" }) } },
    );
    expect(configError(() => materializePod(i, opts)).message).toContain(`subPath "../../etc" must not contain '..'`);
  });

  it("gives Docker the host namespaces and privilege the project granted, and no-new-privileges for allowPrivilegeEscalation: false", () => {
    const pod = materializePod(
      intent({ hostPID: true, hostIPC: true, containers: [{ name: "app", image: "x", securityContext: { privileged: true, allowPrivilegeEscalation: false } }] }),
      opts,
    );
    expect(pod.container).toMatchObject({ privileged: true, pidMode: "host", ipcMode: "host", noNewPrivileges: true });
    const plain = materializePod(intent({ containers: [{ name: "app", image: "x" }] }), opts);
    for (const k of ["privileged", "pidMode", "ipcMode", "noNewPrivileges"]) expect(plain.container).not.toHaveProperty(k);
  });
});
