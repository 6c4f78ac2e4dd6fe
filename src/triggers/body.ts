/** Reads a request body up to a cap, so an oversized webhook is refused before it is buffered or parsed. */

export const DEFAULT_WEBHOOK_MAX_BYTES = 1024 * 1024;

export type CappedBody = { ok: true; body: Buffer } | { ok: false; status: 413; code: "WEBHOOK_PAYLOAD_TOO_LARGE"; message: string };

export function tooLarge(maxBytes: number, got: number | string): CappedBody & { ok: false } {
  return {
    ok: false,
    status: 413,
    code: "WEBHOOK_PAYLOAD_TOO_LARGE",
    message: `webhook payload of ${got} bytes exceeds the limit of ${maxBytes} bytes (raise webhook.maxPayloadBytes if your host sends larger pushes)`,
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
    if (size > maxBytes) return tooLarge(maxBytes, `more than ${maxBytes}`);
    chunks.push(buf);
  }
  return { ok: true, body: Buffer.concat(chunks) };
}
