import { describe, expect, it } from "vitest";
import type { PodSecurityExceptions, PodSecurityLevel } from "../../../src/config/index.js";
import type { ManifestObject } from "../../../src/manifest/index.js";
import {
  ASK_OPERATOR,
  DEFAULT_POD_SECURITY,
  POD_SECURITY_CHECKS,
  checkPodSecurity,
  checksFor,
  exposesDockerSocket,
  isWithin,
  normalizeHostPath,
} from "../../../src/security/pod-security/index.js";

type Obj = Record<string, unknown>;

const FILE = "charts/web/templates/deployment.yaml";
const POD = "spec.template.spec";
const C0 = `${POD}.containers[0]`;

/**
 * A Deployment built as raw data, so rules can be tried on fields the typed schema does not carry:
 * the checks read objects loosely on purpose.
 */
function deployment(over: { pod?: Obj; container?: Obj; annotations?: Record<string, string>; containers?: Obj[] } = {}): ManifestObject {
  const container = { name: "web", image: "capstan-demo/web:v1", ...(over.container ?? {}) };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" }, ...(over.annotations ? { annotations: over.annotations } : {}) },
        spec: { containers: over.containers ?? [container], ...(over.pod ?? {}) },
      },
    },
  } as unknown as ManifestObject;
}

function check(object: ManifestObject, level: PodSecurityLevel = "baseline", exceptions: PodSecurityExceptions = {}) {
  return checkPodSecurity([{ object, file: FILE }], { level, exceptions });
}

const sc = (securityContext: Obj) => ({ container: { securityContext } });
const podSc = (securityContext: Obj) => ({ pod: { securityContext } });
const volume = (v: Obj) => ({ pod: { volumes: [{ name: "data", ...v }] } });

/** Containers that meet restricted, to perturb one field at a time. */
const RESTRICTED_SC = { allowPrivilegeEscalation: false, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, capabilities: { drop: ["ALL"] } };
const restrictedSc = (over: Obj) => ({ container: { securityContext: { ...RESTRICTED_SC, ...over } } });

