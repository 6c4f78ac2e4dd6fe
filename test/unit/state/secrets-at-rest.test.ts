import Database from "better-sqlite3";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import type { RenderedObject } from "../../../src/application/index.js";
import { FileDesiredStore, hasRedactedValues, restoreSecrets } from "../../../src/controllers/apply/desired-store.js";
import { revisionManifests } from "../../../src/daemon/manifests.js";
import { diffObjects } from "../../../src/diff/objects.js";
import { redactionKey, redactObject } from "../../../src/diff/redact.js";
import type { RedactionKey } from "../../../src/diff/redact.js";
import type { DiffObject } from "../../../src/diff/types.js";
import type { ManifestObject } from "../../../src/manifest/index.js";
import { MemoryStateStore } from "../../../src/state/memory.js";
import { ensureRedactionKey } from "../../../src/state/redaction-key.js";
import { manifestsDigest } from "../../../src/state/rules.js";
import { openSqliteStateStore } from "../../../src/state/sqlite.js";
import { MIGRATIONS } from "../../../src/state/sqlite-schema.js";
import type { StateStore } from "../../../src/state/types.js";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "capstan-secrets-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const PASSWORD = "hunter2-correct-horse";
const TOKEN = "tok-9f8e7d6c5b4a";
const b64 = (s: string) => Buffer.from(s).toString("base64");
/** Every form a plain secret could take at rest. */
const PLAIN = [PASSWORD, TOKEN, b64(PASSWORD), b64(TOKEN)];

const secretObject = () => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "prod" }, data: { password: b64(PASSWORD) }, stringData: { token: TOKEN } });
const deploymentObject = () => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "prod" }, spec: { replicas: 2 } });
const rendered = (object: Record<string, unknown>): RenderedObject => {
  const meta = object.metadata as { name: string; namespace: string };
  return { key: `${meta.namespace}/${String(object.kind)}/${meta.name}`, kind: String(object.kind), name: meta.name, namespace: meta.namespace, object };
};
const toDiff = (o: unknown): DiffObject => rendered(o as Record<string, unknown>);
const plainManifests = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\nstringData:\n  token: " + TOKEN + "\n---\nkind: Service\nmetadata:\n  name: web\n";

interface Adapter {
  label: string;
  open(): { store: StateStore; key: RedactionKey; files?: () => string[] };
}

const adapters: Adapter[] = [
  {
    label: "SQLite",
    open() {
      const dir = tmp();
      const store = openSqliteStateStore(dir);
      return { store, key: ensureRedactionKey(dir), files: () => ["state.db", "state.db-wal"].map((f) => join(dir, f)).filter(existsSync) };
    },
  },
  {
    label: "in-memory",
    open() {
      const key = redactionKey(randomBytes(32));
      return { store: new MemoryStateStore({ redactionKey: key }), key };
    },
  },
];

