import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appCommands } from "../../../src/cli/commands/apps.js";
import { main } from "../../../src/cli/main.js";
import { startDaemon, type RunningDaemon } from "../../../src/daemon/index.js";
import { removeDir, tempDir } from "../../helpers/git.js";
import { githubSignature, served, until, webFixture, type WebFixture } from "./fixture.js";

const NO_POLL = "0 0 1 1 *";

/** Runs `capstan …` in-process against the state directory; answers exit code and stdout. */
async function capstan(stateDir: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s), env: {}, cwd: process.cwd(), isTTY: false };
  const code = await main(["--state-dir", stateDir, ...args], io, appCommands);
  return { code, out, err };
}

describe("the sync daemon following a local repository", () => {
  let fx: WebFixture;
  let stateDir: string;
  let d: RunningDaemon;

  beforeAll(async () => {
    fx = webFixture("dwatch");
    stateDir = tempDir("capstan-daemon-");
    d = await startDaemon({ stateDir, repo: fx.repo.path, port: 0, poll: NO_POLL, labels: fx.runLabel });
    await until("v1 serving", async () => (await served(fx.nodePort)) === "web v1", 60_000);
  }, 90_000);

  afterAll(async () => {
    await d?.stop();
    fx?.cleanup();
    if (stateDir) await removeDir(stateDir);
  }, 30_000);

  const history = () => d.daemon.view.history(fx.app, 50);

  it("serves a new commit within seconds of `git commit`, noticed by the watch", async () => {
    const sha = fx.deploy("v2");
    const started = Date.now();
    await until("v2 serving", async () => (await served(fx.nodePort)) === "web v2", 20_000);
    expect(Date.now() - started).toBeLessThan(20_000);
    const row = await until("the revision recorded as Succeeded", async () => ((await history())[0]?.phase === "Succeeded" ? (await history())[0] : null), 10_000);
    expect(row).toMatchObject({ sha, phase: "Succeeded", initiator: "watch" });
  }, 30_000);

  it("rolls a broken commit back automatically, records Failed then RolledBack, and does not retry it", async () => {
    const broken = fx.deploy("broken");
    const rows = await until(
      "the rollback row",
      async () => {
        const h = await history();
        return h[0]?.phase === "RolledBack" ? h : null;
      },
      60_000,
      250,
    );
    expect(rows[1]).toMatchObject({ sha: broken, phase: "Failed" });
    expect(rows[0]).toMatchObject({ phase: "RolledBack", initiator: "auto-rollback" });
    expect(await served(fx.nodePort)).toBe("web v2");
    const count = rows.length;
    await d.daemon.refresh("poll");
    await new Promise((r) => setTimeout(r, 2000));
    expect((await history()).length).toBe(count);
    const fixed = fx.deploy("v3");
    await until("v3 serving", async () => (await served(fx.nodePort)) === "web v3", 30_000);
    const row = await until("v3 recorded as Succeeded", async () => ((await history())[0]?.phase === "Succeeded" ? (await history())[0] : null), 10_000);
    expect(row).toMatchObject({ sha: fixed, phase: "Succeeded" });
  }, 120_000);

  it("pins the application on rollback, ignores new commits while pinned, and follows again after unpin", async () => {
    const rb = await capstan(stateDir, "rollback", fx.app);
    expect(rb.code, rb.err).toBe(0);
    await until("v2 serving again", async () => (await served(fx.nodePort)) === "web v2", 30_000);
    const pinned = await until("pinned status", async () => {
      const s = await d.daemon.view.summary(fx.app);
      return s.pinned && s.health === "Healthy" ? s : null;
    }, 10_000);
    expect(pinned.sync).toBe("OutOfSync");
    const table = await capstan(stateDir, "get", "apps");
    expect(table.out).toMatch(new RegExp(`${fx.app}\\s+OutOfSync \\(pinned to ${pinned.pinned?.sha.slice(0, 7)}\\)\\s+Healthy`));
    expect((await history())[0]).toMatchObject({ initiator: "rollback", phase: "Succeeded" });
    fx.deploy("v1", "web v1 again");
    await new Promise((r) => setTimeout(r, 3000));
    expect(await served(fx.nodePort)).toBe("web v2");
    expect((await capstan(stateDir, "unpin", fx.app)).code).toBe(0);
    await until("v1 serving after unpin", async () => (await served(fx.nodePort)) === "web v1", 30_000);
    expect((await d.daemon.view.summary(fx.app)).pinned).toBeNull();
    const hist = await capstan(stateDir, "history", fx.app, "-o", "json");
    const rows = JSON.parse(hist.out) as { initiator: string; phase: string }[];
    expect(rows.map((r) => r.initiator)).toEqual(expect.arrayContaining(["watch", "auto-rollback", "rollback"]));
  }, 90_000);
});

