/**
 * The API token check. Actions always need `Authorization: Bearer <token>`; reads need it too
 * when the server listens beyond loopback. The comparison takes the same time whatever the
 * token's contents, so timing reveals nothing but its length (which is fixed).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { FastifyReply, FastifyRequest } from "fastify";
import { sendError } from "./errors.js";

/** True when `token` equals `expected`, compared in constant time. */
export function tokenMatches(token: string, expected: string): boolean {
  const a = Buffer.from(token, "utf8");
  const b = Buffer.from(expected, "utf8");
  // timingSafeEqual throws on unequal lengths; comparing digests keeps the work the same anyway.
  if (a.length !== b.length) {
    timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
    return false;
  }
  return timingSafeEqual(a, b);
}

/** The bearer token of a request, or null. */
export function bearerToken(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (typeof header !== "string") return null;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1] ?? null;
}

/** A fastify onRequest hook that answers 401 unless the request carries the token. */
export function requireToken(expected: string) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = bearerToken(req);
    if (token === null) {
      reply.header("www-authenticate", 'Bearer realm="capstan"');
      await sendError(reply, 401, {
        code: "UNAUTHORIZED",
        message: "this request needs the API token: send 'Authorization: Bearer <token>' (the token is in the daemon's state directory, file 'token')",
      });
      return;
    }
    if (!tokenMatches(token, expected)) {
      reply.header("www-authenticate", 'Bearer realm="capstan", error="invalid_token"');
      await sendError(reply, 401, { code: "UNAUTHORIZED", message: "the API token does not match the daemon's (read it again from the state directory, file 'token')" });
    }
  };
}

export function isLoopbackHost(host: string): boolean {
  if (host === "localhost") return true;
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) return bare === "::1" || bare.toLowerCase() === "::ffff:127.0.0.1";
  return false;
}

/**
 * When the API listens on loopback, a web page elsewhere could still reach it by pointing a DNS
 * name at 127.0.0.1 (DNS rebinding) and read without a token. Refusing any Host header that is
 * not a loopback name closes that door.
 */
export function requireLoopbackHost() {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const host = req.headers.host ?? "";
    const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d+$/, "");
    if (!isLoopbackHost(name)) {
      await sendError(reply, 403, {
        code: "FORBIDDEN",
        message: `Host '${host.slice(0, 100)}' is not a loopback address; the API listens on loopback only (use http://127.0.0.1:<port>/)`,
      });
    }
  };
}