describe("baseline refuses what gives a container the host, naming the field and the rule", () => {
  it.each([
    { rule: "hostProcess on the pod", obj: podSc({ windowsOptions: { hostProcess: true } }), field: `${POD}.securityContext.windowsOptions.hostProcess`, reason: "hostProcess" },
    { rule: "hostProcess on a container", obj: sc({ windowsOptions: { hostProcess: true } }), field: `${C0}.securityContext.windowsOptions.hostProcess`, reason: "hostProcess" },
    { rule: "hostNetwork", obj: { pod: { hostNetwork: true } }, field: `${POD}.hostNetwork`, reason: "host namespaces (hostNetwork=true)" },
    { rule: "hostPID", obj: { pod: { hostPID: true } }, field: `${POD}.hostPID`, reason: "host namespaces (hostPID=true)" },
    { rule: "hostIPC", obj: { pod: { hostIPC: true } }, field: `${POD}.hostIPC`, reason: "host namespaces (hostIPC=true)" },
    { rule: "a privileged container", obj: sc({ privileged: true }), field: `${C0}.securityContext.privileged`, reason: 'privileged (container "web" must not set securityContext.privileged=true)' },
    { rule: "capabilities beyond the default set", obj: sc({ capabilities: { add: ["NET_ADMIN", "CHOWN", "SYS_TIME"] } }), field: `${C0}.securityContext.capabilities.add`, reason: 'non-default capabilities (container "web" must not include "NET_ADMIN", "SYS_TIME"' },
    { rule: "capabilities spelt the way Docker also accepts", obj: sc({ capabilities: { add: ["cap_sys_admin"] } }), field: `${C0}.securityContext.capabilities.add`, reason: '"cap_sys_admin"' },
    { rule: "ALL capabilities", obj: sc({ capabilities: { add: ["ALL"] } }), field: `${C0}.securityContext.capabilities.add`, reason: "non-default capabilities" },
    { rule: "a hostPath volume", obj: volume({ hostPath: { path: "/var/log" } }), field: `${POD}.volumes[0].hostPath`, reason: 'hostPath volumes (volume "data" mounts host path /var/log)' },
    { rule: "a hostPort", obj: { container: { ports: [{ containerPort: 80, hostPort: 8080 }] } }, field: `${C0}.ports[0].hostPort`, reason: 'hostPort (container "web" uses hostPort 8080)' },
    { rule: "an Unconfined AppArmor profile on the pod", obj: podSc({ appArmorProfile: { type: "Unconfined" } }), field: `${POD}.securityContext.appArmorProfile.type`, reason: "forbidden AppArmor profile" },
    { rule: "an Unconfined AppArmor profile on a container", obj: sc({ appArmorProfile: { type: "Unconfined" } }), field: `${C0}.securityContext.appArmorProfile.type`, reason: "forbidden AppArmor profile" },
    {
      rule: "an unconfined AppArmor annotation",
      obj: { annotations: { "container.apparmor.security.beta.kubernetes.io/web": "unconfined" } },
      field: 'spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/web"]',
      reason: "forbidden AppArmor profile",
    },
    { rule: "an SELinux type outside the container types", obj: sc({ seLinuxOptions: { type: "spc_t" } }), field: `${C0}.securityContext.seLinuxOptions.type`, reason: 'seLinuxOptions (container "web" set forbidden securityContext.seLinuxOptions: type "spc_t")' },
    { rule: "an SELinux user", obj: podSc({ seLinuxOptions: { user: "system_u" } }), field: `${POD}.securityContext.seLinuxOptions.user`, reason: "user may not be set" },
    { rule: "an SELinux role", obj: sc({ seLinuxOptions: { role: "system_r" } }), field: `${C0}.securityContext.seLinuxOptions.role`, reason: "role may not be set" },
    { rule: "an unmasked /proc", obj: sc({ procMount: "Unmasked" }), field: `${C0}.securityContext.procMount`, reason: "procMount" },
    { rule: "seccomp Unconfined on the pod", obj: podSc({ seccompProfile: { type: "Unconfined" } }), field: `${POD}.securityContext.seccompProfile.type`, reason: 'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")' },
    { rule: "seccomp Unconfined on a container", obj: sc({ seccompProfile: { type: "Unconfined" } }), field: `${C0}.securityContext.seccompProfile.type`, reason: "seccompProfile" },
    { rule: "an unsafe sysctl", obj: podSc({ sysctls: [{ name: "net.ipv4.tcp_syncookies", value: "1" }, { name: "kernel.msgmax", value: "1" }] }), field: `${POD}.securityContext.sysctls[1].name`, reason: "forbidden sysctls (kernel.msgmax)" },
    { rule: "a probe host", obj: { container: { readinessProbe: { httpGet: { port: 80, host: "169.254.169.254" } } } }, field: `${C0}.readinessProbe.httpGet.host`, reason: "probe or lifecycle host" },
    { rule: "a lifecycle hook host", obj: { container: { lifecycle: { preStop: { tcpSocket: { port: 80, host: "db" } } } } }, field: `${C0}.lifecycle.preStop.tcpSocket.host`, reason: "probe or lifecycle host" },
    { rule: "a gitRepo volume", obj: volume({ gitRepo: { repository: "https://example.com/x.git" } }), field: `${POD}.volumes[0].gitRepo`, reason: "restricted volume types" },
    { rule: "ulimits", obj: sc({ ulimits: [{ name: "nofile", soft: 1, hard: 1 }] }), field: `${C0}.securityContext.ulimits`, reason: "ulimits" },
  ])("$rule", ({ obj, field, reason }) => {
    const problems = check(deployment(obj));
    expect(problems.map((p) => p.field)).toEqual([field]);
    expect(problems[0]?.file).toBe(FILE);
    expect(problems[0]?.message).toContain('Deployment web: violates PodSecurity "baseline:latest": ');
    expect(problems[0]?.message).toContain(reason);
    expect(check(deployment(obj), "restricted").map((p) => p.field)).toContain(field);
    expect(check(deployment(obj), "privileged")).toEqual([]);
  });

  it("reads like pod-security-admission's refusal", () => {
    expect(check(deployment({ pod: { hostIPC: true } }))[0]?.message).toBe(
      `Deployment web: violates PodSecurity "baseline:latest": host namespaces (hostIPC=true); remove it, or ${ASK_OPERATOR} (hostIPC: true)`,
    );
  });

  it.each([
    { what: "the runtime's default profiles", obj: podSc({ seccompProfile: { type: "RuntimeDefault" }, appArmorProfile: { type: "RuntimeDefault" } }) },
    { what: "local profiles", obj: sc({ seccompProfile: { type: "Localhost", localhostProfile: "p.json" }, appArmorProfile: { type: "Localhost", localhostProfile: "p" } }) },
    { what: "AppArmor annotations naming the default or a local profile", obj: { annotations: { "container.apparmor.security.beta.kubernetes.io/web": "localhost/p", "container.apparmor.security.beta.kubernetes.io/x": "runtime/default" } } },
    { what: "the container SELinux types", obj: sc({ seLinuxOptions: { type: "container_init_t", level: "s0:c1,c2" } }) },
    { what: "procMount Default", obj: sc({ procMount: "Default" }) },
    { what: "safe sysctls", obj: podSc({ sysctls: [{ name: "net.ipv4.ip_local_port_range", value: "1024 65535" }, { name: "kernel.shm_rmid_forced", value: "1" }] }) },
    { what: "capabilities of the default set, and drops", obj: sc({ capabilities: { add: ["NET_BIND_SERVICE", "CHOWN"], drop: ["NET_RAW"] } }) },
    { what: "hostPort 0 and container ports", obj: { container: { ports: [{ containerPort: 80, hostPort: 0 }, { containerPort: 81 }] } } },
    { what: "host namespaces set to false", obj: { pod: { hostNetwork: false, hostPID: false, hostIPC: false } } },
    { what: "privileged: false", obj: sc({ privileged: false, runAsUser: 0 }) },
    { what: "volumes of the pod's own data", obj: { pod: { volumes: [{ name: "a", emptyDir: {} }, { name: "b", configMap: { name: "c" } }, { name: "d", persistentVolumeClaim: { claimName: "d" } }, { name: "e", nfs: { server: "n", path: "/" } }] } } },
    { what: "probes without a host", obj: { container: { livenessProbe: { httpGet: { port: 80, path: "/" } }, startupProbe: { tcpSocket: { port: 80, host: "" } } } } },
  ])("baseline allows $what", ({ obj }) => {
    expect(check(deployment(obj))).toEqual([]);
  });

  it("checks init and ephemeral containers as well, each at its own path", () => {
    const problems = check(
      deployment({
        pod: {
          initContainers: [{ name: "init", image: "x", securityContext: { privileged: true } }],
          ephemeralContainers: [{ name: "debug", image: "x", securityContext: { privileged: true } }],
        },
      }),
    );
    expect(problems.map((p) => p.field)).toEqual([`${POD}.initContainers[0].securityContext.privileged`, `${POD}.ephemeralContainers[0].securityContext.privileged`]);
    expect(problems[0]?.message).toContain('container "init"');
  });

  it("reports every refusal of every object at once", () => {
    const a = deployment({ pod: { hostNetwork: true, hostPID: true }, container: { securityContext: { privileged: true } } });
    expect(check(a).map((p) => p.field)).toEqual([`${POD}.hostNetwork`, `${POD}.hostPID`, `${C0}.securityContext.privileged`]);
  });

  it("refuses values that are not plainly false (fails closed on loose input)", () => {
    expect(check(deployment({ pod: { hostNetwork: "true" } })).map((p) => p.field)).toEqual([`${POD}.hostNetwork`]);
    expect(check(deployment(sc({ privileged: 1 }))).map((p) => p.field)).toEqual([`${C0}.securityContext.privileged`]);
  });
});