for (const adapter of adapters) {
  describe(`no plain Secret value at rest: ${adapter.label} state store`, () => {
    const begin = async (store: StateStore, manifests: string) => {
      await store.upsertApp({ name: "web", repo: "https://git.example.com/acme/deploy.git", path: "charts/web", targetRevision: "main" });
      return store.beginRevision("web", { commit: "a".repeat(40), message: "m", author: "A <a@x>", commitTime: "2026-01-01T00:00:00Z", manifests, initiator: "cli" });
    };

    it("keeps healthy objects with each Secret value an HMAC marker, as the diff shows it", async () => {
      const { store, key, files } = adapter.open();
      const r = await begin(store, "");
      await store.finishRevision("web", r.id, { phase: "Succeeded", healthyObjects: [deploymentObject(), secretObject()] });
      const healthy = await store.getHealthyObjects("web");
      expect(JSON.stringify(healthy)).not.toMatch(new RegExp(PLAIN.join("|")));
      expect(healthy?.objects).toEqual([deploymentObject(), redactObject("Secret", secretObject(), key)]);
      // Read back, it diffs as unchanged against Git's plain copy under the same key.
      const git = [deploymentObject(), secretObject()].map(toDiff);
      expect(diffObjects((healthy?.objects ?? []).map(toDiff), git, { redactionKey: key }).changed).toEqual([]);
      await store.close();
      for (const file of files?.() ?? []) {
        const bytes = readFileSync(file);
        for (const p of PLAIN) expect([file, bytes.includes(p)]).toEqual([file, false]);
      }
    });

    it("rewrites revision manifests that hold a plain Secret value, and keeps already redacted ones as given", async () => {
      const { store, key } = adapter.open();
      const r = await begin(store, plainManifests);
      const kept = (await store.getRevision("web", r.id))?.manifests ?? "";
      expect(kept).not.toContain(TOKEN);
      const docs = parseAllDocuments(kept).map((d) => d.toJS() as Record<string, unknown>);
      expect(docs[0]).toEqual(redactObject("Secret", { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "prod" }, stringData: { token: TOKEN } }, key));
      expect(docs[1]).toEqual({ kind: "Service", metadata: { name: "web" } });

      const text = revisionManifests([rendered(deploymentObject()), rendered(secretObject())], { redactionKey: key });
      const r2 = await store.beginRevision("web", { commit: "b".repeat(40), message: "m", author: "A <a@x>", commitTime: "2026-01-01T00:00:00Z", manifests: text, initiator: "cli" });
      expect((await store.getRevision("web", r2.id))?.manifests).toBe(text);
      await store.close();
    });

    it("rewrites only the documents that hold a plain value, and finds a Secret however its kind is spelled", async () => {
      const { store } = adapter.open();
      const service = "---\n# the front door\nkind: Service\nmetadata: {name: web}\n";
      const escaped = '---\nkind: "Secr\\x65t"\nmetadata: {name: db}\nstringData: {token: ' + TOKEN + "}\n";
      const r = await begin(store, service + escaped + service);
      const kept = (await store.getRevision("web", r.id))?.manifests ?? "";
      expect(kept).not.toContain(TOKEN);
      expect(kept.startsWith(service)).toBe(true);
      expect(kept.endsWith(service)).toBe(true);
      expect(kept).toMatch(/token: \(redacted hmac:[0-9a-f]{12}\)/);
      await store.close();
    });

    it("refuses manifests text that is not YAML rather than keep what it cannot check", async () => {
      const { store } = adapter.open();
      await expect(begin(store, "kind: Secret\nstringData: {token: [unclosed\n")).rejects.toMatchObject({ code: "STATE_ERROR", message: expect.stringContaining("not valid YAML") });
      await store.close();
    });
  });
}

describe("a database written before HMAC markers", () => {
  it("is scrubbed on upgrade: no plain value and no plain hash of one is left in it", async () => {
    const dir = tmp();
    const file = join(dir, "state.db");
    const oldHash = createHash("sha256").update(TOKEN).digest("hex").slice(0, 12);
    const oldManifests = `---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  token: (hidden sha256:${oldHash})\n`;
    const raw = new Database(file);
    raw.pragma("journal_mode = WAL");
    raw.exec(MIGRATIONS[0] as string);
    raw.pragma("user_version = 1");
    raw.prepare("INSERT INTO apps VALUES ('web', 'r', 'p', 'main', 10, 'Synced', 'Healthy', '', 1, NULL, NULL, 0, NULL, 2, 1, 't', 't')").run();
    raw.prepare("INSERT INTO revisions VALUES ('web', 1, ?, 'm', 'a', 't', ?, ?, 'cli', 'Succeeded', '', 't', 't', 't', 1)").run("a".repeat(40), oldManifests, manifestsDigest(oldManifests));
    // Larger than a page: its old bytes would stay in freed overflow pages but for secure_delete.
    const cert = `-----BEGIN CERTIFICATE-----${"MIIQ".repeat(2000)}`;
    const withCert = { ...secretObject(), stringData: { token: TOKEN, cert } };
    raw.prepare("INSERT INTO healthy_objects VALUES ('web', 1, ?, ?, 't')").run("a".repeat(40), JSON.stringify([deploymentObject(), withCert]));
    raw.close();

    const store = openSqliteStateStore(dir);
    const key = ensureRedactionKey(dir);
    expect((await store.getHealthyObjects("web"))?.objects).toEqual([deploymentObject(), redactObject("Secret", withCert, key)]);
    const revision = await store.getRevision("web", 1);
    expect(revision?.manifests).toBe(oldManifests.replace(`(hidden sha256:${oldHash})`, "(redacted)"));
    expect(revision?.manifestsDigest).toBe(manifestsDigest(revision?.manifests ?? ""));
    await store.close();
    const bytes = Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
    for (const p of [...PLAIN, oldHash, "MIIQMIIQMIIQ"]) expect([p, bytes.includes(p)]).toEqual([p, false]);
  });
});