describe("the sync daemon's webhook", () => {
  let fx: WebFixture;
  let stateDir: string;
  let d: RunningDaemon;
  const secret = "s3cret-for-tests";

  beforeAll(async () => {
    fx = webFixture("dhook");
    stateDir = tempDir("capstan-daemon-");
    d = await startDaemon({ stateDir, repo: fx.repo.path, port: 0, poll: NO_POLL, watch: false, webhookSecret: secret, labels: fx.runLabel });
    await until("v1 serving", async () => (await served(fx.nodePort)) === "web v1", 60_000);
  }, 90_000);

  let stopped = false;
  afterAll(async () => {
    if (!stopped) await d?.stop();
    fx?.cleanup();
    if (stateDir) await removeDir(stateDir);
  }, 30_000);

  const post = (headers: Record<string, string>, body: Buffer) =>
    fetch(`${d.url}/api/webhook`, { method: "POST", headers: { "content-type": "application/json", "x-github-event": "push", ...headers }, body });

  it("refuses unsigned, wrongly signed and oversized webhooks and syncs nothing", async () => {
    fx.deploy("v2");
    const body = Buffer.from(JSON.stringify({ ref: "refs/heads/main", repository: { clone_url: fx.repo.path } }));
    expect((await post({}, body)).status).toBe(401);
    expect((await post({ "x-hub-signature-256": githubSignature("wrong", body) }, body)).status).toBe(401);
    const big = Buffer.alloc(2 * 1024 * 1024, 0x20);
    expect((await post({ "x-hub-signature-256": githubSignature(secret, big) }, big)).status).toBe(413);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await served(fx.nodePort)).toBe("web v1");
    expect(await d.daemon.view.history(fx.app, 50)).toHaveLength(1);
    // Each refusal is counted by its result, for alerting on a misconfigured sender.
    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    expect(metrics).toMatch(/capstan_webhook_requests_total\{result="unauthorized"\} 2\b/);
    expect(metrics).toMatch(/capstan_webhook_requests_total\{result="invalid"\} 1\b/);
    expect(metrics).toMatch(/capstan_reconcile_duration_seconds_count\{controller="application"\} [1-9]/);
  }, 30_000);

  it("serves the new commit after a signed GitHub push webhook", async () => {
    const body = Buffer.from(JSON.stringify({ ref: "refs/heads/main", repository: { clone_url: fx.repo.path } }));
    const res = await post({ "x-hub-signature-256": githubSignature(secret, body) }, body);
    expect(res.status).toBe(202);
    await until("v2 serving", async () => (await served(fx.nodePort)) === "web v2", 20_000);
    const row = await until("the revision recorded as Succeeded", async () => {
      const h = await d.daemon.view.history(fx.app, 50);
      return h[0]?.phase === "Succeeded" ? h[0] : null;
    }, 10_000);
    expect(row).toMatchObject({ phase: "Succeeded", initiator: "webhook" });
  }, 30_000);

  it("waits for health, shows the application's objects and prints its pod's logs through the daemon", async () => {
    const w = await capstan(stateDir, "wait", fx.app, "--health", "--timeout", "20s");
    expect(w.code, w.err).toBe(0);
    expect(w.out).toMatch(/Healthy/);
    const app = await capstan(stateDir, "get", "app", fx.app);
    expect(app.code, app.err).toBe(0);
    expect(app.out).toMatch(/Deployment\s+web\s+Healthy\s+1\/1/);
    const svc = await capstan(stateDir, "get", "services", fx.app);
    expect(svc.code, svc.err).toBe(0);
    const pod = d.daemon.pods.list({ app: fx.app }).find((p) => p.ready);
    const published = pod?.hostPorts.find((h) => h.name === "http")?.hostPort;
    expect(svc.out).toMatch(new RegExp(`${fx.namespace}\\s+web\\s+NodePort\\s+80:${fx.nodePort}/TCP\\s+${pod?.name}\\s+127\\.0\\.0\\.1:${published}\\s+Ready\\s+${fx.app}`));
    const logs = await capstan(stateDir, "logs", fx.app);
    expect(logs.code, logs.err).toBe(0);
    const missing = await capstan(stateDir, "wait", "no-such-app", "--timeout", "1s");
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no-such-app/);
  }, 40_000);

  it("answers get apps and history from the state directory once the daemon has stopped", async () => {
    stopped = true;
    await d.stop();
    const apps = await capstan(stateDir, "get", "apps");
    expect(apps.code, apps.err).toBe(0);
    expect(apps.out).toMatch(new RegExp(`${fx.app}\\s+Synced\\s+Healthy\\s+2`));
    const hist = await capstan(stateDir, "history", fx.app);
    expect(hist.out.trim().split("\n")).toHaveLength(3);
    expect(hist.out).toMatch(/webhook/);
    const rb = await capstan(stateDir, "rollback", fx.app);
    expect(rb.code).toBe(1);
    expect(rb.err).toMatch(/no daemon holds the state directory/);
  }, 30_000);
});