describe("exceptions the operator grants lift exactly the rule they name", () => {
  it.each([
    { what: "hostNetwork", obj: { pod: { hostNetwork: true } }, grant: { hostNetwork: true }, other: { hostPID: true } },
    { what: "hostPID", obj: { pod: { hostPID: true } }, grant: { hostPID: true }, other: { hostNetwork: true } },
    { what: "hostIPC", obj: { pod: { hostIPC: true } }, grant: { hostIPC: true }, other: { hostPID: true } },
    { what: "privileged", obj: sc({ privileged: true }), grant: { privileged: true }, other: { hostNetwork: true } },
    { what: "a capability", obj: sc({ capabilities: { add: ["NET_ADMIN"] } }), grant: { capabilities: ["NET_ADMIN"] }, other: { capabilities: ["SYS_ADMIN"] } },
    { what: "a capability written with CAP_", obj: sc({ capabilities: { add: ["CAP_NET_ADMIN"] } }), grant: { capabilities: ["NET_ADMIN"] }, other: { privileged: true } },
    { what: "a host port", obj: { container: { ports: [{ containerPort: 80, hostPort: 8080 }] } }, grant: { hostPorts: [8080] }, other: { hostPorts: [8081] } },
    { what: "a host path", obj: volume({ hostPath: { path: "/srv/data" } }), grant: { hostPaths: ["/srv/data"] }, other: { hostPaths: ["/srv/other"] } },
    { what: "a path below a granted one", obj: volume({ hostPath: { path: "/srv/data/app/logs" } }), grant: { hostPaths: ["/srv/data/"] }, other: { hostPaths: ["/srv/dat"] } },
  ])("$what", ({ obj, grant, other }) => {
    expect(check(deployment(obj), "baseline", grant)).toEqual([]);
    expect(check(deployment(obj), "baseline", other)).toHaveLength(1);
    const refusal = check(deployment(obj))[0]?.message ?? "";
    expect(refusal).toContain(ASK_OPERATOR);
  });

  it("names the exception to ask for", () => {
    expect(check(deployment(sc({ capabilities: { add: ["cap_net_admin"] } }))).map((p) => p.message)[0]).toContain('(capabilities: ["NET_ADMIN"])');
    expect(check(deployment(volume({ hostPath: { path: "/srv/data/" } }))).map((p) => p.message)[0]).toContain('(hostPaths: ["/srv/data"])');
    expect(check(deployment({ container: { ports: [{ containerPort: 80, hostPort: 53 }] } })).map((p) => p.message)[0]).toContain("(hostPorts: [53])");
  });

  it("a granted capability is also allowed under restricted, where only NET_BIND_SERVICE is otherwise", () => {
    const obj = deployment(restrictedSc({ capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE", "NET_ADMIN"] } }));
    expect(check(obj, "restricted").map((p) => p.field)).toEqual([`${C0}.securityContext.capabilities.add`]);
    expect(check(obj, "restricted", { capabilities: ["NET_ADMIN"] })).toEqual([]);
  });

  it("a host path granted for one pod does not cover paths beside it", () => {
    const obj = deployment({ pod: { volumes: [{ name: "a", hostPath: { path: "/srv/data" } }, { name: "b", hostPath: { path: "/srv/database" } }] } });
    expect(check(obj, "baseline", { hostPaths: ["/srv/data"] }).map((p) => p.field)).toEqual([`${POD}.volumes[1].hostPath`]);
  });

  it("rules without an exception say only the project's level lifts them", () => {
    const [p] = check(deployment(podSc({ seccompProfile: { type: "Unconfined" } })));
    expect(p?.message).toContain('no exception lifts this rule (only the operator can lower the project\'s podSecurity.level to "privileged" in the Capstan config file)');
  });
});

describe("host paths are compared after normalising them", () => {
  it.each([
    ["/srv/data/../../etc", "/etc"],
    ["/srv//data/", "/srv/data"],
    ["/srv/./data/.", "/srv/data"],
    ["/", "/"],
    ["/..", "/"],
  ])("%s is %s", (raw, normalized) => {
    expect(normalizeHostPath(raw)).toBe(normalized);
  });

  it.each(["srv/data", "", "./data", "~/data"])("the relative path %j can match no exception", (raw) => {
    expect(normalizeHostPath(raw)).toBeUndefined();
    expect(check(deployment(volume({ hostPath: { path: raw } })), "baseline", { hostPaths: ["/"] })).toHaveLength(1);
  });

  it.each([
    { path: "/srv/data/../../etc", root: "/srv/data", within: false },
    { path: "/srv/data/../data2", root: "/srv/data", within: false },
    { path: "/srv/data/x/../y", root: "/srv/data", within: true },
    { path: "/srv/data", root: "/srv/data/", within: true },
    { path: "/srv/database", root: "/srv/data", within: false },
    { path: "/anything", root: "/", within: true },
    { path: "/srv/data", root: "/srv/data/sub/..", within: true },
  ])("$path within $root: $within", ({ path, root, within }) => {
    expect(isWithin(path, root)).toBe(within);
  });

  it("a `..` escape from a granted directory is refused and shows where it leads", () => {
    const [p] = check(deployment(volume({ hostPath: { path: "/srv/data/../../etc" } })), "baseline", { hostPaths: ["/srv/data"] });
    expect(p?.field).toBe(`${POD}.volumes[0].hostPath`);
    expect(p?.message).toContain("/srv/data/../../etc (that is /etc)");
  });
});

describe("the Docker socket, which is root on the host", () => {
  it.each(["/var/run/docker.sock", "/run/docker.sock", "/var/run/docker.sock/", "/run/docker", "/var/run", "/run", "/var", "/", "/home/me/.docker/run/docker.sock", "/run/user/1000", "/run/user/1000/docker.sock", "/srv/../var/run/docker.sock"])(
    "%s exposes it",
    (path) => {
      expect(exposesDockerSocket(path)).toBe(true);
    },
  );

  it.each(["/var/log", "/srv/docker", "/var/run/app.sock", "/run/user/1000/app/data", "/var/lib/app"])("%s does not", (path) => {
    expect(exposesDockerSocket(path)).toBe(false);
  });

  it("is refused with its own message at every level, privileged included", () => {
    const obj = deployment(volume({ hostPath: { path: "/var/run/docker.sock", type: "Socket" } }));
    for (const level of ["privileged", "baseline", "restricted"] as const) {
      const problems = check(obj, level).filter((p) => p.field === `${POD}.volumes[0].hostPath.path`);
      expect(problems).toHaveLength(1);
      expect(problems[0]?.message).toContain(`violates PodSecurity "${level}:latest": Docker socket (volume "data" mounts /var/run/docker.sock, which gives the container the Docker API and so root on the host)`);
    }
    expect(check(obj).map((p) => p.field)).toEqual([`${POD}.volumes[0].hostPath.path`]);
  });

  it("a directory holding the socket counts as the socket", () => {
    expect(check(deployment(volume({ hostPath: { path: "/var/run" } })), "privileged").map((p) => p.message)[0]).toContain("Docker socket");
  });

  it("is allowed only by a hostPaths exception naming it or a directory holding it", () => {
    const obj = deployment(volume({ hostPath: { path: "/var/run/docker.sock" } }));
    expect(check(obj, "baseline", { hostPaths: ["/var/run/docker.sock"] })).toEqual([]);
    expect(check(obj, "baseline", { hostPaths: ["/var/run"] })).toEqual([]);
    expect(check(obj, "privileged", { hostPaths: ["/var/run/docker.sock"] })).toEqual([]);
    expect(check(obj, "baseline", { hostPaths: ["/run/docker.sock"] })).toHaveLength(1);
    expect(check(obj, "baseline", { privileged: true, hostNetwork: true, hostPID: true, capabilities: ["SYS_ADMIN"] })).toHaveLength(1);
    const parent = deployment(volume({ hostPath: { path: "/var/run" } }));
    expect(check(parent, "baseline", { hostPaths: ["/var/run/docker.sock"] })).toHaveLength(1);
  });
});

describe("restricted adds the hardening rules on top of baseline", () => {
  it("a container hardened as restricted asks passes", () => {
    expect(check(deployment(restrictedSc({})), "restricted")).toEqual([]);
    expect(check(deployment({ pod: { securityContext: { runAsNonRoot: true, seccompProfile: { type: "Localhost", localhostProfile: "p" } } }, container: { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } } } }), "restricted")).toEqual([]);
  });

  it("the default pod (nothing set) meets baseline but not restricted", () => {
    expect(check(deployment())).toEqual([]);
    expect(check(deployment(), "restricted").map((p) => p.field)).toEqual([
      `${C0}.securityContext.allowPrivilegeEscalation`,
      `${C0}.securityContext.runAsNonRoot`,
      `${C0}.securityContext.seccompProfile.type`,
      `${C0}.securityContext.capabilities.drop`,
    ]);
  });

  it.each([
    { rule: "privilege escalation left on", obj: restrictedSc({ allowPrivilegeEscalation: true }), field: `${C0}.securityContext.allowPrivilegeEscalation`, reason: "allowPrivilegeEscalation != false" },
    { rule: "privilege escalation unset", obj: restrictedSc({ allowPrivilegeEscalation: undefined }), field: `${C0}.securityContext.allowPrivilegeEscalation`, reason: "must set securityContext.allowPrivilegeEscalation=false" },
    { rule: "runAsNonRoot false on a container", obj: restrictedSc({ runAsNonRoot: false }), field: `${C0}.securityContext.runAsNonRoot`, reason: "runAsNonRoot != true" },
    { rule: "runAsNonRoot unset on pod and container", obj: restrictedSc({ runAsNonRoot: undefined }), field: `${C0}.securityContext.runAsNonRoot`, reason: 'pod or container "web" must set securityContext.runAsNonRoot=true' },
    { rule: "runAsUser 0 on a container", obj: restrictedSc({ runAsUser: 0 }), field: `${C0}.securityContext.runAsUser`, reason: "runAsUser=0" },
    { rule: "seccomp unset", obj: restrictedSc({ seccompProfile: undefined }), field: `${C0}.securityContext.seccompProfile.type`, reason: '"RuntimeDefault" or "Localhost"' },
    { rule: "capabilities not dropped", obj: restrictedSc({ capabilities: { drop: ["NET_RAW"] } }), field: `${C0}.securityContext.capabilities.drop`, reason: 'must set securityContext.capabilities.drop=["ALL"]' },
    { rule: "a default-set capability added back", obj: restrictedSc({ capabilities: { drop: ["ALL"], add: ["CHOWN"] } }), field: `${C0}.securityContext.capabilities.add`, reason: "unrestricted capabilities", fix: `${ASK_OPERATOR} (capabilities: ["CHOWN"])` },
    { rule: "a volume type outside the pod's own data", obj: { ...restrictedSc({}), pod: { volumes: [{ name: "n", nfs: { server: "nas", path: "/" } }] } }, field: `${POD}.volumes[0].nfs`, reason: 'restricted volume types (volume "n" uses restricted volume type "nfs")' },
  ])("$rule", ({ obj, field, reason, fix }) => {
    const problems = check(deployment(obj), "restricted");
    expect(problems.map((p) => p.field)).toEqual([field]);
    expect(problems[0]?.message).toContain('Deployment web: violates PodSecurity "restricted:latest": ');
    expect(problems[0]?.message).toContain(reason);
    expect(problems[0]?.message).toContain(fix ?? 'lower the project\'s podSecurity.level to "baseline"');
    expect(check(deployment(obj), "baseline")).toEqual([]);
  });

  it("pod-level settings cover containers that set nothing, and a pod-level false is refused once", () => {
    const ok = deployment({ pod: { securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } } }, container: { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } } });
    expect(check(ok, "restricted")).toEqual([]);
    const podFalse = deployment({ pod: { securityContext: { runAsNonRoot: false, runAsUser: 0 } }, container: { securityContext: { ...RESTRICTED_SC } } });
    expect(check(podFalse, "restricted").map((p) => p.field)).toEqual([`${POD}.securityContext.runAsNonRoot`, `${POD}.securityContext.runAsUser`]);
  });

  it("seccomp Unconfined is refused by the restricted form of the rule, which replaces the baseline one", () => {
    const problems = check(deployment(restrictedSc({ seccompProfile: { type: "Unconfined" } })), "restricted");
    expect(problems.map((p) => p.field)).toEqual([`${C0}.securityContext.seccompProfile.type`]);
    expect(problems[0]?.message).toContain('seccompProfile (container "web" must not set securityContext.seccompProfile.type to "Unconfined")');
  });

  it("reports a refused seccomp or capability once, not once per level", () => {
    const obj = deployment(restrictedSc({ seccompProfile: { type: "Unconfined" }, capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } }));
    expect(check(obj, "restricted").map((p) => p.field)).toEqual([`${C0}.securityContext.seccompProfile.type`, `${C0}.securityContext.capabilities.add`]);
  });

  it("a hostPath volume under restricted is refused by the hostPath rule and can be granted per path", () => {
    const obj = deployment({ ...restrictedSc({}), pod: { volumes: [{ name: "data", hostPath: { path: "/srv/data" } }] } });
    expect(check(obj, "restricted").map((p) => p.field)).toEqual([`${POD}.volumes[0].hostPath`]);
    expect(check(obj, "restricted", { hostPaths: ["/srv"] })).toEqual([]);
  });
});

