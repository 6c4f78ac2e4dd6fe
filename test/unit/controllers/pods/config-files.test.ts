import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writePodFiles } from "../../../../src/controllers/pods/config-files.js";
import { PodConfigError, materializePod } from "../../../../src/controllers/pods/materialize.js";
import { configMap, intent } from "./fixtures.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), "capstan-files-"));
  dirs.push(d);
  return d;
};

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(PodConfigError);
    return (err as PodConfigError).message;
  }
  throw new Error("expected the mount to be refused");
}

describe("a pod's mounts on the host", () => {
  it("refuses a granted hostPath that reaches its target through a symlink a pod could have planted", async () => {
    const granted = temp();
    mkdirSync(join(granted, "real"));
    symlinkSync("/", join(granted, "escape"));
    const mounted = (path: string) =>
      materializePod(intent({ containers: [{ name: "app", image: "x", volumeMounts: [{ name: "h", mountPath: "/h" }] }], volumes: [{ name: "h", hostPath: { path } }] }), { stateDir: temp() });
    expect(await refusal(writePodFiles(mounted(join(granted, "escape"))))).toBe(`mount /h: hostPath ${join(granted, "escape")} resolves through a symlink to /; mount the real path`);
    await writePodFiles(mounted(join(granted, "real")));
  });

  it("refuses a bind whose source leaves its volume's directory, however it is spelt", async () => {
    const pod = materializePod(
      intent({ containers: [{ name: "app", image: "x", volumeMounts: [{ name: "conf", mountPath: "/etc/app" }] }], volumes: [{ name: "conf", configMap: { name: "cfg" } }] }, { configMaps: { cfg: configMap("cfg", { a: "b" }) } }),
      { stateDir: temp() },
    );
    const bind = pod.container.mounts?.[0];
    if (bind?.type !== "bind") throw new Error("expected a bind mount");
    bind.source = `${bind.source}/../../../../..`;
    expect(await refusal(writePodFiles(pod))).toMatch(/^mount \/etc\/app: subPath leaves its volume \(resolves to \//);
  });
});
