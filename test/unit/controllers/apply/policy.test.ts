import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Applier } from "../../../../src/controllers/apply/applier.js";
import { MemoryDesiredStore } from "../../../../src/controllers/apply/desired-store.js";
import { planSync } from "../../../../src/controllers/apply/plan.js";
import type { PlanPolicy } from "../../../../src/controllers/apply/plan.js";
import { FakeClock } from "../../../../src/controllers/clock.js";
import { DockerPodManager } from "../../../../src/controllers/pods/manager.js";
import { CapstanError } from "../../../../src/errors.js";
import type { ManifestObject } from "../../../../src/manifest/index.js";
import { FakeRuntime } from "../../../../src/runtime/fake.js";
import { deployment } from "./helpers.js";

const FILE = "charts/web/templates/deployment.yaml";
const ASK = "ask the operator to grant it in the project's podSecurity.exceptions in the Capstan config file";

const policy = (over: Partial<PlanPolicy> = {}): PlanPolicy => ({ namespace: "default", prune: false, files: new Map([["default/Deployment/web", FILE]]), ...over });

function refusals(objects: ManifestObject[], p: PlanPolicy = policy()) {
  const r = planSync(objects, [], p);
  return r.ok ? [] : r.errors;
}

describe("plans refuse pods that break the project's Pod Security level; only the operator's config grants exceptions", () => {
  it.each([
    {
      what: "a privileged container",
      obj: deployment("web", { container: { securityContext: { privileged: true } } }),
      field: "spec.template.spec.containers[0].securityContext.privileged",
      message: 'Deployment web: violates PodSecurity "baseline:latest": privileged (container "web" must not set securityContext.privileged=true)',
      grant: { privileged: true },
    },
    {
      what: "host networking",
      obj: deployment("web", { pod: { hostNetwork: true } }),
      field: "spec.template.spec.hostNetwork",
      message: 'Deployment web: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)',
      grant: { hostNetwork: true },
    },
    {
      what: "the host's PID namespace",
      obj: deployment("web", { pod: { hostPID: true } }),
      field: "spec.template.spec.hostPID",
      message: 'Deployment web: violates PodSecurity "baseline:latest": host namespaces (hostPID=true)',
      grant: { hostPID: true },
    },
    {
      what: "a hostPath volume",
      obj: deployment("web", { pod: { volumes: [{ name: "logs", hostPath: { path: "/var/log" } }] } }),
      field: "spec.template.spec.volumes[0].hostPath",
      message: 'Deployment web: violates PodSecurity "baseline:latest": hostPath volumes (volume "logs" mounts host path /var/log)',
      grant: { hostPaths: ["/var/log"] },
    },
    {
      what: "the Docker socket",
      obj: deployment("web", { pod: { volumes: [{ name: "sock", hostPath: { path: "/var/run/docker.sock" } }] } }),
      field: "spec.template.spec.volumes[0].hostPath.path",
      message: 'Deployment web: violates PodSecurity "baseline:latest": Docker socket (volume "sock" mounts /var/run/docker.sock',
      grant: { hostPaths: ["/var/run/docker.sock"] },
    },
    {
      what: "added capabilities",
      obj: deployment("web", { container: { securityContext: { capabilities: { add: ["NET_ADMIN", "SYS_TIME"] } } } }),
      field: "spec.template.spec.containers[0].securityContext.capabilities.add",
      message: 'Deployment web: violates PodSecurity "baseline:latest": non-default capabilities (container "web" must not include "NET_ADMIN", "SYS_TIME" in securityContext.capabilities.add)',
      grant: { capabilities: ["NET_ADMIN", "SYS_TIME"] },
    },
    {
      what: "a host port",
      obj: deployment("web", { container: { ports: [{ containerPort: 8080, hostPort: 8080 }] } }),
      field: "spec.template.spec.containers[0].ports[0].hostPort",
      message: 'Deployment web: violates PodSecurity "baseline:latest": hostPort (container "web" uses hostPort 8080)',
      grant: { hostPorts: [8080] },
    },
  ])("$what is refused with the object, file and field named, and allowed by an exception in the policy", ({ obj, field, message, grant }) => {
    const problems = refusals([obj]);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.file).toBe(FILE);
    expect(problems[0]?.field).toBe(field);
    expect(problems[0]?.message).toContain(message);
    expect(problems[0]?.message).toContain(ASK);
    expect(refusals([obj], policy({ podSecurity: { level: "baseline", exceptions: grant } }))).toEqual([]);
  });

  it("an annotation in Git grants nothing: the old capstan.dev/allow opt-in is gone", () => {
    const obj = deployment("web", { annotations: { "capstan.dev/allow": "privileged,hostNetwork" }, pod: { hostNetwork: true }, container: { securityContext: { privileged: true } } });
    expect(refusals([obj]).map((p) => p.field)).toEqual(["spec.template.spec.hostNetwork", "spec.template.spec.containers[0].securityContext.privileged"]);
  });

  it("a plan with refused objects reports every refusal and plans nothing", () => {
    const r = planSync(
      [deployment("a", { pod: { hostNetwork: true } }), deployment("b", { container: { securityContext: { privileged: true } } })],
      [],
      { namespace: "default", prune: false, files: new Map([["default/Deployment/a", FILE]]) },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.message.split(":")[0])).toEqual(["Deployment a", "Deployment b"]);
    expect(r.errors[0]?.file).toBe(FILE);
  });

  it("ordinary containers pass the default baseline", () => {
    expect(refusals([deployment("web", { container: { securityContext: { capabilities: { drop: ["ALL"] } } } })])).toEqual([]);
  });

  it("a project at restricted refuses what baseline lets through, and one at privileged lets host access through", () => {
    const plain = deployment("web");
    expect(refusals([plain], policy({ podSecurity: { level: "restricted", exceptions: {} } })).map((p) => p.field)).toContain(
      "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation",
    );
    const hosty = deployment("web", { pod: { hostNetwork: true, hostPID: true } });
    expect(refusals([hosty], policy({ podSecurity: { level: "privileged", exceptions: {} } }))).toEqual([]);
  });
});

describe("the applier plans with the policy of its sync request", () => {
  it("refuses a host port by default and plans it once the request carries the operator's exception", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "capstan-policy-"));
    try {
      const clock = new FakeClock(Date.UTC(2026, 2, 1, 10, 0, 0));
      const rt = new FakeRuntime({ node: "local", images: ["capstan-demo/web:v1"] });
      const pods = new DockerPodManager({ runtimes: new Map([["local", rt]]), stateDir, clock });
      const applier = new Applier({ runtime: rt, pods, store: new MemoryDesiredStore(), clock });
      const objects = [deployment("web", { container: { ports: [{ containerPort: 8080, hostPort: 8080 }] } })];
      const request = { app: "shop", namespace: "default", commit: "c1", objects, prune: false };

      const refused = await applier.plan(request).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(CapstanError);
      expect((refused as CapstanError).code).toBe("MANIFEST_INVALID");
      expect((refused as CapstanError).problems[0]?.field).toBe("spec.template.spec.containers[0].ports[0].hostPort");

      const tasks = await applier.plan({ ...request, podSecurity: { level: "baseline", exceptions: { hostPorts: [8080] } } });
      expect(tasks.map((t) => [t.name, t.action])).toEqual([["web", "create"]]);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
