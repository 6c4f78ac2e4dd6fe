/** Reads a request body up to a cap, so an oversized webhook is refused before it is buffered or parsed. */

export const DEFAULT_WEBHOOK_MAX_BYTES = 1024 * 1024;

export type CappedBody = { ok: true; body: Buffer } | { ok: false; status: 413; code: "WEBHOOK_PAYLOAD_TOO_LARGE"; message: string };

/** A byte count as people read it, exact: `100 bytes`, `64 KiB (65536 bytes)`, `1.5 MiB (1572864 bytes)`. */
export function formatBytes(n: number): string {
  const units: [string, number][] = [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ];
  for (const [unit, size] of units) {
    if (n < size) continue;
    const shown = Math.round((n / size) * 100) / 100;
    return `${shown} ${unit} (${n} bytes)`;
  }
  return `${n} ${n === 1 ? "byte" : "bytes"}`;
}

/** The 413 answer for a webhook body over `maxBytes`; `got` is its size when known. */
export function tooLarge(maxBytes: number, got?: number): CappedBody & { ok: false } {
  return {
    ok: false,
    status: 413,
    code: "WEBHOOK_PAYLOAD_TOO_LARGE",
    message:
      `webhook payload ${got === undefined ? "" : `of ${formatBytes(got)} `}exceeds the limit of ${formatBytes(maxBytes)} ` +
      "(have the Git host send push events only; a push too large for a webhook is still picked up by polling)",
  };
}

/**
 * Collects `stream` (an HTTP request) until it ends or passes `maxBytes`. A Content-Length above
 * the cap is refused without reading; a body that grows past it stops being read at once.
 */
export async function readBodyCapped(
  stream: AsyncIterable<Buffer | string>,
  maxBytes = DEFAULT_WEBHOOK_MAX_BYTES,
  contentLength?: string | number,
): Promise<CappedBody> {
  const declared = contentLength === undefined ? Number.NaN : Number(contentLength);
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge(maxBytes, declared);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > maxBytes) return tooLarge(maxBytes);
    chunks.push(buf);
  }
  return { ok: true, body: Buffer.concat(chunks) };
}
