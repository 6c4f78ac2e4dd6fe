/**
 * A commit whose template never finishes cannot freeze the daemon: rendering runs in a worker with
 * a time budget, while the API and every other application's traffic keep answering.
 */
import { afterAll, describe, expect, it } from "vitest";
import { removeDir, tempDir } from "../../helpers/git.js";
import { daemonReady, exited, served, spawnDaemon, until, webFixture } from "./fixture.js";

const LOOP = `{{- range until 100000 }}{{- range until 100000 }}{{- end }}{{- end }}
apiVersion: v1
kind: ConfigMap
metadata: {name: never}
`;

describe("a chart that loops forever", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  }, 30_000);

  it("fails its own revision on the time budget while /healthz and another application's NodePort keep answering, and SIGTERM still stops the daemon", async () => {
    const fx = webFixture("dloop");
    const stateDir = tempDir("capstan-daemon-");
    cleanups.push(() => fx.cleanup(), () => removeDir(stateDir));
    const child = spawnDaemon(fx, stateDir);
    cleanups.push(() => void child.kill("SIGKILL"));
    const url = await daemonReady(child, stateDir);
    await until("v1 serving", async () => (await served(fx.nodePort)) === "web v1", 60_000);
    const token = (await import("node:fs")).readFileSync(`${stateDir}/token`, "utf8").trim();

    fx.repo.commit(
      {
        "charts/loop/Chart.yaml": "apiVersion: v2\nname: loop\nversion: 0.1.0\n",
        "charts/loop/templates/loop.yaml": LOOP,
        "apps/loop.yaml": `apiVersion: capstan.dev/v1alpha1\nkind: Application\nmetadata: {name: loop}\nspec:\n  source: {path: charts/loop}\n  destination: {namespace: ${fx.namespace}-loop}\n  syncPolicy: {automated: {}}\n`,
      },
      "a template that never ends",
    );

    // For 20 s: the API and the other application's NodePort answer within 1 s, every time.
    const slowest = { healthz: 0, nodePort: 0 };
    const end = Date.now() + 20_000;
    let checks = 0;
    while (Date.now() < end) {
      let t = Date.now();
      const health = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      expect(health.ok).toBe(true);
      slowest.healthz = Math.max(slowest.healthz, Date.now() - t);
      t = Date.now();
      expect(await served(fx.nodePort)).toBe("web v1");
      slowest.nodePort = Math.max(slowest.nodePort, Date.now() - t);
      checks++;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(checks).toBeGreaterThan(10);
    expect(slowest.healthz).toBeLessThan(1000);
    expect(slowest.nodePort).toBeLessThan(1000);

    const history = (await (await fetch(`${url}/api/v1/apps/loop/history`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items?: { phase: string; reason: string }[] } | { phase: string; reason: string }[];
    const rows = Array.isArray(history) ? history : (history.items ?? []);
    expect(rows[0]?.phase).toBe("Failed");
    expect(rows[0]?.reason).toMatch(/^RenderFailed: .*10s/);

    const started = Date.now();
    child.kill("SIGTERM");
    await exited(child);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(child.signalCode === "SIGKILL").toBe(false);
  }, 120_000);
});
