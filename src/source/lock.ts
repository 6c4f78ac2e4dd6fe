import { open, readFile, rm, stat } from "node:fs/promises";

/** Runs tasks for the same key one after another; different keys run freely. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Holds `<path>` (created exclusively, holding our pid) while `task` runs, so two Capstan processes
 * sharing a state directory never fetch into one mirror at once. A lock left by a dead process, or
 * older than `staleMs` (its holder's pid reused by another program), is taken over.
 */
export async function withLockFile<T>(path: string, timeoutMs: number, task: () => Promise<T>, staleMs = Number.POSITIVE_INFINITY): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
      const age = Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? Date.now());
      if ((Number.isInteger(holder) && holder > 0 && !alive(holder)) || age > staleMs) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`lock ${path} is held by process ${Number.isNaN(holder) ? "?" : holder}`);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 200);
    }
  }
  try {
    return await task();
  } finally {
    await rm(path, { force: true });
  }
}
