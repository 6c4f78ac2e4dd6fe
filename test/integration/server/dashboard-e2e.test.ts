/**
 * The dashboard in a real browser against a real daemon process on real Docker: the list, a live
 * rollout seen without reloading, and a rollback from the history timeline that pins the application.
 */
import { execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readToken } from "../../../src/state/index.js";
import { removeDir, tempDir } from "../../helpers/git.js";
import { daemonAnswers, served, spawnDaemon, until, webFixture, type WebFixture } from "../daemon/fixture.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(process.cwd(), "test-artifacts");
/** How long one step may wait for the daemon; each test allows a little more, so the step's own error (with its diagnosis) is the one reported. */
const STEP_MS = 60_000;
const TEST_MS = STEP_MS + 20_000;
const short = (sha: string) => sha.slice(0, 7);

interface AppSummaryJson {
  name: string;
  health: string;
  sync: string;
  pinned: { id: number; sha: string } | null;
  commit: { sha: string } | null;
}

interface HistoryJson {
  id: number;
  sha: string;
  phase: string;
  reason: string;
}

describe("the dashboard against a running daemon", () => {
  let fx: WebFixture;
  let stateDir: string;
  let child: ChildProcess;
  let daemonLog = "";
  let url: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const pageLog: string[] = [];
  let v1: string;
  let v2: string;
  const timings: Record<string, number> = {};

  /** Waits like `until`, but fails at once (with the daemon's last output) when the daemon has exited. */
  const waitFor = <T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = STEP_MS) =>
    until(
      what,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`the daemon exited (${child.exitCode ?? child.signalCode}) while waiting for ${what}:\n${daemonLog.slice(-4000)}`);
        }
        return probe();
      },
      timeoutMs,
      200,
    );

  const api = async (path: string): Promise<AppSummaryJson> => {
    const res = await fetch(`${url}/api/v1${path}`);
    expect(res.status).toBe(200);
    return (await res.json()) as AppSummaryJson;
  };

  const history = async (): Promise<HistoryJson[]> => {
    const res = await fetch(`${url}/api/v1/apps/${encodeURIComponent(fx.app)}/history?limit=50`);
    expect(res.status).toBe(200);
    return (await res.json()) as HistoryJson[];
  };

  /** What the page, the API and the daemon showed when a step failed. */
  const diagnose = async (): Promise<string> => {
    const parts: string[] = [];
    if (page) {
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-e2e-failure.png"), fullPage: true }).catch(() => undefined);
      writeFileSync(join(ARTIFACTS, "dashboard-e2e-failure.log"), `browser:\n${pageLog.join("\n")}\n\ndaemon:\n${daemonLog}\n`);
      parts.push(`page ${page.url()} (connection ${await page.evaluate<string>("document.getElementById('conn')?.dataset.state ?? 'none'").catch((e: Error) => e.message)})`);
      parts.push(await page.evaluate<string>("document.getElementById('main')?.innerText.slice(0, 2000) ?? ''").catch((e: Error) => e.message));
    }
    if (url) parts.push(`GET /api/v1/apps: ${await fetch(`${url}/api/v1/apps`).then((r) => r.text()).catch((e: Error) => e.message)}`);
    parts.push(`page errors: ${JSON.stringify(pageErrors)}`, `browser log (tail):\n${pageLog.slice(-40).join("\n")}`, `daemon output (tail):\n${daemonLog.slice(-3000)}`);
    return parts.join("\n");
  };

  /**
   * Opens the dashboard. Chromium aborts requests in flight with net::ERR_NETWORK_CHANGED whenever a
   * network interface comes or goes, which Docker does on every container and network it makes (for
   * this daemon or anything else on the host); a page whose own scripts were aborted that way is
   * loaded again, at most twice more. Any other failure to start is the test's failure.
   */
  const openDashboard = async () => {
    for (let attempt = 1; ; attempt++) {
      const mark = pageLog.length;
      try {
        await page.goto(`${url}/`, { timeout: within() });
        // route() marks the current page in the navigation once every module has loaded and run.
        await page.locator('[data-nav="apps"][aria-current="page"]').waitFor({ timeout: 10_000 });
        return;
      } catch (err) {
        const aborted = String(err).includes("ERR_NETWORK_CHANGED") || pageLog.slice(mark).some((line) => line.includes("ERR_NETWORK_CHANGED"));
        if (!aborted || attempt >= 3) throw err;
        timings.reloadsAfterNetworkChange = attempt;
        console.log(`dashboard load ${attempt} was cut by net::ERR_NETWORK_CHANGED; loading it again`);
      }
    }
  };

  /** Runs one step of the walk-through; after a failure the later steps fail at once instead of waiting on a broken page. */
  let failedStep = "";
  let deadline = 0;
  /** What is left of the running step's STEP_MS for one wait. */
  const within = () => Math.max(1000, deadline - Date.now());
  const step = (name: string, body: () => Promise<void>) => async () => {
    if (failedStep) throw new Error(`not run: the step "${failedStep}" failed before it`);
    deadline = Date.now() + STEP_MS;
    try {
      await body();
    } catch (err) {
      failedStep = name;
      const e = err as Error;
      e.message = `${e.message}\n--- diagnosis ---\n${await diagnose()}`;
      throw e;
    }
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: the dashboard tests drive Debian's chromium. Run the project's setup (npm test installs it, or: apt-get install -y chromium).`);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    const started = Date.now();
    fx = webFixture("dash");
    v1 = fx.repo.head();
    stateDir = tempDir("capstan-dash-");
    child = spawnDaemon(fx, stateDir, ["ignore", "pipe", "pipe"]);
    // Kept (the tail only) so a failure can say what the daemon was doing.
    const keep = (chunk: Buffer) => void (daemonLog = (daemonLog + chunk.toString("utf8")).slice(-256_000));
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);

    url = await waitFor("the daemon's API", () => daemonAnswers(child, stateDir), 30_000);
    await waitFor("v1 served through the NodePort", async () => (await served(fx.nodePort)) === "web v1", 60_000);
    timings.daemonToV1Ms = Date.now() - started;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (err) => void pageErrors.push(err.message));
    // Kept for the diagnosis of a failed step: what the browser fetched, what failed, what it logged.
    page.on("requestfinished", (req) => void pageLog.push(`${new Date().toISOString()} ${req.method()} ${req.url()} finished`));
    page.on("requestfailed", (req) => void pageLog.push(`${new Date().toISOString()} ${req.method()} ${req.url()} failed: ${req.failure()?.errorText}`));
    page.on("response", (res) => void (res.status() >= 400 && pageLog.push(`${new Date().toISOString()} ${res.url()} answered ${res.status()}`)));
    page.on("console", (msg) => void pageLog.push(`${new Date().toISOString()} console.${msg.type()}: ${msg.text()}`));
  }, 100_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await gone;
      clearTimeout(timer);
    }
    fx?.cleanup();
    if (stateDir) await removeDir(stateDir);
    console.log(`dashboard e2e timings: ${JSON.stringify(timings)}`);
  }, 30_000);

  it("lists the application with its name, health and the short SHA of the commit it runs", step("list", async () => {
    const started = Date.now();
    await openDashboard();
    const row = page.locator(`li[data-app="${fx.app}"]`);
    await row.locator('[data-health="Healthy"]').waitFor({ timeout: within() });
    await page.locator("#conn[data-state=live]").waitFor({ timeout: within() });
    expect(await row.locator("a.app-link").textContent()).toBe(fx.app);
    expect(await row.locator("[data-health]").textContent()).toBe("Healthy");
    expect(await row.locator("[data-sha]").textContent()).toBe(short(v1));
    expect(await row.locator("[data-sync]").textContent()).toBe("Synced");
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-list.png"), fullPage: true });
    timings.listMs = Date.now() - started;
  }), TEST_MS);

  it("shows a new commit's rollout as Progressing and then Healthy with the new SHA, without reloading", step("rollout", async () => {
    const started = Date.now();
    // Set before leaving the list: following the link and the whole rollout must keep this document.
    await page.evaluate("window.__noReload = true");
    await page.locator(`li[data-app="${fx.app}"] a.app-link`).click({ timeout: within() });
    await page.getByRole("heading", { level: 1, name: fx.app }).waitFor({ timeout: within() });
    const head = page.locator(".app-head");
    await head.locator('[data-health="Healthy"]').waitFor({ timeout: within() });
    await page.locator(`#history li.rev[data-revision] code[title="${v1}"]`).waitFor({ timeout: within() });
    await page.locator("#conn[data-state=live]").waitFor({ timeout: within() });

    // Every health word the header shows, in order; Progressing may last only a few seconds.
    await page.evaluate(`(() => {
      const head = document.querySelector(".app-head");
      const seen = (window.__healthSeen = []);
      const note = () => {
        const word = head.querySelector("[data-health]")?.textContent?.trim();
        if (word && seen[seen.length - 1] !== word) seen.push(word);
      };
      note();
      new MutationObserver(note).observe(head, { childList: true, subtree: true, characterData: true, attributes: true });
    })()`);

    v2 = fx.deploy("v2", "web v2 from the dashboard");
    // The header's commit changes only when the new revision is recorded healthy.
    // The daemon's own verdict is watched too, so a rollout it fails is reported as such at once.
    await waitFor(
      "the page to show the new commit",
      async () => {
        const revision = (await history()).find((r) => r.sha === v2);
        if (revision && revision.phase !== "Running" && revision.phase !== "Succeeded") {
          throw new Error(`the daemon did not roll out ${short(v2)}: revision ${revision.id} is ${revision.phase} (${revision.reason}); the page showed ${JSON.stringify(await page.evaluate<string[]>("window.__healthSeen"))}`);
        }
        return (await head.locator(`[data-sha="${v2}"]`).count()) > 0;
      },
      within(),
    );
    await head.locator('[data-health="Healthy"]').waitFor({ timeout: within() });
    expect(await head.locator("[data-sha]").textContent()).toBe(short(v2));
    timings.commitToHealthyOnPageMs = Date.now() - started;
    const seen = await page.evaluate<string[]>("window.__healthSeen");
    expect(seen[0]).toBe("Healthy");
    expect(seen.indexOf("Progressing")).toBeGreaterThan(0);
    expect(seen.lastIndexOf("Healthy")).toBeGreaterThan(seen.indexOf("Progressing"));
    expect(seen[seen.length - 1]).toBe("Healthy");
    expect(await served(fx.nodePort)).toBe("web v2");

    // The timeline, refetched after the change, lists the new revision as current.
    const newest = page.locator("#history li.rev").first();
    await newest.locator(`code[title="${v2}"]`).waitFor({ timeout: within() });
    await newest.locator('[data-result="Succeeded"]').waitFor({ timeout: within() });
    await page.locator(".tree .pod").first().waitFor({ timeout: within() });
    expect(await page.evaluate<boolean>("window.__noReload === true")).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-app.png"), fullPage: true });
    timings.appStepMs = Date.now() - started;
    timings.healthWordsSeen = seen.length;
    console.log(`health words the page showed: ${seen.join(" → ")}`);
  }), TEST_MS);

  it("rolls back to the earlier revision from the timeline after confirmation and the token, and shows it pinned", step("rollback", async () => {
    const started = Date.now();
    const earlier = page.locator("#history li.rev").filter({ has: page.locator(`code[title="${v1}"]`) });
    const revision = await earlier.getAttribute("data-revision", { timeout: within() });
    const button = earlier.getByRole("button", { name: new RegExp(`^Roll back ${fx.app} to revision ${revision} \\(${short(v1)}\\)$`) });
    await button.click({ timeout: within() });

    const dialog = page.getByRole("dialog");
    await dialog.waitFor({ timeout: within() });
    expect(await dialog.textContent()).toContain(`pins ${fx.app} there`);
    await dialog.getByLabel("API token").fill(readToken(stateDir), { timeout: within() });
    await dialog.getByRole("button", { name: "Roll back" }).click({ timeout: within() });
    await dialog.waitFor({ state: "hidden", timeout: within() });
    expect(await page.locator("#toast").textContent({ timeout: within() })).toBe(
      `Rolling back ${fx.app} to revision ${revision} (${short(v1)}): applied as a new revision and pinned there until you unpin.`,
    );

    const pinned = page.locator(".app-head [data-pinned]");
    const before = Number(revision);
    await waitFor(
      "the page to show the application pinned",
      async () => {
        const rolled = (await history()).find((r) => r.id > before && r.sha === v1 && r.phase !== "Running" && r.phase !== "Succeeded");
        if (rolled) throw new Error(`the daemon did not re-apply ${short(v1)}: revision ${rolled.id} is ${rolled.phase} (${rolled.reason})`);
        return (await pinned.count()) > 0;
      },
      within(),
    );
    timings.clickToPinnedOnPageMs = Date.now() - started;
    expect(await pinned.textContent()).toMatch(new RegExp(`^Pinned to r\\d+ ${short(v1)}$`));
    expect(await page.locator(".app-head [data-sync]").textContent()).toBe("Out of sync (pinned)");
    expect(await page.locator(".app-head [data-sha]").textContent()).toBe(short(v1));

    const summary = await api(`/apps/${encodeURIComponent(fx.app)}`);
    expect(summary.pinned?.sha).toBe(v1);
    expect(summary.sync).toBe("OutOfSync");
    expect(await pinned.textContent()).toBe(`Pinned to r${summary.pinned?.id} ${short(v1)}`);
    await waitFor("v1 served again", async () => (await served(fx.nodePort)) === "web v1", within());
    expect(await page.evaluate<boolean>("window.__noReload === true")).toBe(true);
    // Pinned behind the branch: Live vs Git now shows the image Git asks for against the one running.
    const diff = page.locator("#diff pre.diff");
    await diff.locator(".dl.add", { hasText: "capstan-demo/web:v2" }).waitFor({ timeout: within() });
    expect(await diff.locator(".dl.del", { hasText: "capstan-demo/web:v1" }).count()).toBe(1);
    expect(pageErrors).toEqual([]);
    await page.locator("#history li.rev .pin-tag").waitFor({ timeout: within() });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-app-pinned.png"), fullPage: true });
    timings.rollbackStepMs = Date.now() - started;
  }), TEST_MS);

  it("shows the application's health leave Healthy when its pod stops answering, and come back, without reloading", step("live health", async () => {
    const started = Date.now();
    const [id] = execFileSync("docker", ["ps", "-q", "--filter", `label=capstan-test=${fx.runLabel["capstan-test"]}`, "--filter", "label=capstan.dev/owner-kind=Deployment"], { encoding: "utf8" }).split("\n").filter(Boolean);
    expect(id).toBeDefined();
    const badge = page.locator(".app-head [data-health]");
    execFileSync("docker", ["pause", id as string]);
    try {
      await waitFor("the page to show the pod's trouble", async () => ((await badge.getAttribute("data-health")) ?? "Healthy") !== "Healthy", within());
      expect(await page.locator(".app-head .health-msg").textContent()).not.toBe("");
    } finally {
      execFileSync("docker", ["unpause", id as string]);
    }
    await page.locator('.app-head [data-health="Healthy"]').waitFor({ timeout: within() });
    expect(await page.evaluate<boolean>("window.__noReload === true")).toBe(true);
    expect(pageErrors).toEqual([]);
    timings.liveHealthStepMs = Date.now() - started;
  }), TEST_MS);
});
