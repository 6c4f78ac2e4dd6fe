import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startDaemon, type RunningDaemon } from "../../../src/daemon/index.js";
import { LABEL, MANAGED_BY_VALUE } from "../../../src/runtime/labels.js";
import { FakeRuntime } from "../../../src/runtime/fake.js";
import { ensureInstallationId, INSTALLATION_FILE } from "../../../src/state/index.js";
import { makeRepo, removeDir, tempDir } from "../../helpers/git.js";

const dirs: string[] = [];
let running: RunningDaemon | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  for (const d of dirs.splice(0)) await removeDir(d);
});
const dir = (): string => {
  const d = tempDir("capstan-installation-");
  dirs.push(d);
  return d;
};

describe("installation id of a state directory", () => {
  it("is made once and read back after, and differs between state directories", () => {
    const a = dir();
    const id = ensureInstallationId(a);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(ensureInstallationId(a)).toBe(id);
    expect(readFileSync(join(a, INSTALLATION_FILE), "utf8").trim()).toBe(id);
    expect(ensureInstallationId(dir())).not.toBe(id);
  });

  it("refuses a damaged file, naming it and saying what to do", () => {
    const a = dir();
    writeFileSync(join(a, INSTALLATION_FILE), "not-an-id\n");
    expect(() => ensureInstallationId(a)).toThrow(`${join(a, INSTALLATION_FILE)}: line 1: not an installation id (16 hex digits); restore it, or delete it`);
  });
});

describe("a daemon on an engine another state directory also uses", () => {
  it("leaves the other installation's pods alone, even of an application with the same name, and marks its own", async () => {
    const repo = makeRepo();
    dirs.push(repo.path);
    repo.commit({
      "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
      "charts/web/templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: capstan-demo/web:v1
`,
      "apps/web.yaml": `apiVersion: capstan.dev/v1alpha1
kind: Application
metadata:
  name: web
spec:
  source:
    path: charts/web
    targetRevision: main
  destination:
    namespace: shop
  syncPolicy:
    automated: {prune: true, selfHeal: true}
`,
    });
    const runtime = new FakeRuntime({ images: ["capstan-demo/web:v1"] });
    // A pod of application "web" in "shop" made by the daemon of another state directory.
    const foreignLabels = {
      [LABEL.managedBy]: MANAGED_BY_VALUE,
      [LABEL.installation]: "0123456789abcdef",
      [LABEL.application]: "web",
      [LABEL.namespace]: "shop",
      [LABEL.pod]: "web-5d8f9c7b6-other",
      [LABEL.ownerKind]: "Deployment",
      [LABEL.ownerName]: "web",
      [LABEL.revision]: "5d8f9c7b6",
    };
    const { id: foreign } = await runtime.create({ name: "shop_web-5d8f9c7b6-other", image: "capstan-demo/web:v1", labels: foreignLabels });
    await runtime.start(foreign);

    const stateDir = dir();
    running = await startDaemon({ stateDir, repo: repo.path, port: 0, poll: "0 0 1 1 *", watch: false, runtimes: new Map([["local", runtime]]) });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const [app] = await running.daemon.view.listApps();
      if (app?.health === "Healthy") break;
      if (Date.now() > deadline) throw new Error(`web did not become Healthy: ${JSON.stringify(app)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const mine = ensureInstallationId(stateDir);
    const containers = await runtime.list({ [LABEL.application]: "web" });
    const own = containers.filter((c) => c.labels[LABEL.installation] === mine);
    expect(own.map((c) => c.status)).toEqual(["running", "running"]);
    // The other installation's container still runs, untouched, and is not one of this daemon's pods.
    expect(containers.find((c) => c.id === foreign)?.status).toBe("running");
    expect(containers).toHaveLength(3);
    expect(running.daemon.pods.list({ app: "web" }).map((p) => p.containerIds[0])).not.toContain(foreign);
  });
});
