import { normalize } from "../../../../src/manifest/index.js";
import type { ManifestObject } from "../../../../src/manifest/index.js";

type Obj = Record<string, unknown>;

export function deployment(name: string, over: { image?: string; replicas?: number; annotations?: Record<string, string>; pod?: Obj; container?: Obj; envFrom?: string } = {}): ManifestObject {
  return normalize(
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: "default", ...(over.annotations ? { annotations: over.annotations } : {}) },
      spec: {
        replicas: over.replicas ?? 2,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            containers: [
              {
                name: "web",
                image: over.image ?? "capstan-demo/web:v1",
                ...(over.envFrom ? { envFrom: [{ configMapRef: { name: over.envFrom } }] } : {}),
                ...(over.container ?? {}),
              },
            ],
            ...(over.pod ?? {}),
          },
        },
      },
    } as ManifestObject,
    "default",
  );
}

export function configMap(name: string, data: Record<string, string>, annotations?: Record<string, string>): ManifestObject {
  return normalize({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default", ...(annotations ? { annotations } : {}) }, data } as ManifestObject, "default");
}

export function secret(name: string, data: Record<string, string>): ManifestObject {
  return normalize({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: "default" }, stringData: data } as ManifestObject, "default");
}

export function service(name: string): ManifestObject {
  return normalize({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: "default" }, spec: { selector: { app: name }, ports: [{ port: 80 }] } } as ManifestObject, "default");
}

export function pvc(name: string): ManifestObject {
  return normalize({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name, namespace: "default" }, spec: { resources: { requests: { storage: "1Gi" } } } } as ManifestObject, "default");
}
