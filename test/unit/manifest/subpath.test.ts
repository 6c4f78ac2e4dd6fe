import { describe, expect, test } from "vitest";
import { formatProblem } from "../../../src/errors.js";
import { parseManifests } from "../../../src/manifest/index.js";

const withMount = (mount: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: capstan-demo/web:v1
          volumeMounts:
            - name: conf
              mountPath: /etc/app
${mount}
      volumes:
        - name: conf
          configMap: { name: conf }
`;

function errorsOf(mount: string): string[] {
  const r = parseManifests([{ source: "web/templates/deployment.yaml", file: "charts/web/templates/deployment.yaml", text: withMount(mount) }], { defaultNamespace: "prod" });
  return r.ok ? [] : r.errors.map(formatProblem);
}

describe("volumeMounts subPath", () => {
  test.each([
    ["../../../..", "must not contain '..'"],
    ["a/../../etc", "must not contain '..'"],
    ["/etc/shadow", "must be a relative path"],
  ])("refuses subPath %s at render time, naming the file, line and field", (subPath, why) => {
    expect(errorsOf(`              subPath: "${subPath}"`)).toEqual([
      `charts/web/templates/deployment.yaml:18:24: spec.template.spec.containers[0].volumeMounts[0].subPath: "${subPath}" ${why}: a subPath stays inside its volume`,
    ]);
  });

  test("refuses subPathExpr with '..' the same way", () => {
    expect(errorsOf(`              subPathExpr: "$(POD)/../.."`)).toEqual([
      `charts/web/templates/deployment.yaml:18:28: spec.template.spec.containers[0].volumeMounts[0].subPathExpr: "$(POD)/../.." must not contain '..': a subPath stays inside its volume`,
    ]);
  });

  test("refuses subPath and subPathExpr together", () => {
    expect(errorsOf(`              subPath: a\n              subPathExpr: b`).join("\n")).toContain("subPath and subPathExpr are mutually exclusive");
  });

  test("accepts a key inside the volume, and names that merely contain dots", () => {
    expect(errorsOf(`              subPath: app.conf`)).toEqual([]);
    expect(errorsOf(`              subPath: "conf/..data/x"`)).toEqual([]);
  });
});
