import { describe, expect, test } from "vitest";
import { parseManifests, normalize, manifestKey } from "../../../src/manifest/index.js";
import type { Deployment, ManifestObject } from "../../../src/manifest/index.js";
import { formatProblem } from "../../../src/errors.js";

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: capstan-demo/web:v1
          ports:
            - containerPort: 8080
              name: http
`;

function parseOne(text: string, source = "web/templates/x.yaml") {
  return parseManifests([{ source, text, file: `charts/${source}` }], { defaultNamespace: "prod" });
}

function errorsOf(text: string): string[] {
  const r = parseOne(text);
  if (r.ok) throw new Error("expected problems");
  return r.errors.map(formatProblem);
}

describe("parseManifests", () => {
  test("turns a Deployment into a typed object with its stable key", () => {
    const r = parseOne(deployment);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const obj = r.value[0] as Deployment;
    expect(obj.kind).toBe("Deployment");
    expect(manifestKey(obj)).toBe("prod/Deployment/web");
    expect(obj.spec.template.spec.containers[0]?.image).toBe("capstan-demo/web:v1");
  });

  test("names an unknown kind and lists the supported ones", () => {
    const errors = errorsOf("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n");
    expect(errors).toEqual([
      'charts/web/templates/x.yaml:2:7: kind: kind "Ingress" is not supported by Capstan (supported kinds: Deployment, StatefulSet, DaemonSet, Job, CronJob, Service, ConfigMap, Secret, PersistentVolumeClaim)',
    ]);
  });

  test("asks for the right apiVersion of a supported kind", () => {
    const errors = errorsOf("apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: web\n");
    expect(errors).toEqual(['charts/web/templates/x.yaml:1:13: apiVersion: Deployment must use apiVersion apps/v1 (found "extensions/v1beta1")']);
  });

  test("reports every problem of a document at once, each with its line and field", () => {
    const text = deployment
      .replace("          image: capstan-demo/web:v1\n", "")
      .replace("      containers:", "      hostAliases: []\n      containers:")
      .replace("              name: http", "              name: http\n              containerPort2: 1")
      .replace("  selector:", "  replicas: two\n  selector:");
    expect(errorsOf(text)).toEqual([
      "charts/web/templates/x.yaml:8:13: spec.replicas: must be a number (found a string)",
      'charts/web/templates/x.yaml:17:7: spec.template.spec.hostAliases: unsupported field "hostAliases": Capstan does not run it; remove it (supported fields are listed in the docs)',
      "charts/web/templates/x.yaml:19:11: spec.template.spec.containers[0].image: is required",
      'charts/web/templates/x.yaml:23:15: spec.template.spec.containers[0].ports[0].containerPort2: unsupported field "containerPort2": Capstan does not run it; remove it (supported fields are listed in the docs)',
    ]);
  });

  test("rejects a grpc probe and says which probes work", () => {
    const text = deployment.replace(
      "          ports:",
      "          livenessProbe:\n            grpc:\n              port: 9000\n          ports:",
    );
    expect(errorsOf(text)).toEqual([
      "charts/web/templates/x.yaml:20:13: spec.template.spec.containers[0].livenessProbe.grpc: grpc probes are not supported; use httpGet, tcpSocket or exec",
      "charts/web/templates/x.yaml:20:13: spec.template.spec.containers[0].livenessProbe: needs exactly one of httpGet, tcpSocket or exec",
    ].slice(0, 1));
  });

  test("refuses a selector that does not match the pod template labels", () => {
    const errors = errorsOf(deployment.replace("      labels:\n        app: web\n    spec:", "      labels:\n        app: other\n    spec:"));
    expect(errors).toEqual([
      "charts/web/templates/x.yaml:14:9: spec.template.metadata.labels: do not match spec.selector: the pod template's labels must satisfy the selector",
    ]);
  });

  test("refuses invalid names per kind", () => {
    const svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: 1web\nspec:\n  ports:\n    - port: 80\n";
    expect(errorsOf(svc)).toEqual([
      'charts/web/templates/x.yaml:4:9: metadata.name: "1web" is not a valid DNS-1035 label: lower case letters, digits and \'-\', starting with a letter and ending with a letter or digit',
    ]);
    const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Web_Config\n";
    expect(errorsOf(cm)[0]).toContain('metadata.name: "Web_Config" is not a valid DNS-1123 subdomain');
  });

  test("reports the same object defined twice", () => {
    const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: b\n";
    const r = parseManifests(
      [
        { source: "web/templates/a.yaml", text: cm },
        { source: "web/templates/b.yaml", text: cm },
      ],
      { defaultNamespace: "prod" },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map(formatProblem)).toEqual([
      "web/templates/b.yaml:4:9: metadata.name: duplicate object prod/ConfigMap/web (also defined in web/templates/a.yaml); names must be unique per kind and namespace",
    ]);
  });

  test("a ConfigMap value must be a string", () => {
    expect(errorsOf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  port: 8080\n")).toEqual([
      "charts/web/templates/x.yaml:6:9: data.port: must be a string (found a number)",
    ]);
  });

  test("a Job needs a restart policy of OnFailure or Never", () => {
    const job = `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: once\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: busybox:1\n`;
    expect(errorsOf(job)).toEqual(["charts/web/templates/x.yaml:8:7: spec.template.spec.restartPolicy: is required for a Job: set OnFailure or Never"]);
  });

  test("a CronJob schedule must be a cron line", () => {
    const cron = `apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n  schedule: "every night"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers:\n            - name: c\n              image: busybox:1\n`;
    expect(errorsOf(cron)).toEqual([
      'charts/web/templates/x.yaml:6:13: spec.schedule: "every night": expected five fields (minute hour day-of-month month day-of-week), or a macro such as @daily; found 2',
    ]);
  });

  test("a volume mount must name a defined volume", () => {
    const text = deployment.replace("          ports:", "          volumeMounts:\n            - name: data\n              mountPath: /data\n          ports:");
    expect(errorsOf(text)).toEqual([
      'charts/web/templates/x.yaml:20:21: spec.template.spec.containers[0].volumeMounts[0].name: mounts volume "data" which is not defined in spec.template.spec.volumes',
    ]);
  });

  test("hostPath volumes are parsed so policy can refuse them", () => {
    const text = deployment.replace("      containers:", "      volumes:\n        - name: sock\n          hostPath:\n            path: /var/run/docker.sock\n      containers:");
    const r = parseOne(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect((r.value[0] as Deployment).spec.template.spec.volumes?.[0]?.hostPath?.path).toBe("/var/run/docker.sock");
  });

  test("fields without effect on Docker are accepted with a warning", () => {
    const r = parseOne(deployment.replace("      containers:", "      serviceAccountName: web\n      containers:"));
    expect(r.ok).toBe(true);
    expect(r.warnings.map(formatProblem)).toEqual([
      "warning: charts/web/templates/x.yaml:16:7: spec.template.spec.serviceAccountName: has no effect on Docker and is ignored",
    ]);
  });

  test("line numbers count from where the document starts in the rendered file", () => {
    const r = parseManifests([{ source: "web/templates/x.yaml", text: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n", line: 10 }], {
      defaultNamespace: "prod",
    });
    expect(r.ok ? [] : r.errors.map((e) => e.line)).toEqual([11]);
  });
});

describe("Kubernetes defaults", () => {
  function parsed(text: string): ManifestObject {
    const r = parseOne(text);
    if (!r.ok) throw new Error(r.errors.map(formatProblem).join("\n"));
    return r.value[0] as ManifestObject;
  }

  test("a Deployment gets replicas, strategy, history, deadline and pod defaults", () => {
    const d = parsed(deployment) as Deployment;
    expect(d.metadata.namespace).toBe("prod");
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } });
    expect(d.spec.revisionHistoryLimit).toBe(10);
    expect(d.spec.progressDeadlineSeconds).toBe(600);
    expect(d.spec.minReadySeconds).toBe(0);
    const pod = d.spec.template.spec;
    expect(pod.restartPolicy).toBe("Always");
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(pod.containers[0]?.imagePullPolicy).toBe("IfNotPresent");
    expect(pod.containers[0]?.ports?.[0]?.protocol).toBe("TCP");
  });

  test.each([
    ["capstan-demo/web", "Always"],
    ["capstan-demo/web:latest", "Always"],
    ["localhost:5000/web", "Always"],
    ["localhost:5000/web:v1", "IfNotPresent"],
    ["web@sha256:abcd", "IfNotPresent"],
  ])("image %s defaults imagePullPolicy to %s", (image, policy) => {
    const d = parsed(deployment.replace("capstan-demo/web:v1", image)) as Deployment;
    expect(d.spec.template.spec.containers[0]?.imagePullPolicy).toBe(policy);
  });

  test("probes get Kubernetes' timing defaults", () => {
    const d = parsed(deployment.replace("          ports:", "          readinessProbe:\n            httpGet:\n              path: /healthz\n              port: http\n          ports:")) as Deployment;
    expect(d.spec.template.spec.containers[0]?.readinessProbe).toEqual({
      httpGet: { path: "/healthz", port: "http", scheme: "HTTP" },
      initialDelaySeconds: 0,
      periodSeconds: 10,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    });
  });

  test("a Service gets type ClusterIP, protocol TCP and targetPort = port", () => {
    const s = parsed("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n    - port: 80\n");
    expect(s).toMatchObject({ spec: { type: "ClusterIP", ports: [{ port: 80, protocol: "TCP", targetPort: 80 }] } });
  });

  test("Job, CronJob, StatefulSet and DaemonSet get their controller defaults", () => {
    const pod = "      template:\n        spec:\n          restartPolicy: Never\n          containers:\n            - name: c\n              image: busybox:1\n";
    const job = parsed(`apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n${pod.replace(/^ {4}/gm, "")}`);
    expect(job).toMatchObject({ spec: { backoffLimit: 6, completions: 1, parallelism: 1 } });
    const cron = parsed(`apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  schedule: "0 3 * * *"\n  jobTemplate:\n    spec:\n${pod}`);
    expect(cron).toMatchObject({
      spec: { concurrencyPolicy: "Allow", successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, suspend: false, jobTemplate: { spec: { backoffLimit: 6 } } },
    });
    const podSet = "  selector:\n    matchLabels:\n      app: a\n  template:\n    metadata:\n      labels:\n        app: a\n    spec:\n      containers:\n        - name: c\n          image: busybox:1\n";
    const sts = parsed(`apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: s\nspec:\n${podSet}`);
    expect(sts).toMatchObject({ spec: { replicas: 1, podManagementPolicy: "OrderedReady", updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } } } });
    const ds = parsed(`apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: d\nspec:\n${podSet}`);
    expect(ds).toMatchObject({ spec: { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } } } });
  });

  test("writing a default explicitly, or a quantity another way, normalizes to the same object", () => {
    const plain = parsed(deployment.replace("          ports:", "          resources:\n            limits:\n              memory: 1024Mi\n              cpu: 0.5\n          ports:"));
    const explicit = parsed(
      deployment
        .replace("  selector:", "  replicas: 1\n  revisionHistoryLimit: 10\n  selector:")
        .replace("          ports:", "          imagePullPolicy: IfNotPresent\n          resources:\n            requests:\n              memory: 1Gi\n              cpu: 500m\n            limits:\n              memory: 1Gi\n              cpu: 500m\n          ports:")
        .replace("              name: http", "              name: http\n              protocol: TCP"),
    );
    expect(normalize(explicit)).toEqual(normalize(plain));
  });

  test("a Secret's stringData is folded into base64 data", () => {
    const s = parsed("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: hunter2\n");
    expect(s).toMatchObject({ type: "Opaque", data: { password: Buffer.from("hunter2").toString("base64") } });
    expect("stringData" in s).toBe(false);
  });
});

describe("validating the same document again", () => {
  test("gives an equal object that the caller may change without affecting the next result", () => {
    const first = parseOne(deployment);
    const second = parseOne(deployment);
    if (!first.ok || !second.ok) throw new Error("expected valid");
    expect(second.value).toEqual(first.value);
    (first.value[0] as Deployment).spec.replicas = 9;
    const third = parseOne(deployment);
    if (!third.ok) throw new Error("expected valid");
    expect((third.value[0] as Deployment).spec.replicas).toBe(1);
  });

  test("still reports duplicates across documents seen before", () => {
    const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: again\n";
    parseManifests([{ source: "a.yaml", text: cm }], { defaultNamespace: "prod" });
    const r = parseManifests([{ source: "a.yaml", text: cm }, { source: "a.yaml", text: cm }], { defaultNamespace: "prod" });
    expect(r.ok ? [] : r.errors.map(formatProblem)).toEqual([
      "a.yaml:4:9: metadata.name: duplicate object prod/ConfigMap/again (also defined in a.yaml); names must be unique per kind and namespace",
    ]);
  });
});
