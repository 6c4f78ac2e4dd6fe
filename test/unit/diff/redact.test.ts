import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { diffObjects } from "../../../src/diff/objects.js";
import {
  isRedacted,
  processRedactionKey,
  redactionKey,
  redactObject,
  redactSecrets,
  secretHash,
  storedMarker,
} from "../../../src/diff/redact.js";
import type { DiffObject } from "../../../src/diff/types.js";

const installationA = redactionKey(randomBytes(32));
const installationB = redactionKey(randomBytes(32));
const b64 = (s: string) => Buffer.from(s).toString("base64");
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

function secret(body: Record<string, unknown>, name = "db"): DiffObject {
  return { key: `prod/Secret/${name}`, kind: "Secret", name, namespace: "prod", object: { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: "prod" }, ...body } };
}

function markerOf(object: Record<string, unknown>, field: "data" | "stringData", key: string): string {
  return (object[field] as Record<string, string>)[key] as string;
}

describe("Secret redaction markers", () => {
  it("are HMACs: the same value gives the same marker within one installation and different ones across two", () => {
    const a1 = redactObject("Secret", { stringData: { password: "hunter2" } }, installationA);
    const a2 = redactObject("Secret", { data: { password: b64("hunter2") } }, installationA);
    const b = redactObject("Secret", { stringData: { password: "hunter2" } }, installationB);
    expect(markerOf(a1, "stringData", "password")).toMatch(/^\(redacted hmac:[0-9a-f]{12}\)$/);
    // data is decoded first, so the field that holds a value does not change its marker.
    expect(markerOf(a2, "data", "password")).toBe(markerOf(a1, "stringData", "password"));
    expect(markerOf(b, "stringData", "password")).not.toBe(markerOf(a1, "stringData", "password"));
  });

  it("never show a prefix of the value's plain sha256, so a guessed password cannot be confirmed", () => {
    for (const value of ["hunter2", "correct horse battery staple", ""]) {
      for (const key of [installationA, installationB, undefined]) {
        const hex = /hmac:([0-9a-f]{12})/.exec(secretHash(Buffer.from(value), key))?.[1] as string;
        for (const plain of [sha256(value), sha256(b64(value))]) {
          // Old markers showed 8 (diff) or 12 (history) hex digits of the plain sha256.
          for (let n = 8; n <= hex.length; n++) expect(plain.startsWith(hex.slice(0, n))).toBe(false);
          expect(plain).not.toContain(hex);
        }
      }
    }
  });

  it("use a key random per process when none is given, never a plain hash", () => {
    const shown = markerOf(redactObject("Secret", { stringData: { token: "abc" } }), "stringData", "token");
    expect(shown).toBe(`(redacted ${secretHash(Buffer.from("abc"), processRedactionKey())})`);
    expect(shown).not.toContain(sha256("abc").slice(0, 8));
    expect(processRedactionKey().symmetricKeySize).toBe(32);
  });

  it("pass through markers already made, and show a desired-store marker as its short form", () => {
    const once = redactObject("Secret", { data: { password: b64("hunter2") } }, installationA);
    expect(redactObject("Secret", once, installationB)).toEqual(once);
    const stored = storedMarker(Buffer.from("hunter2"), installationA);
    expect(stored).toMatch(/^capstan-redacted:hmac:[0-9a-f]{64}$/);
    expect(redactObject("Secret", { data: { password: stored } }, installationA)).toEqual(once);
    expect(isRedacted(markerOf(once, "data", "password"))).toBe(true);
    expect(isRedacted("(redacted sha256:1234abcd)")).toBe(false);
  });

  it("hide a malformed Secret's data as one value rather than pass it through", () => {
    const out = redactObject("Secret", { stringData: "hunter2", data: ["aHVudGVyMg=="] }, installationA);
    expect(JSON.stringify(out)).not.toContain("hunter2");
    expect(JSON.stringify(out)).not.toContain("aHVudGVyMg==");
  });

  it("reach Secrets at any depth and leave what holds none untouched", () => {
    const deployment = { kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 2 } };
    const list = [deployment, { kind: "List", items: [{ kind: "Secret", metadata: { name: "x" }, stringData: { k: "hunter2" } }] }];
    const out = redactSecrets(list, installationA);
    expect(JSON.stringify(out)).not.toContain("hunter2");
    expect(out[0]).toBe(deployment);
    expect(redactSecrets([deployment], installationA)[0]).toBe(deployment);
  });
});

describe("diffObjects with an installation's redaction key", () => {
  it("shows a changed Secret value as changed, with markers under that key", () => {
    const result = diffObjects([secret({ data: { password: b64("hunter2") } })], [secret({ data: { password: b64("s3cret!") } })], { redactionKey: installationA });
    const hash = (s: string) => secretHash(Buffer.from(s), installationA);
    expect(result.changed[0]?.fields).toEqual([{ path: "data.password", from: `(redacted ${hash("hunter2")})`, to: `(changed ${hash("s3cret!")})` }]);
    expect(JSON.stringify(result)).not.toContain("hunter2");
  });

  it("finds an object kept with markers equal to Git's plain copy when the values are the same", () => {
    const plain = secret({ stringData: { password: "hunter2" } });
    const kept = secret(redactObject("Secret", plain.object, installationA));
    expect(diffObjects([kept], [plain], { redactionKey: installationA }).unchanged).toEqual(["prod/Secret/db"]);
    expect(diffObjects([kept], [secret({ stringData: { password: "other" } })], { redactionKey: installationA }).changed).toHaveLength(1);
    // Under another installation's key the kept marker is not this value's.
    expect(diffObjects([kept], [plain], { redactionKey: installationB }).changed).toHaveLength(1);
  });
});
