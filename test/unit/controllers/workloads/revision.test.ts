import { describe, expect, it } from "vitest";
import { configContent, workloadRevision } from "../../../../src/controllers/apply/plan.js";
import { freePodNames, podName, podTemplateHash } from "../../../../src/controllers/workloads/revision.js";
import type { Deployment } from "../../../../src/manifest/index.js";
import { configMap, deployment, secret } from "../apply/helpers.js";

describe("a Deployment's revision", () => {
  it("changes when a ConfigMap it reads changes, and not when one it does not read changes", () => {
    const d = deployment("web", { envFrom: "web-config" });
    const before = workloadRevision(d, [d, configMap("web-config", { GREETING: "hello" }), configMap("other", { A: "1" })], "default");
    const after = workloadRevision(d, [d, configMap("web-config", { GREETING: "hi" }), configMap("other", { A: "1" })], "default");
    const unrelated = workloadRevision(d, [d, configMap("web-config", { GREETING: "hello" }), configMap("other", { A: "2" })], "default");
    expect(after).not.toBe(before);
    expect(unrelated).toBe(before);
  });

  it("changes when a referenced Secret's value changes", () => {
    const d = deployment("web", { container: { env: [{ name: "TOKEN", valueFrom: { secretKeyRef: { name: "creds", key: "token" } } }] } });
    const a = workloadRevision(d, [d, secret("creds", { token: "one" })], "default");
    const b = workloadRevision(d, [d, secret("creds", { token: "two" })], "default");
    expect(a).not.toBe(b);
  });

  it("does not depend on replicas, and is ten characters of the safe alphabet", () => {
    const a = deployment("web", { replicas: 1 }) as Deployment;
    const b = deployment("web", { replicas: 5 }) as Deployment;
    const h = podTemplateHash(a.spec.template, configContent([], "default", "default"));
    expect(h).toBe(podTemplateHash(b.spec.template));
    expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  });

  it("an image change gives a new revision", () => {
    const a = deployment("web") as Deployment;
    const b = deployment("web", { image: "capstan-demo/web:v2" }) as Deployment;
    expect(podTemplateHash(a.spec.template)).not.toBe(podTemplateHash(b.spec.template));
  });
});

describe("pod names", () => {
  it("are <deployment>-<revision>-<5 characters> and the same for the same ordinal", () => {
    expect(podName("web", "abc", 0)).toMatch(/^web-abc-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(podName("web", "abc", 0)).toBe(podName("web", "abc", 0));
    expect(podName("web", "abc", 1)).not.toBe(podName("web", "abc", 0));
  });

  it("a repeated create picks the names not yet taken, so it makes no duplicates", () => {
    const first = freePodNames("web", "abc", [], 2);
    const again = freePodNames("web", "abc", first, 2);
    expect(new Set([...first, ...again]).size).toBe(4);
    expect(freePodNames("web", "abc", [], 2)).toEqual(first);
  });
});