describe("revision manifests", () => {
  it("show Secret values as the same markers the state store and the diff use", () => {
    const key = redactionKey(randomBytes(32));
    const text = revisionManifests([rendered(deploymentObject()), rendered(secretObject())], { redactionKey: key });
    for (const p of PLAIN) expect(text).not.toContain(p);
    const docs = parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>);
    expect(docs[1]).toEqual(redactObject("Secret", secretObject(), key));
    expect(text).toMatch(/password: \(redacted hmac:[0-9a-f]{12}\)/);
  });
});

describe("the applier's desired store on disk", () => {
  const secret = (values: Record<string, string>): ManifestObject =>
    ({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "prod" }, stringData: values }) as unknown as ManifestObject;

  it("keeps Secret values as HMACs under the installation's key, and never hashes a marker twice", async () => {
    const dir = tmp();
    const store = new FileDesiredStore(dir);
    const objects = [secret({ token: TOKEN })];
    await store.save("web", { applied: { commit: "a".repeat(40), objects, at: 1 }, healthy: { commit: "a".repeat(40), objects, at: 1 }, failures: [], jobs: {} });
    const file = join(dir, "apps", "web", "desired.json");
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(TOKEN);
    expect(text).toMatch(/"token": "capstan-redacted:hmac:[0-9a-f]{64}"/);
    // A read-modify-write (as the applier does on every update) keeps the markers as they are.
    await store.save("web", await store.load("web"));
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(JSON.parse(text));
    // The diff reads them as the same value as Git's.
    const loaded = (await store.load("web")).applied?.objects ?? [];
    expect(diffObjects(loaded.map(toDiff), [toDiff(secret({ token: TOKEN }))], { redactionKey: ensureRedactionKey(dir) }).unchanged).toEqual(["prod/Secret/db"]);
  });

  it("lets a rollback put back the values Git still holds, and only with the store's key", async () => {
    const dir = tmp();
    const store = new FileDesiredStore(dir);
    await store.save("web", { healthy: { commit: "a".repeat(40), objects: [secret({ token: TOKEN, other: "old" })], at: 1 }, failures: [], jobs: {} });
    const healthy = (await store.load("web")).healthy?.objects ?? [];
    expect(hasRedactedValues(healthy[0] as ManifestObject)).toBe(true);
    const sources = [secret({ token: TOKEN, other: "new" })];
    const restored = restoreSecrets(healthy, sources, store.redactionKey);
    expect(restored.missing).toEqual(["prod/db"]);
    expect((restored.objects[0] as { stringData: Record<string, string> }).stringData.token).toBe(TOKEN);
    expect(restoreSecrets(healthy, [secret({ token: TOKEN, other: "old" })], store.redactionKey)).toEqual({ objects: [secret({ token: TOKEN, other: "old" })], missing: [] });
    expect(restoreSecrets(healthy, [secret({ token: TOKEN, other: "old" })], redactionKey(randomBytes(32))).missing).toEqual(["prod/db"]);
  });

  it("drops a plain sha256 left by an older Capstan instead of keeping it", async () => {
    const dir = tmp();
    const store = new FileDesiredStore(dir);
    const legacy = `capstan-redacted:sha256:${"ab".repeat(32)}`;
    await store.save("web", { healthy: { commit: "a".repeat(40), objects: [secret({ token: legacy })], at: 1 }, failures: [], jobs: {} });
    const text = readFileSync(join(dir, "apps", "web", "desired.json"), "utf8");
    expect(text).not.toContain("ab".repeat(32));
    expect(text).toContain('"token": "capstan-redacted:discarded"');
  });
});
