/** One broken Application file stops only its own application: the others follow the commit. */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDaemon, type RunningDaemon } from "../../../src/daemon/index.js";
import { removeDir, tempDir } from "../../helpers/git.js";
import { served, until, webFixture, type WebFixture } from "./fixture.js";

describe("an invalid Application file among valid ones", () => {
  let fx: WebFixture;
  let stateDir: string;
  let d: RunningDaemon;
  const otherPort = 30000 + Math.floor(Math.random() * 2700);
  const other = (extra = "") => `apiVersion: capstan.dev/v1alpha1
kind: Application
metadata:
  name: other
spec:
  source:
    path: charts/web
    values: {tag: v1, nodePort: ${otherPort}, deadline: 6}
${extra}  destination:
    namespace: other-${otherPort}
  syncPolicy:
    automated: {}
`;
  const containers = () =>
    execFileSync("docker", ["ps", "-q", "--no-trunc", "--filter", "label=capstan.dev/application=other", "--filter", `label=capstan-test=${fx.runLabel["capstan-test"]}`], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .sort();

  beforeAll(async () => {
    fx = webFixture("dinvalid");
    fx.repo.commit({ "apps/other.yaml": other() }, "a second application");
    stateDir = tempDir("capstan-daemon-");
    d = await startDaemon({ stateDir, repo: fx.repo.path, port: 0, poll: "0 0 1 1 *", labels: fx.runLabel });
    await until("both serving", async () => (await served(fx.nodePort)) === "web v1" && (await served(otherPort)) === "web v1", 60_000);
  }, 90_000);

  afterAll(async () => {
    await d?.stop();
    fx?.cleanup();
    execFileSync("sh", ["-c", `docker network rm capstan-other-${otherPort} capstan-other-${otherPort}-svc >/dev/null 2>&1 || true`]);
    if (stateDir) await removeDir(stateDir);
  }, 30_000);

  it("keeps the broken application as it was, says why on it, and syncs the rest of the commit", async () => {
    const before = containers();
    expect(before).toHaveLength(1);
    fx.repo.commit({ "apps/other.yaml": other("    valuesFiles: [oops.yaml]\n"), "charts/web/values.yaml": `tag: v2\nnodePort: ${fx.nodePort}\ndeadline: 6\n` }, "web v2, and a typo");
    await until("web v2 serving", async () => (await served(fx.nodePort)) === "web v2", 30_000);
    const events = await until(
      "the ApplicationInvalid event on other",
      async () => {
        const list = await d.daemon.view.events({ app: "other", limit: 20 });
        return list.find((e) => e.reason === "ApplicationInvalid") ? list : null;
      },
      10_000,
    );
    expect(events.find((e) => e.reason === "ApplicationInvalid")?.message).toMatch(/apps\/other\.yaml at commit [0-9a-f]{7} is invalid; application other keeps its last good definition: apps\/other\.yaml:\d+:\d+: spec\.source\.valuesFiles: unknown field "valuesFiles" \(did you mean valueFiles\?\)/);
    expect(await served(otherPort)).toBe("web v1");
    expect(containers()).toEqual(before);
  });

  it("after a restart with the file still broken, declares the application again as its current revision had it", async () => {
    const before = containers();
    await d.stop();
    d = await startDaemon({ stateDir, repo: fx.repo.path, port: 0, poll: "0 0 1 1 *", labels: fx.runLabel });
    // The NodePort is served by the daemon: it answers again only if the application was declared again.
    await until("other serving after the restart", async () => (await served(otherPort)) === "web v1", 30_000);
    expect(await served(fx.nodePort)).toBe("web v2");
    expect(containers()).toEqual(before);
  });
});