describe("levels", () => {
  it("are cumulative lists of checks", () => {
    const ids = (level: PodSecurityLevel) => checksFor(level).map((c) => c.id);
    expect(ids("privileged")).toEqual(["dockerSocket"]);
    expect(ids("baseline")).toEqual([
      "dockerSocket",
      "windowsHostProcess",
      "hostNamespaces",
      "privileged",
      "capabilities_baseline",
      "hostPathVolumes",
      "hostPorts",
      "appArmorProfile",
      "seLinuxOptions",
      "procMount",
      "seccompProfile_baseline",
      "sysctls",
      "hostProbesAndHostLifecycle",
      "baselineVolumes",
      "ulimits",
    ]);
    const restricted = ids("restricted");
    expect(restricted).toEqual(expect.arrayContaining(["restrictedVolumes", "allowPrivilegeEscalation", "runAsNonRoot", "runAsUser", "seccompProfile_restricted", "capabilities_restricted"]));
    expect(restricted).not.toContain("seccompProfile_baseline");
    expect(restricted).not.toContain("capabilities_baseline");
    expect(new Set(POD_SECURITY_CHECKS.map((c) => c.id)).size).toBe(POD_SECURITY_CHECKS.length);
  });

  it("default to baseline with no exceptions", () => {
    expect(DEFAULT_POD_SECURITY).toEqual({ level: "baseline", exceptions: {} });
    expect(Object.isFrozen(DEFAULT_POD_SECURITY)).toBe(true);
  });
});

