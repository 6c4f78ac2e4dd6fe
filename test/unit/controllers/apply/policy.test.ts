import { describe, expect, it } from "vitest";
import { allowancesOf, checkPolicy } from "../../../../src/controllers/apply/policy.js";
import { planSync } from "../../../../src/controllers/apply/plan.js";
import { deployment } from "./helpers.js";

const FILE = "charts/web/templates/deployment.yaml";

describe("objects refused unless the Application allows them", () => {
  it.each([
    {
      what: "a privileged container",
      obj: deployment("web", { container: { securityContext: { privileged: true } } }),
      field: "spec.template.spec.containers[0].securityContext.privileged",
      message: 'Deployment web: privileged container "web" is refused by policy',
      allow: "privileged",
    },
    {
      what: "host networking",
      obj: deployment("web", { pod: { hostNetwork: true } }),
      field: "spec.template.spec.hostNetwork",
      message: "Deployment web: hostNetwork: true (the host's network) is refused by policy",
      allow: "hostNetwork",
    },
    {
      what: "the host's PID namespace",
      obj: deployment("web", { pod: { hostPID: true } }),
      field: "spec.template.spec.hostPID",
      message: "Deployment web: hostPID: true (the host's processes) is refused by policy",
      allow: "hostPID",
    },
    {
      what: "a hostPath volume",
      obj: deployment("web", { pod: { volumes: [{ name: "logs", hostPath: { path: "/var/log" } }] } }),
      field: "spec.template.spec.volumes[0].hostPath",
      message: 'Deployment web: hostPath volume "logs" (/var/log) is refused by policy',
      allow: "hostPath",
    },
    {
      what: "the Docker socket",
      obj: deployment("web", { pod: { volumes: [{ name: "sock", hostPath: { path: "/var/run/docker.sock" } }] } }),
      field: "spec.template.spec.volumes[0].hostPath.path",
      message: "Deployment web: mounting the Docker socket (/var/run/docker.sock) is refused by policy",
      allow: "dockerSocket",
    },
    {
      what: "added capabilities",
      obj: deployment("web", { container: { securityContext: { capabilities: { add: ["NET_ADMIN", "SYS_TIME"] } } } }),
      field: "spec.template.spec.containers[0].securityContext.capabilities.add",
      message: 'Deployment web: container "web" adds capabilities NET_ADMIN, SYS_TIME is refused by policy',
      allow: "capabilities",
    },
  ])("$what is refused with the object, file and field named, and allowed by the annotation", ({ obj, field, message, allow }) => {
    const problems = checkPolicy([{ object: obj, file: FILE }], new Set());
    expect(problems).toHaveLength(1);
    expect(problems[0]?.file).toBe(FILE);
    expect(problems[0]?.field).toBe(field);
    expect(problems[0]?.message).toContain(message);
    expect(problems[0]?.message).toContain(`capstan.dev/allow: "${allow}"`);
    expect(checkPolicy([{ object: obj }], allowancesOf({ "capstan.dev/allow": `other, ${allow}` }))).toEqual([]);
  });

  it("a plan with refused objects reports every refusal and plans nothing", () => {
    const r = planSync(
      [deployment("a", { pod: { hostNetwork: true } }), deployment("b", { container: { securityContext: { privileged: true } } })],
      [],
      { namespace: "default", prune: false, allow: new Set(), files: new Map([["default/Deployment/a", FILE]]) },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.message.split(":")[0])).toEqual(["Deployment a", "Deployment b"]);
    expect(r.errors[0]?.file).toBe(FILE);
  });

  it("ordinary containers pass", () => {
    expect(checkPolicy([{ object: deployment("web", { container: { securityContext: { capabilities: { drop: ["ALL"] } } } }) }], new Set())).toEqual([]);
  });
});
