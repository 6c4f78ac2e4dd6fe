import { canonicalQuantity } from "./quantity.js";
import type { Container, ManifestObject, PodSpec, PodTemplate, Probe } from "./schemas.js";

/**
 * Kubernetes' defaults, applied the way the API server would, so that writing a default
 * explicitly and leaving it out give the same object. Works on a copy.
 */

type Obj = Record<string, unknown>;

function setDefault(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined) o[key] = value;
}

/** `:latest` or no tag (and no digest) → Always, else IfNotPresent. */
export function defaultPullPolicy(image: string): "Always" | "IfNotPresent" {
  if (image.includes("@")) return "IfNotPresent";
  const lastSlash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  if (colon <= lastSlash) return "Always";
  return image.slice(colon + 1) === "latest" ? "Always" : "IfNotPresent";
}

function probeDefaults(p: Probe | undefined): void {
  if (!p) return;
  const o = p as Obj;
  setDefault(o, "initialDelaySeconds", 0);
  setDefault(o, "periodSeconds", 10);
  setDefault(o, "timeoutSeconds", 1);
  setDefault(o, "successThreshold", 1);
  setDefault(o, "failureThreshold", 3);
  if (p.httpGet) setDefault(p.httpGet as Obj, "scheme", "HTTP");
}

function canonicalResources(list: Record<string, string | number> | undefined): void {
  if (!list) return;
  for (const [k, v] of Object.entries(list)) {
    const c = canonicalQuantity(v);
    if (c !== undefined) list[k] = c;
  }
}

function containerDefaults(c: Container): void {
  setDefault(c as Obj, "imagePullPolicy", defaultPullPolicy(c.image));
  for (const port of c.ports ?? []) setDefault(port as Obj, "protocol", "TCP");
  probeDefaults(c.livenessProbe);
  probeDefaults(c.readinessProbe);
  probeDefaults(c.startupProbe);
  if (c.resources) {
    const { limits, requests } = c.resources;
    canonicalResources(limits);
    canonicalResources(requests);
    // The API server copies limits into requests that were left out.
    if (limits) {
      const req = (c.resources.requests ??= {}) as Record<string, string | number>;
      for (const [k, v] of Object.entries(limits)) if (req[k] === undefined && v !== undefined) req[k] = v;
    }
  }
}

function podSpecDefaults(spec: PodSpec, restartPolicy: boolean): void {
  if (restartPolicy) setDefault(spec as Obj, "restartPolicy", "Always");
  setDefault(spec as Obj, "terminationGracePeriodSeconds", 30);
  spec.containers.forEach(containerDefaults);
  spec.initContainers?.forEach(containerDefaults);
  for (const v of spec.volumes ?? []) {
    if (v.configMap) setDefault(v.configMap as Obj, "defaultMode", 420);
    if (v.secret) setDefault(v.secret as Obj, "defaultMode", 420);
    if (v.emptyDir?.sizeLimit !== undefined) v.emptyDir.sizeLimit = canonicalQuantity(v.emptyDir.sizeLimit) ?? v.emptyDir.sizeLimit;
  }
}

function templateDefaults(t: PodTemplate, restartPolicy = true): void {
  podSpecDefaults(t.spec, restartPolicy);
}

function pvcSpecDefaults(spec: Obj): void {
  setDefault(spec, "volumeMode", "Filesystem");
  const resources = spec["resources"] as { requests?: Obj; limits?: Obj } | undefined;
  for (const list of [resources?.requests, resources?.limits]) {
    if (list && (typeof list["storage"] === "string" || typeof list["storage"] === "number")) {
      list["storage"] = canonicalQuantity(list["storage"]) ?? list["storage"];
    }
  }
}

function jobSpecDefaults(spec: Obj): void {
  setDefault(spec, "backoffLimit", 6);
  setDefault(spec, "completions", 1);
  setDefault(spec, "parallelism", 1);
  setDefault(spec, "completionMode", "NonIndexed");
  setDefault(spec, "suspend", false);
  templateDefaults(spec["template"] as PodTemplate, false);
}

