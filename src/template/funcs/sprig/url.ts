/**
 * Sprig's urlParse and urlJoin with Go net/url semantics (not WHATWG URL: no normalization, the
 * path is unescaped, the query kept raw, schemes without "//" give an opaque part).
 */
import type { GoMap, GoValue } from "../../values.js";
import type { FuncMap } from "../types.js";
import { needString, readMap, wrongType } from "../args.js";

interface GoUrl {
  scheme: string;
  opaque: string;
  user: { username: string; password: string | null } | null;
  host: string;
  path: string;
  rawQuery: string;
  forceQuery: boolean;
  fragment: string;
}

function unescape(s: string, mode: "path" | "fragment" | "host" | "userinfo"): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "%") {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
        throw new Error(`invalid URL escape ${JSON.stringify(s.slice(i, Math.min(i + 3, s.length)))}`);
      }
      bytes.push(parseInt(hex, 16));
      i += 2;
      continue;
    }
    void mode;
    bytes.push(...Buffer.from(c, "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}

function shouldEscape(ch: string, mode: "path" | "fragment" | "userinfo" | "host"): boolean {
  if (/[A-Za-z0-9\-_.~]/.test(ch)) return false;
  if (mode === "host") return !/[!$&'()*+,;=:[\]<>"]/.test(ch);
  if ("$&+,/:;=?@".includes(ch)) {
    switch (mode) {
      case "path":
        return ch === "?";
      case "userinfo":
        return ch === "@" || ch === "/" || ch === "?" || ch === ":";
      case "fragment":
        return false;
    }
  }
  if (mode === "fragment" && "!()*".includes(ch)) return false;
  return true;
}

function escape(s: string, mode: "path" | "fragment" | "userinfo" | "host"): string {
  let out = "";
  for (const ch of s) {
    if (shouldEscape(ch, mode)) {
      for (const b of Buffer.from(ch, "utf8")) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
    } else out += ch;
  }
  return out;
}

/** Go's url.Parse (reference form). */
export function parseUrl(raw: string): GoUrl {
  const fail = (msg: string): Error => new Error(`parse ${JSON.stringify(raw)}: ${msg}`);
  if (Array.from(raw).some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) throw fail("net/url: invalid control character in URL");
  const u: GoUrl = { scheme: "", opaque: "", user: null, host: "", path: "", rawQuery: "", forceQuery: false, fragment: "" };
  let rest = raw;
  const hashAt = rest.indexOf("#");
  if (hashAt >= 0) {
    u.fragment = unescape(rest.slice(hashAt + 1), "fragment");
    rest = rest.slice(0, hashAt);
  }
  if (rest === "*") {
    u.path = "*";
    return u;
  }
  const sm = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (sm?.[1]) {
    u.scheme = sm[1].toLowerCase();
    rest = rest.slice(sm[0].length);
  } else if (rest.startsWith(":")) {
    throw fail("missing protocol scheme");
  }
  if (rest.endsWith("?") && rest.split("?").length === 2) {
    u.forceQuery = true;
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf("?");
    if (q >= 0) {
      u.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith("/")) {
    if (u.scheme !== "") {
      u.opaque = rest;
      return u;
    }
    const colon = rest.indexOf(":");
    const slash = rest.indexOf("/");
    if (colon >= 0 && (slash < 0 || colon < slash)) throw fail("first path segment in URL cannot contain colon");
  }
  if ((u.scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    let authority = rest.slice(2);
    const slash = authority.indexOf("/");
    rest = slash >= 0 ? authority.slice(slash) : "";
    if (slash >= 0) authority = authority.slice(0, slash);
    const at = authority.lastIndexOf("@");
    let host = authority;
    if (at >= 0) {
      const info = authority.slice(0, at);
      host = authority.slice(at + 1);
      const c = info.indexOf(":");
      u.user =
        c >= 0
          ? { username: unescape(info.slice(0, c), "userinfo"), password: unescape(info.slice(c + 1), "userinfo") }
          : { username: unescape(info, "userinfo"), password: null };
    }
    const port = /:([^:\]]*)$/.exec(host);
    if (port?.[1] !== undefined && !/^\d*$/.test(port[1]) && !host.startsWith("[")) throw fail(`invalid port ${JSON.stringify(":" + port[1])} after host`);
    u.host = unescape(host, "host");
  }
  u.path = unescape(rest, "path");
  return u;
}

function hostname(host: string): string {
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    return end >= 0 ? host.slice(1, end) : host.slice(1);
  }
  const c = host.lastIndexOf(":");
  return c >= 0 ? host.slice(0, c) : host;
}

function userString(user: GoUrl["user"]): string {
  if (!user) return "";
  let s = escape(user.username, "userinfo");
  if (user.password !== null) s += ":" + escape(user.password, "userinfo");
  return s;
}

/** Go's URL.String. */
export function urlString(u: GoUrl): string {
  let out = "";
  if (u.scheme) out += u.scheme + ":";
  if (u.opaque) {
    out += u.opaque;
  } else {
    if (u.scheme || u.host || u.user) {
      if (u.host || u.path || u.user) out += "//";
      if (u.user) out += userString(u.user) + "@";
      if (u.host) out += escape(u.host, "host");
    }
    const path = escape(u.path, "path");
    if (path && !path.startsWith("/") && u.host) out += "/";
    if (out === "") {
      const seg = path.split("/")[0] ?? "";
      if (seg.includes(":")) out += "./";
    }
    out += path;
  }
  if (u.forceQuery || u.rawQuery) out += "?" + u.rawQuery;
  if (u.fragment) out += "#" + escape(u.fragment, "fragment");
  return out;
}

function field(d: GoMap, key: string): string {
  const v: GoValue = Object.prototype.hasOwnProperty.call(d, key) ? (d[key] ?? null) : "";
  if (typeof v !== "string") throw new Error(`interface conversion: interface {} is ${wrongType("string", v).message.split("got ")[1]}, not string`);
  return v;
}

export function urlFuncs(): FuncMap {
  return {
    urlParse: (v) => {
      let u: GoUrl;
      try {
        u = parseUrl(needString(v));
      } catch (e) {
        throw new Error(`unable to parse url: ${(e as Error).message}`);
      }
      return {
        scheme: u.scheme,
        host: u.host,
        hostname: hostname(u.host),
        path: u.path,
        query: u.rawQuery,
        opaque: u.opaque,
        fragment: u.fragment,
        userinfo: userString(u.user),
      };
    },
    urlJoin: (d) => {
      const m = readMap(d);
      const info = field(m, "userinfo");
      let user: GoUrl["user"] = null;
      if (info !== "") {
        try {
          user = parseUrl(`proto://${info}@host`).user;
        } catch (e) {
          throw new Error(`unable to parse userinfo in dict: ${(e as Error).message}`);
        }
      }
      return urlString({
        scheme: field(m, "scheme"),
        host: field(m, "host"),
        path: field(m, "path"),
        rawQuery: field(m, "query"),
        opaque: field(m, "opaque"),
        fragment: field(m, "fragment"),
        forceQuery: false,
        user,
      });
    },
  };
}
