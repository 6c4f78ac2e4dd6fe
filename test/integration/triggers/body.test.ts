import { createServer, request } from "node:http";
import type { Server } from "node:http";
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBodyCapped } from "../../../src/triggers/body.js";
import { handleWebhook } from "../../../src/triggers/webhook.js";

let server: Server;
let port = 0;
let bytesRead = 0;

beforeAll(async () => {
  // What a server mounting the webhook does: cap while reading, then verify and parse.
  server = createServer(async (req, res) => {
    const counted = (async function* () {
      for await (const chunk of req) {
        bytesRead += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    })();
    const body = await readBodyCapped(counted, 64 * 1024, req.headers["content-length"]);
    if (!body.ok) {
      res.writeHead(body.status, { connection: "close" }).end(body.message);
      req.destroy();
      return;
    }
    const result = handleWebhook({ headers: req.headers, body: body.body }, { secrets: { generic: "s3cret" }, maxBytes: 64 * 1024 });
    res.writeHead(result.status, { "content-type": "application/json" }).end(JSON.stringify(result));
  });
  port = await new Promise<number>((r) => server.listen(0, "127.0.0.1", () => r((server.address() as { port: number }).port)));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function post(body: Buffer | string, headers: Record<string, string>, chunked = false): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method: "POST", path: "/api/webhook", headers }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", (err) => ((err as NodeJS.ErrnoException).code === "ECONNRESET" || (err as NodeJS.ErrnoException).code === "EPIPE" ? undefined : reject(err)));
    if (chunked) {
      const buf = Buffer.from(body);
      for (let i = 0; i < buf.length; i += 16 * 1024) req.write(buf.subarray(i, i + 16 * 1024));
      req.end();
    } else req.end(body);
  });
}

describe("webhook body over HTTP", () => {
  it("accepts a signed push within the cap", async () => {
    const body = JSON.stringify({ repo: "https://git.example.com/acme/deploy", ref: "refs/heads/main", after: "f".repeat(40) });
    const sig = createHmac("sha256", "s3cret").update(body).digest("hex");
    const res = await post(body, { "content-type": "application/json", "x-capstan-signature": `sha256=${sig}` });
    expect(res.status).toBe(202);
    expect(JSON.parse(res.text)).toMatchObject({ repos: ["https://git.example.com/acme/deploy"] });
  });

  it("answers 413 from Content-Length alone, without reading the body", async () => {
    bytesRead = 0;
    const res = await post(Buffer.alloc(200 * 1024, 120), { "x-capstan-signature": "sha256=00" });
    expect(res.status).toBe(413);
    expect(bytesRead).toBe(0);
  });

  it("answers 413 to a chunked body as soon as it passes the cap", async () => {
    bytesRead = 0;
    const res = await post(Buffer.alloc(4 * 1024 * 1024, 120), { "x-capstan-signature": "sha256=00", "transfer-encoding": "chunked" }, true);
    expect(res.status).toBe(413);
    expect(bytesRead).toBeLessThan(1024 * 1024);
  });
});