/** Applies Kubernetes defaults in place; `namespace` fills a missing metadata.namespace. */
export function applyDefaults(obj: ManifestObject, namespace?: string): ManifestObject {
  if (namespace !== undefined && !obj.metadata.namespace) obj.metadata.namespace = namespace;
  switch (obj.kind) {
    case "Deployment": {
      const s = obj.spec as Obj;
      setDefault(s, "replicas", 1);
      const strategy = (obj.spec.strategy ??= {}) as Obj;
      setDefault(strategy, "type", "RollingUpdate");
      if (strategy["type"] === "RollingUpdate") {
        const ru = (strategy["rollingUpdate"] ??= {}) as Obj;
        setDefault(ru, "maxSurge", "25%");
        setDefault(ru, "maxUnavailable", "25%");
      }
      setDefault(s, "revisionHistoryLimit", 10);
      setDefault(s, "progressDeadlineSeconds", 600);
      setDefault(s, "minReadySeconds", 0);
      templateDefaults(obj.spec.template);
      break;
    }
    case "StatefulSet": {
      const s = obj.spec as Obj;
      setDefault(s, "replicas", 1);
      setDefault(s, "podManagementPolicy", "OrderedReady");
      const us = (obj.spec.updateStrategy ??= {}) as Obj;
      setDefault(us, "type", "RollingUpdate");
      if (us["type"] === "RollingUpdate") setDefault((us["rollingUpdate"] ??= {}) as Obj, "partition", 0);
      setDefault(s, "revisionHistoryLimit", 10);
      setDefault(s, "minReadySeconds", 0);
      const retention = (obj.spec.persistentVolumeClaimRetentionPolicy ??= {}) as Obj;
      setDefault(retention, "whenDeleted", "Retain");
      setDefault(retention, "whenScaled", "Retain");
      for (const vct of obj.spec.volumeClaimTemplates ?? []) pvcSpecDefaults(vct.spec as Obj);
      templateDefaults(obj.spec.template);
      break;
    }
    case "DaemonSet": {
      const s = obj.spec as Obj;
      const us = (obj.spec.updateStrategy ??= {}) as Obj;
      setDefault(us, "type", "RollingUpdate");
      if (us["type"] === "RollingUpdate") {
        const ru = (us["rollingUpdate"] ??= {}) as Obj;
        setDefault(ru, "maxUnavailable", 1);
        setDefault(ru, "maxSurge", 0);
      }
      setDefault(s, "revisionHistoryLimit", 10);
      setDefault(s, "minReadySeconds", 0);
      templateDefaults(obj.spec.template);
      break;
    }
    case "Job":
      jobSpecDefaults(obj.spec as Obj);
      break;
    case "CronJob": {
      const s = obj.spec as Obj;
      setDefault(s, "concurrencyPolicy", "Allow");
      setDefault(s, "suspend", false);
      setDefault(s, "successfulJobsHistoryLimit", 3);
      setDefault(s, "failedJobsHistoryLimit", 1);
      jobSpecDefaults(obj.spec.jobTemplate.spec as Obj);
      break;
    }
    case "Service": {
      const s = obj.spec as Obj;
      setDefault(s, "type", "ClusterIP");
      setDefault(s, "sessionAffinity", "None");
      for (const p of obj.spec.ports ?? []) {
        setDefault(p as Obj, "protocol", "TCP");
        setDefault(p as Obj, "targetPort", p.port);
      }
      break;
    }
    case "Secret": {
      setDefault(obj as Obj, "type", "Opaque");
      // The API server folds stringData into data.
      if (obj.stringData) {
        const data = (obj.data ??= {});
        for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(v, "utf8").toString("base64");
        delete obj.stringData;
      }
      break;
    }
    case "PersistentVolumeClaim":
      pvcSpecDefaults(obj.spec as Obj);
      break;
    case "ConfigMap":
      break;
  }
  return obj;
}

/**
 * The form the diff compares: defaults applied and quantities canonical, so an explicit
 * default or `1024Mi` vs `1Gi` is not a change. Returns a copy.
 */
export function normalize<T extends ManifestObject>(obj: T, namespace?: string): T {
  return applyDefaults(structuredClone(obj), namespace) as T;
}
