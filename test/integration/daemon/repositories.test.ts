import { afterAll, describe, expect, it } from "vitest";
import { startDaemon, type RunningDaemon } from "../../../src/daemon/index.js";
import { removeDir, tempDir } from "../../helpers/git.js";
import { served, until, webFixture } from "./fixture.js";

describe("one daemon following several repositories", () => {
  const a = webFixture("drepa");
  const b = webFixture("drepb");
  const stateDir = tempDir("capstan-daemon-");
  let d: RunningDaemon | undefined;

  afterAll(async () => {
    await d?.stop();
    a.cleanup();
    b.cleanup();
    await removeDir(stateDir);
  }, 30_000);

  it("syncs each repository's Applications, a commit in one touching only its own, and refuses a name another repository declares", async () => {
    // The second repository also declares the first one's application (same file name and content).
    const clashing = b.repo.commit({ [`apps/${a.app}.yaml`]: a.repo.git("show", `HEAD:apps/${a.app}.yaml`).replace(/namespace: .*/, `namespace: ${b.namespace}`) }, "declare a's application too");
    expect(clashing).toMatch(/^[0-9a-f]{40}$/);
    d = await startDaemon({
      stateDir,
      repositories: [{ repo: a.repo.path }, { repo: b.repo.path, appsPath: "apps" }],
      port: 0,
      poll: "0 0 1 1 *",
      labels: a.runLabel,
    });
    await until("a v1 and b v1 serving", async () => (await served(a.nodePort)) === "web v1" && (await served(b.nodePort)) === "web v1", 90_000);
    expect(d.daemon.apps.get(a.app)?.declaredIn).toBe(a.repo.path);
    expect(d.daemon.apps.get(b.app)?.declaredIn).toBe(b.repo.path);
    expect([...d.daemon.apps.keys()].sort()).toEqual([a.app, b.app].sort());
    const events = await d.daemon.store.listEvents({ app: a.app, limit: 50 });
    expect(events.map((e) => e.message)).toContain(`application ${a.app} is declared again in ${b.repo.path} (apps); the declaration of ${a.repo.path} is kept`);

    const before = (await d.daemon.view.history(a.app, 50)).length;
    b.deploy("v2");
    await until("b v2 serving", async () => (await served(b.nodePort)) === "web v2", 30_000);
    expect(await served(a.nodePort)).toBe("web v1");
    expect(await d.daemon.view.history(a.app, 50)).toHaveLength(before);
    a.deploy("v3");
    await until("a v3 serving", async () => (await served(a.nodePort)) === "web v3", 30_000);
    expect(await served(b.nodePort)).toBe("web v2");
  }, 180_000);
});
