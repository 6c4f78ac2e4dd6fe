/**
 * A small DER reader and writer: enough ASN.1 to build X.509 certificates the way Go's crypto/x509
 * lays them out, and to re-encode DSA keys in the OpenSSL form Sprig emits. node:crypto signs and
 * parses keys but cannot build certificates; node-forge can, but only for RSA keys.
 */

export interface Tlv {
  tag: number;
  /** The whole element, header included. */
  raw: Buffer;
  /** The content octets. */
  body: Buffer;
}

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  let x = n;
  while (x > 0) {
    bytes.unshift(x & 0xff);
    x = Math.floor(x / 256);
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
export const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
export const octets = (b: Buffer): Buffer => tlv(0x04, b);
export const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
export const nul = (): Buffer => Buffer.from([0x05, 0x00]);
export const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);
export const implicitPrim = (n: number, body: Buffer): Buffer => tlv(0x80 | n, body);

export function bitString(bytes: Buffer, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

/** An INTEGER from a non-negative bigint (or a two's complement big-endian buffer when given one). */
export function integer(v: bigint): Buffer {
  if (v === 0n) return tlv(0x02, Buffer.from([0]));
  let hex = v.toString(16);
  if (hex.length % 2) hex = "0" + hex;
  let b = Buffer.from(hex, "hex");
  if ((b[0] as number) & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map((p) => BigInt(p));
  const out: number[] = [Number((parts[0] as bigint) * 40n + (parts[1] as bigint))];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [];
    let x = p;
    do {
      chunk.unshift(Number(x & 0x7fn));
      x >>= 7n;
    } while (x > 0n);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] = (chunk[i] as number) | 0x80;
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** Go picks PrintableString when every character allows it, UTF8String otherwise. */
export function directoryString(s: string): Buffer {
  const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s);
  return tlv(printable ? 0x13 : 0x0c, Buffer.from(s, "utf8"));
}

/** UTCTime before 2050, GeneralizedTime from then on (RFC 5280, as Go does). */
export function time(d: Date): Buffer {
  const y = d.getUTCFullYear();
  const p2 = (n: number): string => String(n).padStart(2, "0");
  const rest = `${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(p2(y % 100) + rest, "ascii"));
  return tlv(0x18, Buffer.from(String(y).padStart(4, "0") + rest, "ascii"));
}

/** Reads one element at `offset`. */
export function read(buf: Buffer, offset = 0): Tlv & { end: number } {
  const tag = buf[offset];
  let len = buf[offset + 1];
  if (tag === undefined || len === undefined) throw new Error("asn1: truncated element");
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[pos + i] as number);
    pos += n;
  }
  const end = pos + len;
  if (end > buf.length) throw new Error("asn1: truncated element");
  return { tag, raw: buf.subarray(offset, end), body: buf.subarray(pos, end), end };
}

/** The children of a constructed element. */
export function children(t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let pos = 0;
  while (pos < t.body.length) {
    const c = read(t.body, pos);
    out.push(c);
    pos = c.end;
  }
  return out;
}

export function readInteger(t: Tlv): bigint {
  if (t.body.length === 0) return 0n;
  let v = BigInt("0x" + t.body.toString("hex"));
  if ((t.body[0] as number) & 0x80) v -= 1n << BigInt(t.body.length * 8);
  return v;
}

export function readOid(t: Tlv): string {
  const b = t.body;
  const first = b[0] as number;
  const parts: bigint[] = [BigInt(Math.floor(first / 40)), BigInt(first % 40)];
  let acc = 0n;
  for (let i = 1; i < b.length; i++) {
    const byte = b[i] as number;
    acc = (acc << 7n) | BigInt(byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(acc);
      acc = 0n;
    }
  }
  return parts.join(".");
}
