import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDuration, syncColumn } from "../../../src/cli/commands/apps.js";
import { daemonOptions, parseListen } from "../../../src/cli/commands/daemon.js";
import type { CommandContext } from "../../../src/cli/types.js";
import type { AppSummary } from "../../../src/server/index.js";

const ctx = (env: Record<string, string> = {}): CommandContext => ({
  io: { stdout: () => {}, stderr: () => {}, env, cwd: "/home/u/deploy", isTTY: false },
  global: { stateDir: "/tmp/state" },
});

const summary = (over: Partial<AppSummary>): AppSummary => ({
  name: "web",
  namespace: "demo",
  sync: "Synced",
  syncMessage: "",
  syncedCommit: null,
  health: "Healthy",
  healthMessage: "",
  currentRevision: 3,
  commit: null,
  pinned: null,
  suspended: false,
  lastSync: null,
  source: { repo: "/r", path: "charts/web", targetRevision: "main" },
  ...over,
});

describe("capstan daemon flags", () => {
  it("reads --listen as host and port, defaulting the host to 127.0.0.1", () => {
    expect(parseListen("127.0.0.1:7420")).toEqual({ host: "127.0.0.1", port: 7420 });
    expect(parseListen("0.0.0.0:80")).toEqual({ host: "0.0.0.0", port: 80 });
    expect(parseListen("[::1]:9000")).toEqual({ host: "::1", port: 9000 });
    expect(parseListen(":8080")).toEqual({ host: "127.0.0.1", port: 8080 });
  });

  it("refuses a --listen that is not HOST:PORT, saying what it expects", () => {
    expect(() => parseListen("localhost")).toThrow(/expected HOST:PORT/);
    expect(() => parseListen("h:99999")).toThrow(/expected HOST:PORT/);
  });

  it("resolves a local --repo against the working directory and keeps URLs as given", async () => {
    expect((await daemonOptions(["--repo", "."], ctx())).repo).toBe("/home/u/deploy");
    expect((await daemonOptions(["--repo", "https://git.example.com/a/b.git"], ctx())).repo).toBe("https://git.example.com/a/b.git");
    expect((await daemonOptions(["--repo", "git@example.com:a/b.git"], ctx())).repo).toBe("git@example.com:a/b.git");
  });

  it("refuses a --concurrency that is not a whole number of at least 1, naming the flag", async () => {
    await expect(daemonOptions(["--repo", ".", "--concurrency", "0"], ctx())).rejects.toThrow("--concurrency 0: expected a whole number of at least 1");
    await expect(daemonOptions(["--repo", ".", "--concurrency", "many"], ctx())).rejects.toThrow("--concurrency many: expected a whole number of at least 1");
    expect((await daemonOptions(["--repo", ".", "--concurrency", "2"], ctx())).concurrency).toBe(2);
  });

  it("needs a repository", async () => {
    await expect(daemonOptions([], ctx())).rejects.toThrow(/--repo/);
  });

  it("follows the config file's repositories, local paths relative to the file, and its settings", async () => {
    const dir = mkdtempSync(join(tmpdir(), "capstan-config-"));
    try {
      writeFileSync(
        join(dir, "capstan.yaml"),
        "daemon:\n  listen: 127.0.0.1:7421\n  concurrency: 3\n  syncTimeout: 2m\n  nodeMonitorGracePeriod: 20s\n  podEvictionTimeout: 1m\n  repositories:\n    - url: ./team-a\n      poll: '*/10 * * * * *'\n    - url: https://git.example.com/b.git\n      appsPath: deploy\n      watch: false\n",
      );
      const c: CommandContext = { ...ctx(), global: { stateDir: "/tmp/state", config: join(dir, "capstan.yaml") } };
      const o = await daemonOptions([], c);
      expect(o.repo).toBeUndefined();
      expect(o.repositories).toEqual([
        { repo: join(dir, "team-a"), appsPath: "apps", poll: "*/10 * * * * *" },
        { repo: "https://git.example.com/b.git", appsPath: "deploy", watch: false },
      ]);
      expect([o.host, o.port, o.concurrency, o.syncTimeoutMs]).toEqual(["127.0.0.1", 7421, 3, 120_000]);
      expect(o.nodeHealth).toEqual({ gracePeriodMs: 20_000, evictionTimeoutMs: 60_000 });
      // --repo on the command line replaces the file's repositories.
      const single = await daemonOptions(["--repo", "."], c);
      expect([single.repo, single.repositories]).toEqual(["/home/u/deploy", undefined]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes the webhook secret from the flag or CAPSTAN_WEBHOOK_SECRET", async () => {
    expect((await daemonOptions(["--repo", ".", "--webhook-secret", "a"], ctx({ CAPSTAN_WEBHOOK_SECRET: "b" }))).webhookSecret).toBe("a");
    expect((await daemonOptions(["--repo", "."], ctx({ CAPSTAN_WEBHOOK_SECRET: "b" }))).webhookSecret).toBe("b");
  });
});

describe("capstan get apps", () => {
  it("shows a pinned application as OutOfSync (pinned to the short SHA)", () => {
    expect(syncColumn(summary({ sync: "OutOfSync", pinned: { id: 2, sha: "abc1234def5678" } as AppSummary["pinned"] }))).toBe("OutOfSync (pinned to abc1234)");
    expect(syncColumn(summary({}))).toBe("Synced");
    expect(syncColumn(summary({ suspended: true, sync: "OutOfSync" }))).toBe("OutOfSync (suspended)");
  });
});

describe("capstan wait --timeout", () => {
  it("reads durations in ms, s, m and h, seconds by default", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("2m")).toBe(120_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("5")).toBe(5000);
    expect(() => parseDuration("soon")).toThrow(/duration/);
  });
});

describe("capstan sync dispatch", () => {
  it("sends a positional APP to the daemon and --repo/--app to the one-shot sync", async () => {
    const { syncDispatchCommand } = await import("../../../src/cli/commands/apps.js");
    const calls: string[][] = [];
    const oneShot = { name: "sync", summary: "s", usage: "u", run: async (args: string[]) => (calls.push(args), 7) };
    const sync = syncDispatchCommand(oneShot);
    expect(await sync.run(["--repo", ".", "--app", "web"], ctx())).toBe(7);
    expect(calls).toEqual([["--repo", ".", "--app", "web"]]);
    // No daemon holds /tmp/state: the daemon path says so instead of syncing one-shot.
    await expect(sync.run(["web"], { ...ctx(), global: { stateDir: "/nonexistent/capstan-state" } })).rejects.toThrow(/no daemon holds the state directory/);
    expect(calls).toHaveLength(1);
  });
});
