/**
 * Template engine throughput on a chart shaped like `helm create`'s: helpers with fullname,
 * labels and selector labels; a Deployment with toYaml|nindent, with, range and include;
 * a Service; a ServiceAccount.
 *
 * Run: npx tsx bench/template.bench.ts
 * Prints chart renders per second (all manifests of the chart), parse-once and parse-every-time.
 */
import { cpus, loadavg } from "node:os";
import { GoStruct, TemplateSet } from "../src/template/index.js";
import type { GoValue } from "../src/template/index.js";

const files: Record<string, string> = {
  "web/templates/_helpers.tpl": `{{/*
Chart name, overridable.
*/}}
{{- define "web.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name, at most 63 characters (DNS label).
*/}}
{{- define "web.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "web.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "web.labels" -}}
helm.sh/chart: {{ include "web.chart" . }}
{{ include "web.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "web.selectorLabels" -}}
app.kubernetes.io/name: {{ include "web.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "web.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "web.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}
`,
  "web/templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "web.fullname" . }}
  labels:
    {{- include "web.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "web.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      {{- with .Values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      labels:
        {{- include "web.labels" . | nindent 8 }}
        {{- with .Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      serviceAccountName: {{ include "web.serviceAccountName" . }}
      securityContext:
        {{- toYaml .Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ .Chart.Name }}
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ .Values.service.port }}
              protocol: TCP
          {{- with .Values.env }}
          env:
            {{- range $k, $v := . }}
            - name: {{ $k }}
              value: {{ $v | quote }}
            {{- end }}
          {{- end }}
          livenessProbe:
            {{- toYaml .Values.livenessProbe | nindent 12 }}
          readinessProbe:
            {{- toYaml .Values.readinessProbe | nindent 12 }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          {{- with .Values.volumeMounts }}
          volumeMounts:
            {{- toYaml . | nindent 12 }}
          {{- end }}
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
`,
  "web/templates/service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: {{ include "web.fullname" . }}
  labels:
    {{- include "web.labels" . | nindent 4 }}
spec:
  type: {{ .Values.service.type }}
  ports:
    - port: {{ .Values.service.port }}
      targetPort: http
      protocol: TCP
      name: http
  selector:
    {{- include "web.selectorLabels" . | nindent 4 }}
`,
  "web/templates/serviceaccount.yaml": `{{- if .Values.serviceAccount.create -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "web.serviceAccountName" . }}
  labels:
    {{- include "web.labels" . | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: {{ .Values.serviceAccount.automount }}
{{- end }}
`,
};

class ChartMetadata extends GoStruct {
  constructor(
    readonly Name: string,
    readonly Version: string,
    readonly AppVersion: string,
  ) {
    super("*chart.Metadata");
  }
}

const data: GoValue = {
  Values: {
    replicaCount: 2,
    image: { repository: "demo/web", pullPolicy: "IfNotPresent", tag: "" },
    imagePullSecrets: [],
    nameOverride: "",
    fullnameOverride: "",
    serviceAccount: { create: true, automount: true, annotations: {}, name: "" },
    podAnnotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "8080" },
    podLabels: {},
    podSecurityContext: { fsGroup: 2000 },
    securityContext: { capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1000 },
    service: { type: "ClusterIP", port: 80 },
    env: { LOG_LEVEL: "info", FEATURE_X: "on", WORKERS: "4" },
    livenessProbe: { httpGet: { path: "/", port: "http" } },
    readinessProbe: { httpGet: { path: "/", port: "http" } },
    resources: { limits: { cpu: "100m", memory: "128Mi" }, requests: { cpu: "100m", memory: "128Mi" } },
    autoscaling: { enabled: false, minReplicas: 1, maxReplicas: 100, targetCPUUtilizationPercentage: 80 },
    volumeMounts: [],
    nodeSelector: {},
    tolerations: [],
  },
  Release: { Name: "prod", Namespace: "default", Service: "Helm", IsInstall: true, IsUpgrade: false, Revision: 1 },
  Chart: new ChartMetadata("web", "0.1.0", "1.16.0"),
  Capabilities: {},
  Template: { Name: "", BasePath: "web/templates" },
};

const manifests = Object.keys(files).filter((f) => !f.split("/").pop()?.startsWith("_"));

function parseChart(extraFuncs?: Record<string, (...args: GoValue[]) => GoValue>): TemplateSet {
  const set = new TemplateSet(extraFuncs === undefined ? { funcs: "helm" } : { funcs: "helm", extraFuncs });
  for (const [name, text] of Object.entries(files)) set.parse(name, text);
  return set;
}

function renderChart(set: TemplateSet): number {
  let bytes = 0;
  for (const m of manifests) bytes += set.execute(m, data).length;
  return bytes;
}

/**
 * Renders per second of CPU time (process.cpuUsage), so that other load on a shared machine does not
 * distort the figure; wall-clock time is shown beside it.
 */
function measure(label: string, fn: () => void, seconds = 2): number {
  for (let i = 0; i < 200; i++) fn(); // warm-up
  let n = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let now = start;
  while (now - start < seconds * 1000) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
    now = performance.now();
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const perCpuSec = (n * 1000) / cpuMs;
  const perWallSec = (n * 1000) / (now - start);
  console.log(
    `${label.padEnd(46)} ${Math.round(perCpuSec).toLocaleString("en-US").padStart(8)} renders/s of CPU  (${((cpuMs / n) * 1000).toFixed(1)} µs CPU each; wall ${Math.round(perWallSec).toLocaleString("en-US")}/s)`,
  );
  return perCpuSec;
}

const set = parseChart();
const sample = manifests.map((m) => `# ${m}\n${set.execute(m, data)}`).join("---\n");
if (!sample.includes("app.kubernetes.io/name: web") || !sample.includes("containerPort: 80")) {
  console.error(sample);
  throw new Error("bench chart rendered unexpectedly");
}

console.log(`chart: ${manifests.length} manifests + helpers, ${sample.length} bytes rendered`);
// Figures scale with the machine's idle capacity: show it next to them.
console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}, node ${process.version}`);
const execOnly = measure("chart render, parsed once (execute only)", () => renderChart(set));
measure("chart render, parse + execute", () => renderChart(parseChart()));
measure("parse only (all files)", () => parseChart());
// Where the time goes: the same chart with toYaml replaced by a trivial stand-in (engine + other functions).
const standIn = parseChart({ toYaml: (v: GoValue) => JSON.stringify(v) ?? "" });
measure("execute only, toYaml stand-in (engine share)", () => renderChart(standIn));
console.log(`goal ≥ 5,000 renders/s (execute only): ${execOnly >= 5000 ? "met" : "NOT met"}`);
