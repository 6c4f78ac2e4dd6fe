import { createConnection, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ServiceProxy } from "../../../src/services/proxy.js";

interface Backend {
  id: string;
  port: number;
  server: Server;
  sockets: Set<Socket>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A loopback TCP server that answers each line with its own id. */
async function backend(id: string): Promise<Backend> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("data", () => s.write(`${id}\n`));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { id, port, server, sockets };
}

async function proxyOn(options: Partial<ConstructorParameters<typeof ServiceProxy>[0]> = {}): Promise<{ proxy: ServiceProxy; port: number }> {
  const proxy = new ServiceProxy({ host: "127.0.0.1", port: 0, ...options });
  const port = await proxy.listen();
  cleanups.push(() => proxy.close());
  return { proxy, port };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ host: "127.0.0.1", port }, () => resolve(s));
    s.once("error", reject);
  });
}

/** Sends one line on a socket and returns the answer, or "closed" if the proxy hung up. */
function ask(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let buf = "";
    const onData = (b: Buffer): void => {
      buf += b.toString();
      if (buf.includes("\n")) {
        s.off("data", onData);
        resolve(buf.trim());
      }
    };
    s.on("data", onData);
    s.once("close", () => resolve(buf ? buf.trim() : "closed"));
    s.write("hello\n");
  });
}

async function oneShot(port: number): Promise<string> {
  const s = await open(port);
  const answer = await ask(s);
  s.destroy();
  return answer;
}

async function freePort(): Promise<number> {
  const b = await backend("tmp");
  const port = b.port;
  for (const s of b.sockets) s.destroy();
  await new Promise<void>((r) => b.server.close(() => r()));
  return port;
}

describe("Service proxy", () => {
  it("balances new connections round-robin over the Ready endpoints", async () => {
    const [a, b] = [await backend("a"), await backend("b")];
    const { proxy, port } = await proxyOn();
    proxy.setEndpoints([
      { id: "a", host: "127.0.0.1", port: a.port },
      { id: "b", host: "127.0.0.1", port: b.port },
    ]);
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) answers.push(await oneShot(port));
    expect(answers.filter((x) => x === "a")).toHaveLength(3);
    expect(answers.filter((x) => x === "b")).toHaveLength(3);
  });

  it("sends nothing to an endpoint that is no longer Ready", async () => {
    const [a, b] = [await backend("a"), await backend("b")];
    const { proxy, port } = await proxyOn();
    proxy.setEndpoints([
      { id: "a", host: "127.0.0.1", port: a.port },
      { id: "b", host: "127.0.0.1", port: b.port },
    ]);
    proxy.setEndpoints([{ id: "b", host: "127.0.0.1", port: b.port }]);
    for (let i = 0; i < 4; i++) expect(await oneShot(port)).toBe("b");
  });

  it("retries a refused connection on the next endpoint so the client never sees it", async () => {
    const b = await backend("b");
    const gone = await freePort();
    const { proxy, port } = await proxyOn();
    proxy.setEndpoints([
      { id: "gone", host: "127.0.0.1", port: gone },
      { id: "b", host: "127.0.0.1", port: b.port },
    ]);
    for (let i = 0; i < 6; i++) expect(await oneShot(port)).toBe("b");
    expect(proxy.stats.failed).toBe(0);
    expect(proxy.stats.retried).toBeGreaterThan(0);
  });

  it("resets the client's connection when no endpoint is Ready, so HTTP clients fail at once instead of retrying", async () => {
    const { proxy, port } = await proxyOn();
    proxy.setEndpoints([]);
    const outcome = await new Promise<string>((resolve) => {
      let code = "closed cleanly";
      const s = createConnection({ host: "127.0.0.1", port });
      s.on("error", (err: NodeJS.ErrnoException) => (code = err.code ?? "error"));
      s.on("close", () => resolve(code));
    });
    expect(outcome).toBe("ECONNRESET");
    expect(proxy.stats.failed).toBe(1);
  });

  it("drains an endpoint: open connections finish, new ones go elsewhere", async () => {
    const [a, b] = [await backend("a"), await backend("b")];
    const { proxy, port } = await proxyOn();
    proxy.setEndpoints([{ id: "a", host: "127.0.0.1", port: a.port }]);
    const longLived = await open(port);
    expect(await ask(longLived)).toBe("a");
    proxy.setEndpoints([
      { id: "a", host: "127.0.0.1", port: a.port },
      { id: "b", host: "127.0.0.1", port: b.port },
    ]);
    let drained = false;
    const draining = proxy.drain("a", 10_000).then(() => (drained = true));
    for (let i = 0; i < 3; i++) expect(await oneShot(port)).toBe("b");
    expect(await ask(longLived)).toBe("a");
    expect(drained).toBe(false);
    longLived.end();
    await draining;
    expect(drained).toBe(true);
    expect(proxy.readyEndpoints().map((e) => e.id)).toEqual(["b"]);
  });

  it("gives up draining after the timeout", async () => {
    const a = await backend("a");
    const { proxy, port } = await proxyOn();
    proxy.setEndpoints([{ id: "a", host: "127.0.0.1", port: a.port }]);
    const s = await open(port);
    expect(await ask(s)).toBe("a");
    const started = Date.now();
    await proxy.drain("a", 200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    s.destroy();
  });

  it("keeps a client on one endpoint with sessionAffinity ClientIP until the timeout", async () => {
    const [a, b, c] = [await backend("a"), await backend("b"), await backend("c")];
    let now = 0;
    const { proxy, port } = await proxyOn({ sessionAffinity: "ClientIP", affinityTimeoutMs: 1_000, now: () => now });
    proxy.setEndpoints([a, b, c].map((x) => ({ id: x.id, host: "127.0.0.1", port: x.port })));
    const first = await oneShot(port);
    for (let i = 0; i < 5; i++) expect(await oneShot(port)).toBe(first);
    proxy.setEndpoints([a, b, c].filter((x) => x.id !== first).map((x) => ({ id: x.id, host: "127.0.0.1", port: x.port })));
    const moved = await oneShot(port);
    expect(moved).not.toBe(first);
    now += 500;
    expect(await oneShot(port)).toBe(moved);
  });

  it("reports a nodePort that is already taken", async () => {
    const taken = await backend("x");
    const proxy = new ServiceProxy({ host: "127.0.0.1", port: taken.port });
    await expect(proxy.listen()).rejects.toMatchObject({ code: "PORT_IN_USE", message: `127.0.0.1:${taken.port} is already in use (nodePort clash)` });
  });
});
