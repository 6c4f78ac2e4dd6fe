/** Sprig's base64 and base32 functions. Decoding errors come back as the string (Sprig does not fail). */
import type { FuncMap } from "../types.js";
import { needString } from "../args.js";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Strict decoding with Go's error text (`illegal base64 data at input byte N`). */
function decodeStrict(input: string, alphabet: string, group: number, bitsPer: number, name: string): Buffer {
  const chars = input.replace(/[\r\n]/g, "");
  const illegal = (i: number): Error => new Error(`illegal ${name} data at input byte ${i}`);
  let bits = 0;
  let acc = 0;
  const out: number[] = [];
  let padStart = -1;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === "=") {
      if (padStart < 0) padStart = i;
      continue;
    }
    if (padStart >= 0) throw illegal(padStart);
    const d = alphabet.indexOf(c);
    if (d < 0) throw illegal(i);
    acc = (acc << bitsPer) | d;
    bits += bitsPer;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
      acc &= (1 << bits) - 1;
    }
  }
  if (chars.length % group !== 0) throw illegal(chars.length - (chars.length % group) + (padStart >= 0 ? 0 : 0));
  const dataLen = padStart >= 0 ? padStart : chars.length;
  const rem = dataLen % group;
  // A final group may only stop where whole bytes end.
  const validRems = name === "base64" ? [0, 2, 3] : [0, 2, 4, 5, 7];
  if (!validRems.includes(rem)) throw illegal(dataLen);
  return Buffer.from(out);
}

function b32encode(s: string): string {
  const bytes = Buffer.from(s, "utf8");
  let out = "";
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += B32[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += "=";
  return out;
}

export function encodingFuncs(): FuncMap {
  return {
    b64enc: (s) => Buffer.from(needString(s), "utf8").toString("base64"),
    b64dec: (s) => {
      try {
        return decodeStrict(needString(s), B64, 4, 6, "base64").toString("utf8");
      } catch (e) {
        return (e as Error).message;
      }
    },
    b32enc: (s) => b32encode(needString(s)),
    b32dec: (s) => {
      try {
        return decodeStrict(needString(s), B32, 8, 5, "base32").toString("utf8");
      } catch (e) {
        return (e as Error).message;
      }
    },
  };
}