describe("every kind that runs a pod is checked at its own path", () => {
  const template = { metadata: { labels: { app: "x" } }, spec: { hostPID: true, containers: [{ name: "x", image: "x" }] } };
  it.each([
    { kind: "StatefulSet", spec: { selector: {}, template }, field: "spec.template.spec.hostPID" },
    { kind: "DaemonSet", spec: { selector: {}, template }, field: "spec.template.spec.hostPID" },
    { kind: "ReplicaSet", spec: { selector: {}, template }, field: "spec.template.spec.hostPID" },
    { kind: "Job", spec: { template }, field: "spec.template.spec.hostPID" },
    { kind: "CronJob", spec: { schedule: "* * * * *", jobTemplate: { spec: { template } } }, field: "spec.jobTemplate.spec.template.spec.hostPID" },
    { kind: "Pod", spec: template.spec, field: "spec.hostPID" },
  ])("$kind", ({ kind, spec, field }) => {
    const object = { apiVersion: "v1", kind, metadata: { name: "x" }, spec } as unknown as ManifestObject;
    const problems = checkPodSecurity([{ object }], DEFAULT_POD_SECURITY);
    expect(problems.map((p) => p.field)).toEqual([field]);
    expect(problems[0]?.message).toMatch(new RegExp(`^${kind} x: violates PodSecurity`));
    expect(problems[0]).not.toHaveProperty("file");
  });

  it("a Pod's AppArmor annotations are read from its own metadata", () => {
    const object = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "x", annotations: { "container.apparmor.security.beta.kubernetes.io/x": "unconfined" } },
      spec: { containers: [{ name: "x", image: "x" }] },
    } as unknown as ManifestObject;
    expect(checkPodSecurity([{ object }], DEFAULT_POD_SECURITY).map((p) => p.field)).toEqual(['metadata.annotations["container.apparmor.security.beta.kubernetes.io/x"]']);
  });

  it("objects that run no pod pass, whatever they hold", () => {
    const object = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { hostNetwork: "true" } } as unknown as ManifestObject;
    expect(checkPodSecurity([{ object }], { level: "restricted", exceptions: {} })).toEqual([]);
  });
});
