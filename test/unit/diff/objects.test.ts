import { describe, expect, it } from "vitest";
import { apply } from "json-merge-patch";
import { diffObjects } from "../../../src/diff/objects.js";
import type { DiffObject } from "../../../src/diff/types.js";
import { secretHash } from "../../../src/diff/redact.js";

function obj(kind: string, name: string, body: Record<string, unknown>, namespace = "prod"): DiffObject {
  return {
    key: `${namespace}/${kind}/${name}`,
    kind,
    name,
    namespace,
    object: { apiVersion: kind === "Deployment" ? "apps/v1" : "v1", kind, metadata: { name, namespace }, ...body },
  };
}

function deployment(image: string, replicas = 3): DiffObject {
  return obj("Deployment", "web", {
    spec: { replicas, template: { spec: { containers: [{ name: "web", image, ports: [{ containerPort: 8080 }] }] } } },
  });
}

describe("diffing objects", () => {
  it("pairs objects by key into added, removed, changed and unchanged", () => {
    const cm = obj("ConfigMap", "settings", { data: { a: "1" } });
    const result = diffObjects(
      [deployment("capstan-demo/web:v1"), cm, obj("Service", "old", { spec: {} })],
      [deployment("capstan-demo/web:v2"), cm, obj("Service", "web", { spec: { ports: [{ port: 80 }] } })],
    );
    expect(result.added.map((o) => o.key)).toEqual(["prod/Service/web"]);
    expect(result.removed.map((o) => o.key)).toEqual(["prod/Service/old"]);
    expect(result.unchanged).toEqual(["prod/ConfigMap/settings"]);
    expect(result.changed.map((c) => c.key)).toEqual(["prod/Deployment/web"]);
    expect(result.changed[0]?.fields).toEqual([
      { path: "spec.template.spec.containers[0].image", from: "capstan-demo/web:v1", to: "capstan-demo/web:v2" },
    ]);
  });

  it("ignores key order, pairs named list items by name and reports additions and removals", () => {
    const a = obj("Deployment", "api", {
      spec: { template: { spec: { containers: [{ name: "api", env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] }] } } },
    });
    const b = obj("Deployment", "api", {
      spec: { template: { spec: { containers: [{ env: [{ name: "B", value: "2" }, { name: "C", value: "3" }], name: "api" }] } } },
    });
    const fields = diffObjects([a], [b]).changed[0]?.fields;
    expect(fields).toEqual([
      { path: "spec.template.spec.containers[0].env[1]", to: { name: "C", value: "3" } },
      { path: "spec.template.spec.containers[0].env[0]", from: { name: "A", value: "1" } },
    ]);
    expect(diffObjects([a], [{ ...a, object: JSON.parse(JSON.stringify(a.object)) }]).unchanged).toEqual([a.key]);
  });

  it("gives an RFC 7396 merge patch that turns the base into the target", () => {
    const base = obj("ConfigMap", "c", { data: { keep: "1", drop: "2", edit: "3" } });
    const target = obj("ConfigMap", "c", { data: { keep: "1", edit: "4", add: "5" } });
    const change = diffObjects([base], [target]).changed[0];
    expect(change?.mergePatch).toEqual({ data: { drop: null, edit: "4", add: "5" } });
    expect(apply(structuredClone(base.object), change?.mergePatch)).toEqual(target.object);
  });

  it("never shows Secret values: changed, added and removed keys read as short hashes", () => {
    const base = obj("Secret", "db", { data: { password: Buffer.from("hunter2").toString("base64"), user: "YWRtaW4=" }, stringData: { token: "abc" } });
    const target = obj("Secret", "db", { data: { password: Buffer.from("correct horse").toString("base64"), user: "YWRtaW4=", extra: "eA==" } });
    const result = diffObjects([base], [target]);
    const text = JSON.stringify(result);
    for (const secret of ["hunter2", "correct horse", Buffer.from("hunter2").toString("base64"), "abc", "YWRtaW4="]) {
      expect(text).not.toContain(secret);
    }
    const hash = (s: string) => secretHash(Buffer.from(s));
    expect(result.changed[0]?.fields).toEqual([
      { path: "data.password", from: `(redacted ${hash("hunter2")})`, to: `(changed ${hash("correct horse")})` },
      { path: "data.extra", to: `(added ${hash("x")})` },
      { path: "stringData", from: { token: `(redacted ${hash("abc")})` } },
    ]);
    expect(hash("hunter2")).toMatch(/^hmac:[0-9a-f]{12}$/);
    const added = diffObjects([], [base]).added[0]?.object as { data: Record<string, string> };
    expect(added.data.user).toBe(`(redacted ${hash("admin")})`);
  });

  it("describes workload impact next to the change", () => {
    const result = diffObjects([deployment("capstan-demo/web:v1")], [deployment("capstan-demo/web:v2")]);
    expect(result.changed[0]?.rollout).toBe("Deployment web: 3 pods will be replaced (image capstan-demo/web:v1 → v2), rolling 1 at a time");
    expect(diffObjects([], [deployment("x:1", 2)]).added[0]?.rollout).toBe("Deployment web: 2 pods will be created");
    expect(diffObjects([deployment("x:1", 2)], []).removed[0]?.rollout).toBe("Deployment web: 2 pods will be deleted");
  });
});
