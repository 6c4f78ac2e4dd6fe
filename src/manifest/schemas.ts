import { z } from "zod";
import { parseQuantity } from "./quantity.js";

/**
 * Shapes of the objects Capstan runs, in Kubernetes' field names. Objects are strict: a field
 * Capstan does not support is reported by name instead of being dropped.
 */

const int = z.number().int();
const nonNegInt = int.min(0);
const intOrString = z.union([int, z.string()]);
const stringMap = z.record(z.string());
const quantity = z.union([z.string(), z.number()]).refine((v) => parseQuantity(v) !== undefined, {
  message: "is not a Kubernetes quantity (such as 500m, 0.5, 128Mi, 1Gi)",
});

export const metadataSchema = z
  .object({
    name: z.string(),
    namespace: z.string().optional(),
    labels: stringMap.optional(),
    annotations: stringMap.optional(),
  })
  .strict();

const templateMetadata = z
  .object({ name: z.string().optional(), labels: stringMap.optional(), annotations: stringMap.optional() })
  .strict();

export const labelSelectorSchema = z
  .object({
    matchLabels: stringMap.optional(),
    matchExpressions: z
      .array(
        z
          .object({
            key: z.string(),
            operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
            values: z.array(z.string()).optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

const keyRef = z.object({ name: z.string(), key: z.string(), optional: z.boolean().optional() }).strict();

const envVar = z
  .object({
    name: z.string(),
    value: z.string().optional(),
    valueFrom: z
      .object({
        configMapKeyRef: keyRef.optional(),
        secretKeyRef: keyRef.optional(),
        fieldRef: z.object({ fieldPath: z.string(), apiVersion: z.string().optional() }).strict().optional(),
        resourceFieldRef: z
          .object({ resource: z.string(), containerName: z.string().optional(), divisor: quantity.optional() })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const envFrom = z
  .object({
    prefix: z.string().optional(),
    configMapRef: z.object({ name: z.string(), optional: z.boolean().optional() }).strict().optional(),
    secretRef: z.object({ name: z.string(), optional: z.boolean().optional() }).strict().optional(),
  })
  .strict();

const protocol = z.enum(["TCP", "UDP", "SCTP"]);

const containerPort = z
  .object({
    name: z.string().optional(),
    containerPort: int.min(1).max(65535),
    protocol: protocol.optional(),
    hostPort: int.min(1).max(65535).optional(),
    hostIP: z.string().optional(),
  })
  .strict();

const resourceList = z
  .object({ cpu: quantity.optional(), memory: quantity.optional(), "ephemeral-storage": quantity.optional() })
  .strict();

const resources = z.object({ requests: resourceList.optional(), limits: resourceList.optional() }).strict();

const httpGet = z
  .object({
    path: z.string().optional(),
    port: intOrString,
    host: z.string().optional(),
    scheme: z.enum(["HTTP", "HTTPS"]).optional(),
    httpHeaders: z.array(z.object({ name: z.string(), value: z.string() }).strict()).optional(),
  })
  .strict();
const tcpSocket = z.object({ port: intOrString, host: z.string().optional() }).strict();
const execAction = z.object({ command: z.array(z.string()) }).strict();

export const probeSchema = z
  .object({
    httpGet: httpGet.optional(),
    tcpSocket: tcpSocket.optional(),
    exec: execAction.optional(),
    initialDelaySeconds: nonNegInt.optional(),
    periodSeconds: int.min(1).optional(),
    timeoutSeconds: int.min(1).optional(),
    successThreshold: int.min(1).optional(),
    failureThreshold: int.min(1).optional(),
    terminationGracePeriodSeconds: nonNegInt.optional(),
  })
  .strict();

const lifecycleHandler = z
  .object({
    exec: execAction.optional(),
    httpGet: httpGet.optional(),
    tcpSocket: tcpSocket.optional(),
    sleep: z.object({ seconds: nonNegInt }).strict().optional(),
  })
  .strict();

const securityContext = z
  .object({
    privileged: z.boolean().optional(),
    capabilities: z.object({ add: z.array(z.string()).optional(), drop: z.array(z.string()).optional() }).strict().optional(),
    runAsUser: nonNegInt.optional(),
    runAsGroup: nonNegInt.optional(),
    runAsNonRoot: z.boolean().optional(),
    readOnlyRootFilesystem: z.boolean().optional(),
    allowPrivilegeEscalation: z.boolean().optional(),
  })
  .strict();

const podSecurityContext = z
  .object({
    runAsUser: nonNegInt.optional(),
    runAsGroup: nonNegInt.optional(),
    runAsNonRoot: z.boolean().optional(),
    fsGroup: nonNegInt.optional(),
    supplementalGroups: z.array(nonNegInt).optional(),
  })
  .strict();

/**
 * Kubernetes' rule for subPath and subPathExpr: a relative path with no `..` element, so a mount
 * can only ever name something inside its volume. The mount itself is checked again on the host,
 * symlinks resolved, before a container is made (controllers/pods/config-files.ts).
 */
export function subPathProblem(p: string): string | undefined {
  if (p.startsWith("/")) return "must be a relative path";
  if (p.split(/[/\\]/).includes("..")) return "must not contain '..'";
  if (p.includes("\0")) return "must not contain a NUL character";
  return undefined;
}

const subPath = z.string().superRefine((p, ctx) => {
  const why = subPathProblem(p);
  if (why) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${JSON.stringify(p)} ${why}: a subPath stays inside its volume` });
});

const volumeMount = z
  .object({
    name: z.string(),
    mountPath: z.string(),
    readOnly: z.boolean().optional(),
    subPath: subPath.optional(),
    /** Like subPath, with `$(VAR)` taken from the container's environment. */
    subPathExpr: subPath.optional(),
  })
  .strict()
  .refine((m) => m.subPath === undefined || m.subPathExpr === undefined, { message: "subPath and subPathExpr are mutually exclusive", path: ["subPathExpr"] });

export const containerSchema = z
  .object({
    name: z.string(),
    image: z.string(),
    imagePullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).optional(),
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).optional(),
    workingDir: z.string().optional(),
    env: z.array(envVar).optional(),
    envFrom: z.array(envFrom).optional(),
    ports: z.array(containerPort).optional(),
    resources: resources.optional(),
    livenessProbe: probeSchema.optional(),
    readinessProbe: probeSchema.optional(),
    startupProbe: probeSchema.optional(),
    volumeMounts: z.array(volumeMount).optional(),
    securityContext: securityContext.optional(),
    lifecycle: z.object({ postStart: lifecycleHandler.optional(), preStop: lifecycleHandler.optional() }).strict().optional(),
    stdin: z.boolean().optional(),
    tty: z.boolean().optional(),
  })
  .strict();

const keyToPath = z.object({ key: z.string(), path: z.string(), mode: int.optional() }).strict();

export const volumeSchema = z
  .object({
    name: z.string(),
    configMap: z
      .object({ name: z.string(), items: z.array(keyToPath).optional(), defaultMode: int.optional(), optional: z.boolean().optional() })
      .strict()
      .optional(),
    secret: z
      .object({
        secretName: z.string(),
        items: z.array(keyToPath).optional(),
        defaultMode: int.optional(),
        optional: z.boolean().optional(),
      })
      .strict()
      .optional(),
    persistentVolumeClaim: z.object({ claimName: z.string(), readOnly: z.boolean().optional() }).strict().optional(),
    emptyDir: z.object({ medium: z.enum(["", "Memory"]).optional(), sizeLimit: quantity.optional() }).strict().optional(),
    hostPath: z
      .object({
        path: z.string(),
        type: z
          .enum(["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"])
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const toleration = z
  .object({
    key: z.string().optional(),
    operator: z.enum(["Exists", "Equal"]).optional(),
    value: z.string().optional(),
    effect: z.enum(["", "NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
    tolerationSeconds: int.optional(),
  })
  .strict();

const topologySpreadConstraint = z
  .object({
    maxSkew: int.min(1),
    topologyKey: z.string(),
    whenUnsatisfiable: z.enum(["DoNotSchedule", "ScheduleAnyway"]),
    labelSelector: labelSelectorSchema.optional(),
    minDomains: int.min(1).optional(),
    matchLabelKeys: z.array(z.string()).optional(),
    nodeAffinityPolicy: z.enum(["Honor", "Ignore"]).optional(),
    nodeTaintsPolicy: z.enum(["Honor", "Ignore"]).optional(),
  })
  .strict();

const nodeSelectorTerm = z
  .object({
    matchExpressions: z
      .array(
        z
          .object({
            key: z.string(),
            operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]),
            values: z.array(z.string()).optional(),
          })
          .strict(),
      )
      .optional(),
    matchFields: z.array(z.object({ key: z.string(), operator: z.string(), values: z.array(z.string()).optional() }).strict()).optional(),
  })
  .strict();

const podAffinityTerm = z
  .object({
    labelSelector: labelSelectorSchema.optional(),
    topologyKey: z.string(),
    namespaces: z.array(z.string()).optional(),
    namespaceSelector: labelSelectorSchema.optional(),
  })
  .strict();

const weighted = <T extends z.ZodTypeAny>(term: T, key: string) =>
  z.object({ weight: int.min(1).max(100), [key]: term }).strict();

const podAffinity = z
  .object({
    requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTerm).optional(),
    preferredDuringSchedulingIgnoredDuringExecution: z.array(weighted(podAffinityTerm, "podAffinityTerm")).optional(),
  })
  .strict();

export const affinitySchema = z
  .object({
    nodeAffinity: z
      .object({
        requiredDuringSchedulingIgnoredDuringExecution: z.object({ nodeSelectorTerms: z.array(nodeSelectorTerm) }).strict().optional(),
        preferredDuringSchedulingIgnoredDuringExecution: z.array(weighted(nodeSelectorTerm, "preference")).optional(),
      })
      .strict()
      .optional(),
    podAffinity: podAffinity.optional(),
    podAntiAffinity: podAffinity.optional(),
  })
  .strict();

/** Fields Kubernetes has that mean nothing on Docker: accepted, and reported as a warning. */
export const IGNORED_POD_FIELDS = [
  "serviceAccountName",
  "serviceAccount",
  "automountServiceAccountToken",
  "dnsPolicy",
  "priorityClassName",
  "schedulerName",
  "enableServiceLinks",
  "imagePullSecrets",
] as const;

export const podSpecSchema = z
  .object({
    containers: z.array(containerSchema).min(1, "needs at least one container"),
    initContainers: z.array(containerSchema).optional(),
    volumes: z.array(volumeSchema).optional(),
    nodeSelector: stringMap.optional(),
    affinity: affinitySchema.optional(),
    tolerations: z.array(toleration).optional(),
    topologySpreadConstraints: z.array(topologySpreadConstraint).optional(),
    restartPolicy: z.enum(["Always", "OnFailure", "Never"]).optional(),
    terminationGracePeriodSeconds: nonNegInt.optional(),
    activeDeadlineSeconds: int.min(1).optional(),
    hostNetwork: z.boolean().optional(),
    hostPID: z.boolean().optional(),
    hostIPC: z.boolean().optional(),
    hostname: z.string().optional(),
    subdomain: z.string().optional(),
    securityContext: podSecurityContext.optional(),
    serviceAccountName: z.string().optional(),
    serviceAccount: z.string().optional(),
    automountServiceAccountToken: z.boolean().optional(),
    dnsPolicy: z.string().optional(),
    priorityClassName: z.string().optional(),
    schedulerName: z.string().optional(),
    enableServiceLinks: z.boolean().optional(),
    imagePullSecrets: z.array(z.object({ name: z.string() }).strict()).optional(),
  })
  .strict();

export const podTemplateSchema = z.object({ metadata: templateMetadata.optional(), spec: podSpecSchema }).strict();

const percentOrInt = intOrString;

export const deploymentSpecSchema = z
  .object({
    replicas: nonNegInt.optional(),
    selector: labelSelectorSchema,
    template: podTemplateSchema,
    strategy: z
      .object({
        type: z.enum(["RollingUpdate", "Recreate"]).optional(),
        rollingUpdate: z.object({ maxSurge: percentOrInt.optional(), maxUnavailable: percentOrInt.optional() }).strict().optional(),
      })
      .strict()
      .optional(),
    revisionHistoryLimit: nonNegInt.optional(),
    progressDeadlineSeconds: int.min(1).optional(),
    minReadySeconds: nonNegInt.optional(),
    paused: z.boolean().optional(),
  })
  .strict();

export const pvcSpecSchema = z
  .object({
    accessModes: z.array(z.enum(["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"])).optional(),
    resources: z
      .object({ requests: z.object({ storage: quantity }).strict(), limits: z.object({ storage: quantity }).strict().optional() })
      .strict(),
    storageClassName: z.string().optional(),
    volumeMode: z.enum(["Filesystem", "Block"]).optional(),
    selector: labelSelectorSchema.optional(),
    volumeName: z.string().optional(),
  })
  .strict();

export const statefulSetSpecSchema = z
  .object({
    replicas: nonNegInt.optional(),
    selector: labelSelectorSchema,
    template: podTemplateSchema,
    serviceName: z.string().optional(),
    volumeClaimTemplates: z.array(z.object({ metadata: metadataSchema.omit({ namespace: true }), spec: pvcSpecSchema }).strict()).optional(),
    podManagementPolicy: z.enum(["OrderedReady", "Parallel"]).optional(),
    updateStrategy: z
      .object({
        type: z.enum(["RollingUpdate", "OnDelete"]).optional(),
        rollingUpdate: z.object({ partition: nonNegInt.optional(), maxUnavailable: percentOrInt.optional() }).strict().optional(),
      })
      .strict()
      .optional(),
    revisionHistoryLimit: nonNegInt.optional(),
    minReadySeconds: nonNegInt.optional(),
    persistentVolumeClaimRetentionPolicy: z
      .object({ whenDeleted: z.enum(["Retain", "Delete"]).optional(), whenScaled: z.enum(["Retain", "Delete"]).optional() })
      .strict()
      .optional(),
  })
  .strict();

export const daemonSetSpecSchema = z
  .object({
    selector: labelSelectorSchema,
    template: podTemplateSchema,
    updateStrategy: z
      .object({
        type: z.enum(["RollingUpdate", "OnDelete"]).optional(),
        rollingUpdate: z.object({ maxUnavailable: percentOrInt.optional(), maxSurge: percentOrInt.optional() }).strict().optional(),
      })
      .strict()
      .optional(),
    revisionHistoryLimit: nonNegInt.optional(),
    minReadySeconds: nonNegInt.optional(),
  })
  .strict();

export const jobSpecSchema = z
  .object({
    template: podTemplateSchema,
    backoffLimit: nonNegInt.optional(),
    completions: nonNegInt.optional(),
    parallelism: nonNegInt.optional(),
    activeDeadlineSeconds: int.min(1).optional(),
    ttlSecondsAfterFinished: nonNegInt.optional(),
    completionMode: z.enum(["NonIndexed", "Indexed"]).optional(),
    suspend: z.boolean().optional(),
    selector: labelSelectorSchema.optional(),
    manualSelector: z.boolean().optional(),
  })
  .strict();

export const cronJobSpecSchema = z
  .object({
    schedule: z.string(),
    timeZone: z.string().optional(),
    concurrencyPolicy: z.enum(["Allow", "Forbid", "Replace"]).optional(),
    suspend: z.boolean().optional(),
    startingDeadlineSeconds: nonNegInt.optional(),
    successfulJobsHistoryLimit: nonNegInt.optional(),
    failedJobsHistoryLimit: nonNegInt.optional(),
    jobTemplate: z.object({ metadata: templateMetadata.optional(), spec: jobSpecSchema }).strict(),
  })
  .strict();

export const serviceSpecSchema = z
  .object({
    type: z.enum(["ClusterIP", "NodePort", "LoadBalancer"]).optional(),
    selector: stringMap.optional(),
    ports: z
      .array(
        z
          .object({
            name: z.string().optional(),
            port: int.min(1).max(65535),
            targetPort: intOrString.optional(),
            protocol: protocol.optional(),
            nodePort: int.min(1).max(65535).optional(),
            appProtocol: z.string().optional(),
          })
          .strict(),
      )
      .optional(),
    clusterIP: z.string().optional(),
    sessionAffinity: z.enum(["None", "ClientIP"]).optional(),
    externalTrafficPolicy: z.enum(["Cluster", "Local"]).optional(),
    internalTrafficPolicy: z.enum(["Cluster", "Local"]).optional(),
    publishNotReadyAddresses: z.boolean().optional(),
  })
  .strict();

const base = <K extends string, A extends string>(apiVersion: A, kind: K) => ({
  apiVersion: z.literal(apiVersion),
  kind: z.literal(kind),
  metadata: metadataSchema,
});

export const deploymentSchema = z.object({ ...base("apps/v1", "Deployment"), spec: deploymentSpecSchema }).strict();
export const statefulSetSchema = z.object({ ...base("apps/v1", "StatefulSet"), spec: statefulSetSpecSchema }).strict();
export const daemonSetSchema = z.object({ ...base("apps/v1", "DaemonSet"), spec: daemonSetSpecSchema }).strict();
export const jobSchema = z.object({ ...base("batch/v1", "Job"), spec: jobSpecSchema }).strict();
export const cronJobSchema = z.object({ ...base("batch/v1", "CronJob"), spec: cronJobSpecSchema }).strict();
export const serviceSchema = z.object({ ...base("v1", "Service"), spec: serviceSpecSchema }).strict();
export const configMapSchema = z
  .object({ ...base("v1", "ConfigMap"), data: stringMap.optional(), binaryData: stringMap.optional(), immutable: z.boolean().optional() })
  .strict();
export const secretSchema = z
  .object({
    ...base("v1", "Secret"),
    type: z.string().optional(),
    data: stringMap.optional(),
    stringData: stringMap.optional(),
    immutable: z.boolean().optional(),
  })
  .strict();
export const persistentVolumeClaimSchema = z.object({ ...base("v1", "PersistentVolumeClaim"), spec: pvcSpecSchema }).strict();

export type SupportedKind =
  | "Deployment"
  | "StatefulSet"
  | "DaemonSet"
  | "Job"
  | "CronJob"
  | "Service"
  | "ConfigMap"
  | "Secret"
  | "PersistentVolumeClaim";

/** The kinds Capstan runs, with the apiVersion each must use. */
export const KIND_SCHEMAS: Record<SupportedKind, { apiVersion: string; schema: z.ZodTypeAny }> = {
  Deployment: { apiVersion: "apps/v1", schema: deploymentSchema },
  StatefulSet: { apiVersion: "apps/v1", schema: statefulSetSchema },
  DaemonSet: { apiVersion: "apps/v1", schema: daemonSetSchema },
  Job: { apiVersion: "batch/v1", schema: jobSchema },
  CronJob: { apiVersion: "batch/v1", schema: cronJobSchema },
  Service: { apiVersion: "v1", schema: serviceSchema },
  ConfigMap: { apiVersion: "v1", schema: configMapSchema },
  Secret: { apiVersion: "v1", schema: secretSchema },
  PersistentVolumeClaim: { apiVersion: "v1", schema: persistentVolumeClaimSchema },
};
export const SUPPORTED_KINDS = Object.keys(KIND_SCHEMAS) as SupportedKind[];

export type Deployment = z.infer<typeof deploymentSchema>;
export type StatefulSet = z.infer<typeof statefulSetSchema>;
export type DaemonSet = z.infer<typeof daemonSetSchema>;
export type Job = z.infer<typeof jobSchema>;
export type CronJob = z.infer<typeof cronJobSchema>;
export type Service = z.infer<typeof serviceSchema>;
export type ConfigMap = z.infer<typeof configMapSchema>;
export type Secret = z.infer<typeof secretSchema>;
export type PersistentVolumeClaim = z.infer<typeof persistentVolumeClaimSchema>;
export type PodTemplate = z.infer<typeof podTemplateSchema>;
export type PodSpec = z.infer<typeof podSpecSchema>;
export type Container = z.infer<typeof containerSchema>;
export type Probe = z.infer<typeof probeSchema>;
export type Volume = z.infer<typeof volumeSchema>;
export type LabelSelector = z.infer<typeof labelSelectorSchema>;
export type ObjectMeta = z.infer<typeof metadataSchema>;

/** A validated object: plain typed data. */
export type ManifestObject = Deployment | StatefulSet | DaemonSet | Job | CronJob | Service | ConfigMap | Secret | PersistentVolumeClaim;
