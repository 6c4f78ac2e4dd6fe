import type { Problem } from "../errors.js";
import type { Service } from "../manifest/index.js";

/** What the Service layer needs to know of a pod. */
export interface PodEndpointSource {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  ready: boolean;
  terminating: boolean;
  /** The pod's declared container ports (name optional) and where each is published on the host. */
  ports: { name?: string; containerPort: number; protocol?: string; hostPort?: number }[];
}

export interface ServicePortEndpoints {
  /** The Service port's name ("" when unnamed) and number. */
  name: string;
  port: number;
  protocol: string;
  nodePort?: number;
  /** The declared targetPort (number or container port name); the port itself when none is declared. */
  targetPort: number | string;
  ready: { pod: string; host: string; port: number }[];
  /** Pods not taking connections, with the published address when there is one. */
  notReady: { pod: string; reason: string; host?: string; port?: number }[];
}

export interface ServiceEndpoints {
  key: string;
  name: string;
  namespace: string;
  type: "ClusterIP" | "NodePort" | "LoadBalancer";
  ports: ServicePortEndpoints[];
  /** Pods that match the selector, ready or not. */
  matched: string[];
  warnings: Problem[];
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/**
 * Pairs a Service with the pods it selects (pure): for each Service port, the Ready pods'
 * loopback addresses (targetPort by number or by container port name) and why the others are not.
 */
export function serviceEndpoints(service: Service, pods: PodEndpointSource[]): ServiceEndpoints {
  const namespace = service.metadata.namespace ?? "default";
  const matched = pods.filter((p) => p.namespace === namespace && selects(service.spec.selector, p.labels));
  const warnings: Problem[] = [];
  if (matched.length === 0) {
    warnings.push({
      field: "spec.selector",
      severity: "warning",
      message: `Service ${service.metadata.name}: selector ${JSON.stringify(service.spec.selector ?? {})} matches no pod in namespace ${namespace}`,
    });
  }
  const ports = (service.spec.ports ?? []).map((sp): ServicePortEndpoints => {
    const target = sp.targetPort ?? sp.port;
    const protocol = (sp.protocol ?? "TCP").toUpperCase();
    const ready: ServicePortEndpoints["ready"] = [];
    const notReady: ServicePortEndpoints["notReady"] = [];
    for (const pod of matched) {
      const cp = typeof target === "number" ? pod.ports.find((p) => p.containerPort === target) : pod.ports.find((p) => p.name === target);
      if (!cp) {
        notReady.push({ pod: pod.name, reason: `pod has no container port ${typeof target === "number" ? target : `named ${target}`}` });
        continue;
      }
      if (!cp.hostPort) {
        notReady.push({ pod: pod.name, reason: "port not published yet" });
      } else if (pod.terminating) {
        notReady.push({ pod: pod.name, reason: "terminating", host: "127.0.0.1", port: cp.hostPort });
      } else if (!pod.ready) {
        notReady.push({ pod: pod.name, reason: "not ready", host: "127.0.0.1", port: cp.hostPort });
      } else {
        ready.push({ pod: pod.name, host: "127.0.0.1", port: cp.hostPort });
      }
    }
    ready.sort((a, b) => a.pod.localeCompare(b.pod));
    if (typeof target === "string") {
      // Names resolve inside the network to the pods themselves: the connection keeps its port.
      const numbers = new Set(matched.flatMap((pod) => pod.ports.filter((p) => p.name === target).map((p) => p.containerPort)));
      for (const n of numbers) {
        if (n !== sp.port) warnings.push({ field: "spec.ports.targetPort", severity: "warning", message: untranslatedMessage(service, sp.port, n) });
      }
    }
    return { name: sp.name ?? "", port: sp.port, protocol, ...(sp.nodePort ? { nodePort: sp.nodePort } : {}), targetPort: target, ready, notReady };
  });
  return {
    key: `${namespace}/Service/${service.metadata.name}`,
    name: service.metadata.name,
    namespace,
    type: service.spec.type ?? "ClusterIP",
    ports,
    matched: matched.map((p) => p.name).sort(),
    warnings,
  };
}

/** DNS aliases a Ready pod carries on its namespace network: the Service name and `name.namespace`. */
export function serviceAliases(service: { name: string; namespace: string }): string[] {
  return [service.name, `${service.name}.${service.namespace}`];
}

/** Why `name:port` inside the network does not reach the pods' `target` port. */
export function untranslatedMessage(service: Service, port: number, target: number): string {
  const name = service.metadata.name;
  const host = service.spec.type === "NodePort" || service.spec.type === "LoadBalancer" ? " (the node port does translate)" : "";
  return `Service ${name}: inside the network, ${name}:${port} is not translated to the pods' port ${target}; pods reach it at ${name}:${target}${host}`;
}
