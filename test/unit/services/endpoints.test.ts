import { describe, expect, it } from "vitest";
import type { Service } from "../../../src/manifest/index.js";
import { untranslatedPorts } from "../../../src/services/controller.js";
import { serviceAliases, serviceEndpoints, type PodEndpointSource } from "../../../src/services/endpoints.js";
import { assignNodePorts } from "../../../src/services/nodeports.js";

const svc = (name: string, spec: Partial<Service["spec"]>, namespace = "default"): Service =>
  ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace }, spec: { type: "ClusterIP", selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }], ...spec } }) as Service;

const pod = (name: string, extra: Partial<PodEndpointSource> = {}): PodEndpointSource => ({
  name,
  namespace: "default",
  labels: { app: "web" },
  ready: true,
  terminating: false,
  ports: [{ name: "http", containerPort: 8080, hostPort: 40000 + name.length }],
  ...extra,
});

describe("Service endpoints", () => {
  it("lists Ready pods on their published loopback port and says why the others are left out", () => {
    const ep = serviceEndpoints(svc("web", {}), [
      pod("web-b"),
      pod("web-a", { ports: [{ containerPort: 8080, hostPort: 41000 }] }),
      pod("web-slow", { ready: false }),
      pod("web-old", { terminating: true }),
      pod("other", { labels: { app: "db" } }),
      pod("web-ns", { namespace: "prod" }),
    ]);
    expect(ep.ports[0]?.ready).toEqual([
      { pod: "web-a", host: "127.0.0.1", port: 41000 },
      { pod: "web-b", host: "127.0.0.1", port: 40005 },
    ]);
    expect(ep.ports[0]?.notReady).toEqual([
      { pod: "web-slow", reason: "not ready", host: "127.0.0.1", port: 40008 },
      { pod: "web-old", reason: "terminating", host: "127.0.0.1", port: 40007 },
    ]);
    expect(ep.ports[0]?.targetPort).toBe(8080);
    expect(ep.matched).toEqual(["web-a", "web-b", "web-old", "web-slow"]);
    expect(ep.warnings).toEqual([]);
  });

  it("resolves a targetPort by container port name, and several ports per Service", () => {
    const ep = serviceEndpoints(
      svc("web", { ports: [{ name: "http", port: 80, targetPort: "http" }, { name: "admin", port: 9000, targetPort: "admin" }] }),
      [pod("web-a", { ports: [{ name: "http", containerPort: 8080, hostPort: 40001 }, { name: "admin", containerPort: 9090, hostPort: 40002 }] }), pod("web-b")],
    );
    expect(ep.ports.map((p) => [p.name, p.ready.map((r) => `${r.pod}:${r.port}`)])).toEqual([
      ["http", ["web-a:40001", "web-b:40005"]],
      ["admin", ["web-a:40002"]],
    ]);
    expect(ep.ports[1]?.notReady).toEqual([{ pod: "web-b", reason: "pod has no container port named admin" }]);
  });

  it("stays usable but warns when the selector matches no pod", () => {
    const ep = serviceEndpoints(svc("web", { selector: { app: "wbe" } }), [pod("web-a")]);
    expect(ep.ports[0]?.ready).toEqual([]);
    expect(ep.warnings).toEqual([
      { field: "spec.selector", severity: "warning", message: 'Service web: selector {"app":"wbe"} matches no pod in namespace default' },
    ]);
  });

  it("aliases a Service by name and by name.namespace", () => {
    expect(serviceAliases({ name: "web", namespace: "prod" })).toEqual(["web", "web.prod"]);
  });
});

describe("node port assignment", () => {
  it("honours explicit node ports and fills the others from the bottom of the range", () => {
    const { assignments, problems } = assignNodePorts([
      svc("a", { type: "NodePort", ports: [{ port: 80, nodePort: 30000 }] }),
      svc("b", { type: "LoadBalancer", ports: [{ port: 80 }, { port: 443 }] }),
      svc("c", { type: "ClusterIP" }),
    ]);
    expect(problems).toEqual([]);
    expect(assignments.map((a) => `${a.servicePort}=${a.nodePort}`)).toEqual(["default/a:80=30000", "default/b:80=30001", "default/b:443=30002"]);
  });

  it("keeps a Service's previous node port across syncs", () => {
    const first = assignNodePorts([svc("b", { type: "NodePort", ports: [{ port: 80 }] })]).assignments;
    const second = assignNodePorts([svc("a", { type: "NodePort", ports: [{ port: 80 }] }), svc("b", { type: "NodePort", ports: [{ port: 80 }] })], first);
    expect(second.assignments.find((a) => a.service === "b")?.nodePort).toBe(30000);
    expect(second.assignments.find((a) => a.service === "a")?.nodePort).toBe(30001);
  });

  it("reports a clash and a port out of range, naming the Services", () => {
    const { problems } = assignNodePorts([
      svc("a", { type: "NodePort", ports: [{ port: 80, nodePort: 31000 }] }),
      svc("b", { type: "NodePort", ports: [{ port: 80, nodePort: 31000 }] }),
      svc("c", { type: "NodePort", ports: [{ port: 80, nodePort: 8080 }] }),
    ]);
    expect(problems).toEqual([
      { field: "spec.ports[0].nodePort", message: "Service default/b: nodePort 31000 is already allocated to default/a:80" },
      { field: "spec.ports[0].nodePort", message: "Service default/c: nodePort 8080 is outside the range 30000-32767" },
    ]);
  });

  it("warns that a port differing from its targetPort is not translated inside the network, by number and by the selected pods' named port", () => {
    expect(untranslatedPorts(svc("web", { type: "NodePort", ports: [{ port: 80, targetPort: 8080 }, { port: 9000, targetPort: 9000 }, { port: 81, targetPort: "http" }] }))).toEqual([
      {
        field: "spec.ports[0].targetPort",
        severity: "warning",
        message: "Service web: inside the network, web:80 is not translated to the pods' port 8080; pods reach it at web:8080 (the node port does translate)",
      },
    ]);
    const named = serviceEndpoints(svc("api", { ports: [{ port: 80, targetPort: "http" }] }), [pod("api-a")]);
    expect(named.warnings.map((w) => w.message)).toEqual(["Service api: inside the network, api:80 is not translated to the pods' port 8080; pods reach it at api:8080"]);
    expect(serviceEndpoints(svc("same", { ports: [{ port: 8080, targetPort: "http" }] }), [pod("same-a")]).warnings).toEqual([]);
  });
});
