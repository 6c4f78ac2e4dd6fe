import { describe, expect, it } from "vitest";
import { formatBytes, readBodyCapped } from "../../../src/triggers/body.js";
import { handleWebhook } from "../../../src/triggers/webhook.js";

async function* chunks(n: number, size: number): AsyncIterable<Buffer> {
  for (let i = 0; i < n; i++) yield Buffer.alloc(size, 120);
}

describe("the webhook's own size cap", () => {
  it("states the limit it applied, and points at no setting that does not exist", () => {
    const res = handleWebhook({ headers: { "x-github-event": "push" }, body: "x".repeat(70 * 1024) }, { secrets: {}, maxBytes: 64 * 1024 });
    expect(res).toMatchObject({ status: 413, code: "WEBHOOK_PAYLOAD_TOO_LARGE" });
    if (res.status !== 413) return;
    expect(res.message).toBe(
      "webhook payload of 70 KiB (71680 bytes) exceeds the limit of 64 KiB (65536 bytes) (have the Git host send push events only; a push too large for a webhook is still picked up by polling)",
    );
  });

  it("states the limit when a streamed body passes it", async () => {
    const res = await readBodyCapped(chunks(10, 1024 * 1024), 1024 * 1024);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.message).toMatch(/^webhook payload exceeds the limit of 1 MiB \(1048576 bytes\)/);
    const declared = await readBodyCapped(chunks(0, 0), 2048, "4096");
    expect(declared.ok).toBe(false);
    if (!declared.ok) expect(declared.message).toMatch(/^webhook payload of 4 KiB \(4096 bytes\) exceeds the limit of 2 KiB \(2048 bytes\)/);
  });

  it.each([
    [1, "1 byte"],
    [1023, "1023 bytes"],
    [1024, "1 KiB (1024 bytes)"],
    [1536, "1.5 KiB (1536 bytes)"],
    [1024 * 1024, "1 MiB (1048576 bytes)"],
    [5 * 1024 ** 3, "5 GiB (5368709120 bytes)"],
  ])("writes %i bytes as %s", (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});
