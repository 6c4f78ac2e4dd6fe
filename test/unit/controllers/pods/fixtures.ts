import type { ConfigMap, PodTemplate, Secret } from "../../../../src/manifest/index.js";
import type { PodIntent } from "../../../../src/controllers/pods/types.js";

export function intent(template: PodTemplate["spec"] | PodTemplate, extra: Partial<PodIntent> = {}): PodIntent {
  const t: PodTemplate = "spec" in template ? template : { metadata: { labels: { app: "web" } }, spec: template };
  return {
    name: "web-abc123-0",
    namespace: "prod",
    app: "shop",
    ownerKind: "Deployment",
    ownerName: "web",
    revision: "abc123",
    commit: "0123456789abcdef0123456789abcdef01234567",
    template: t,
    configMaps: {},
    secrets: {},
    ...extra,
  };
}

export function configMap(name: string, data: Record<string, string>): ConfigMap {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "prod" }, data };
}

export function secret(name: string, data: Record<string, string>): Secret {
  const b64 = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")]));
  return { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: "prod" }, type: "Opaque", data: b64 };
}
