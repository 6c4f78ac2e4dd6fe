import { chmod, mkdir, realpath, rm, writeFile } from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import { PodConfigError, type MaterializedPod } from "./materialize.js";

/**
 * Writes a pod's ConfigMap and Secret volumes as files for read-only bind mounts. The pod's
 * directory is 0700 so other host users cannot read Secrets; a Secret volume's own directory is
 * 0700 and its files 0400 (the container's root reads them; see `uid` for other users).
 */
export async function writePodFiles(pod: MaterializedPod, owner?: { uid: number; gid: number }): Promise<void> {
  await assertHostPathsDirect(pod);
  if (pod.files.length === 0 && !(pod.container.mounts ?? []).some((m) => m.type === "bind")) return;
  await rm(pod.filesDir, { recursive: true, force: true });
  await mkdir(pod.filesDir, { recursive: true, mode: 0o700 });
  await chmod(pod.filesDir, 0o700);
  const volumes = new Set(
    (pod.container.mounts ?? []).filter((m) => m.type === "bind").map((m) => m.source.slice(pod.filesDir.length + 1).split("/")[0] ?? ""),
  );
  for (const v of volumes) {
    if (!v) continue;
    const secret = pod.files.some((f) => f.volume === v && f.secret);
    await mkdir(join(pod.filesDir, v), { recursive: true, mode: secret ? 0o700 : 0o755 });
    await chmod(join(pod.filesDir, v), secret ? 0o700 : 0o755);
  }
  for (const f of pod.files) {
    const target = join(pod.filesDir, f.volume, f.path);
    await mkdir(dirname(target), { recursive: true, mode: f.secret ? 0o700 : 0o755 });
    await writeFile(target, Buffer.from(f.contentBase64, "base64"), { mode: f.mode });
    await chmod(target, f.mode);
  }
  await assertMountsInside(pod);
  if (owner && process.getuid?.() === 0) {
    const { chown } = await import("node:fs/promises");
    for (const f of pod.files) if (f.secret) await chown(join(pod.filesDir, f.volume, f.path), owner.uid, owner.gid);
    for (const v of volumes) if (v) await chown(join(pod.filesDir, v), owner.uid, owner.gid);
  }
}

export async function removePodFiles(filesDir: string): Promise<void> {
  await rm(filesDir, { recursive: true, force: true });
}

/**
 * A granted host path is mounted only where it names itself: a symlink anywhere along it (which
 * a pod with write access below a granted path could plant) would make Docker bind its target.
 * Paths that do not exist on this host (an engine elsewhere) are left to that engine.
 */
async function assertHostPathsDirect(pod: MaterializedPod): Promise<void> {
  for (const m of pod.container.mounts ?? []) {
    if (m.type !== "hostPath") continue;
    const real = await realpath(m.source).catch(() => undefined);
    if (real !== undefined && real !== m.source.replace(/(.)\/+$/, "$1")) {
      throw new PodConfigError("CreateContainerConfigError", [`mount ${m.target}: hostPath ${m.source} resolves through a symlink to ${real}; mount the real path`]);
    }
  }
}

/**
 * Every bind mount's source, symlinks resolved, is inside its own volume's directory: whatever a
 * chart wrote, Docker is never asked to bind anything else of the host.
 */
async function assertMountsInside(pod: MaterializedPod): Promise<void> {
  for (const m of pod.container.mounts ?? []) {
    if (m.type !== "bind") continue;
    const volume = m.source.slice(pod.filesDir.length + 1).split("/")[0] ?? "";
    const root = await realpath(join(pod.filesDir, volume));
    const real = await realpath(m.source).catch(() => undefined);
    const inside = m.source.startsWith(pod.filesDir + sep) && volume !== "" && volume !== ".." && real !== undefined && (real === root || real.startsWith(root + sep));
    if (!inside) {
      throw new PodConfigError("CreateContainerConfigError", [
        `mount ${m.target}: ${real === undefined ? `${m.source} does not exist in its volume (check subPath and the volume's keys)` : `subPath leaves its volume (resolves to ${real})`}`,
      ]);
    }
  }
}
