import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeView, startServer, type RunningServer } from "../../../src/server/index.js";

const CHROMIUM = "/usr/bin/chromium";
const TOKEN = "e2e-0123456789abcdef0123456789abcdef";
const ARTIFACTS = join(process.cwd(), "test-artifacts");

let server: RunningServer;
let view: FakeView;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the dashboard tests drive Debian's chromium. Run the project's setup (npm test installs it, or: apt-get install -y chromium).`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  view = new FakeView();
  server = await startServer({ view, token: TOKEN, host: "127.0.0.1", port: 0, heartbeatMs: 1000 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(path: string, width = 1280, height = 860): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height } });
  page.on("pageerror", (err) => {
    throw err;
  });
  await page.goto(`${server.url}/${path}`);
  return page;
}

describe("dashboard", () => {
  it("lists every application with its health, sync status, commit and last sync", async () => {
    const page = await open("");
    const rows = page.locator("li.app-row");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(3);
    const web = page.locator('li[data-app="web"]');
    expect(await web.locator("[data-health]").textContent()).toBe("Healthy");
    expect(await web.locator("[data-sync]").textContent()).toBe("Synced");
    const apps = await view.listApps();
    const webSummary = apps.find((a) => a.name === "web")!;
    expect(await web.locator("[data-sha]").textContent()).toBe(webSummary.commit!.sha.slice(0, 7));
    expect(await web.textContent()).toContain(webSummary.commit!.message);
    const api = page.locator('li[data-app="api"]');
    expect(await api.locator("[data-health]").textContent()).toBe("Degraded");
    expect(await api.textContent()).toContain("CrashLoopBackOff");
    expect(await page.locator('li[data-app="worker"] [data-suspended]').textContent()).toBe("Auto-sync suspended");
    await page.locator("#conn[data-state=live]").waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-list-desktop.png"), fullPage: true });
    await page.setViewportSize({ width: 375, height: 812 });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-list-375.png"), fullPage: true });
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    await page.close();
  });

  it("can be used from the keyboard: Tab reaches an application's link and Enter opens its page", async () => {
    const page = await open("");
    await page.locator('li[data-app="api"]').waitFor();
    let focused = "";
    for (let i = 0; i < 12 && focused !== "api"; i++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate<string>("document.activeElement?.textContent ?? ''");
    }
    expect(focused).toBe("api");
    const outline = await page.evaluate<string>("getComputedStyle(document.activeElement).outlineStyle");
    expect(outline).toBe("solid");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "api" }).waitFor();
    expect(page.url()).toMatch(/#\/apps\/api$/);
    const unnamed = await page.evaluate<number>(
      "[...document.querySelectorAll('button, a[href], input, select')].filter((el) => !(el.getAttribute('aria-label') || el.textContent.trim() || (el.labels && el.labels.length))).length",
    );
    expect(unnamed).toBe(0);
    await page.close();
  });

  it("asks for the token before showing anything when the daemon listens beyond loopback", async () => {
    const open = await startServer({ view: new FakeView(), token: TOKEN, host: "0.0.0.0", port: 0 });
    const page = await browser.newPage();
    try {
      await page.goto(`http://127.0.0.1:${open.port}/`);
      await page.getByRole("heading", { name: "Token needed" }).waitFor();
      expect(await page.locator("li.app-row").count()).toBe(0);
      await page.getByRole("main").getByLabel("API token").fill(TOKEN);
      await page.getByRole("button", { name: "Continue" }).click();
      await page.locator('li[data-app="web"]').waitFor();
      await page.locator("#conn[data-state=live]").waitFor();
    } finally {
      await page.close();
      await open.close();
    }
  });

  it("shows Progressing and then Healthy with the new commit as the daemon reports them, without reloading", async () => {
    const page = await open("");
    const web = page.locator('li[data-app="web"]');
    await web.waitFor();
    await page.locator("#conn[data-state=live]").waitFor();
    await page.evaluate("window.sameDocument = true");

    const newSha = "f00dfeed1234567890abcdef1234567890abcdef";
    const now = new Date().toISOString();
    view.update("web", { health: "Progressing", healthMessage: "Deployment web: 1 of 3 pods updated", sync: "Synced", lastSync: { result: "Running", revisionId: 5, time: now, durationMs: null, reason: "" } });
    await web.locator('[data-health="Progressing"]').waitFor({ timeout: 5000 });
    expect(await web.textContent()).toContain("1 of 3 pods updated");

    view.update("web", {
      health: "Healthy",
      healthMessage: "",
      currentRevision: 5,
      commit: { sha: newSha, message: "Bump image to 1.4.3", author: "Ada Lovelace", time: now },
      lastSync: { result: "Succeeded", revisionId: 5, time: now, durationMs: 31_000, reason: "" },
    });
    await web.locator('[data-health="Healthy"]').waitFor({ timeout: 5000 });
    expect(await web.locator("[data-sha]").textContent()).toBe("f00dfee");
    expect(await web.textContent()).toContain("Bump image to 1.4.3");
    expect(await web.locator("[data-result]").textContent()).toBe("Succeeded");
    expect(await page.evaluate<boolean>("window.sameDocument === true")).toBe(true);
    await page.close();
  });

  it("rolls back from a history entry after confirmation and the token, then shows the application pinned", async () => {
    const page = await open("#/apps/api");
    const button = page.getByRole("button", { name: /Roll back api to revision 2 / });
    await button.waitFor();
    await page.locator(".tree .pod").first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-app-desktop.png"), fullPage: true });

    await button.click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("pins api there");
    await dialog.getByLabel("API token").fill("not-the-token");
    await dialog.getByRole("button", { name: "Roll back" }).click();
    await dialog.getByRole("alert").filter({ hasText: "refused this token" }).waitFor();
    expect(view.calls.filter((c) => c.action === "rollback")).toEqual([]);

    await dialog.getByLabel("API token").fill(TOKEN);
    await dialog.getByRole("button", { name: "Roll back" }).click();
    await page.locator(".app-head [data-pinned]").waitFor({ timeout: 5000 });
    expect(view.calls.filter((c) => c.action === "rollback")).toEqual([{ action: "rollback", name: "api", revision: "2" }]);
    expect(await page.locator(".app-head [data-pinned]").textContent()).toMatch(/^Pinned to r5 [0-9a-f]{7}$/);
    expect(await page.locator(".app-head [data-sync]").textContent()).toBe("Out of sync (pinned)");
    expect(await page.evaluate<string | null>('sessionStorage.getItem("capstan.token")')).toBe(TOKEN);
    await page.getByRole("button", { name: "Unpin" }).waitFor();

    await page.getByRole("button", { name: "Logs of api-6f8e2a1c93-k2j9d" }).click();
    await page.locator("pre.logs").filter({ hasText: "request 30" }).waitFor();
    await page.locator("pre.diff").waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-app-pinned-desktop.png"), fullPage: true });
    await page.setViewportSize({ width: 375, height: 812 });
    await page.evaluate("window.scrollTo(0, 0)");
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-app-375.png"), fullPage: true });
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    await page.close();
  });
});
