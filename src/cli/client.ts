/**
 * Talking to a running daemon: its URL comes from `<stateDir>/daemon.json` (written once it serves)
 * and the daemon lock (which proves a live process holds the state directory), its token from the
 * state directory. When no daemon holds it, callers read the state store directly.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CapstanError } from "../errors.js";
import type { AppSummary, HistoryEntry, NodeView } from "../server/index.js";
import { readDaemonLock, readToken } from "../state/index.js";

/** A node as a daemon's API gives it: NodeView, and the fields a daemon may add that NodeView has no place for yet. */
export type DaemonNodeAnswer = NodeView & { unschedulable?: unknown; firstSeen?: unknown };

export interface DaemonEndpoint {
  url: string;
  token: string;
}

/** The URL a daemon wrote to `<stateDir>/daemon.json` once it served, if any. */
export function daemonURL(stateDir: string): string | undefined {
  const file = join(stateDir, "daemon.json");
  if (!existsSync(file)) return undefined;
  try {
    const url = (JSON.parse(readFileSync(file, "utf8")) as { url?: unknown }).url;
    return typeof url === "string" ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The running daemon of a state directory, or null when none holds it. */
export function findDaemon(stateDir: string): DaemonEndpoint | null {
  const lock = readDaemonLock(stateDir);
  if (!lock) return null;
  const url = daemonURL(stateDir);
  if (url === undefined) return null;
  return { url, token: readToken(stateDir) };
}

export function requireDaemon(stateDir: string): DaemonEndpoint {
  const d = findDaemon(stateDir);
  if (!d) {
    throw new CapstanError("STATE_ERROR", `no daemon holds the state directory ${stateDir} (start one with \`capstan daemon --repo PATH\`, or pass --state-dir)`);
  }
  return d;
}

/** One API call; a non-2xx answer becomes a CapstanError carrying the daemon's message. */
export async function callDaemon<T>(d: DaemonEndpoint, method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${d.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${d.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    throw new CapstanError("STATE_ERROR", `the daemon at ${d.url} does not answer (${(err as Error).message}); is it still running?`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      const parsed = JSON.parse(text) as { message?: string };
      if (parsed.message) message = parsed.message;
    } catch {
      /* plain text answer */
    }
    throw new CapstanError(res.status === 404 ? "APPLICATION_NOT_FOUND" : "STATE_ERROR", `${method} ${path}: ${res.status} ${message}`);
  }
  const type = res.headers.get("content-type") ?? "";
  return (type.includes("json") ? JSON.parse(text) : text) as T;
}

const enc = encodeURIComponent;

export const daemonApi = {
  listApps: (d: DaemonEndpoint) => callDaemon<AppSummary[]>(d, "GET", "/apps"),
  getApp: (d: DaemonEndpoint, name: string) => callDaemon<unknown>(d, "GET", `/apps/${enc(name)}`),
  summary: async (d: DaemonEndpoint, name: string): Promise<AppSummary> => {
    const all = await callDaemon<AppSummary[]>(d, "GET", "/apps");
    const found = all.find((a) => a.name === name);
    if (!found) throw new CapstanError("APPLICATION_NOT_FOUND", `application ${name} is not known to the daemon at ${d.url}`);
    return found;
  },
  history: (d: DaemonEndpoint, name: string, limit = 50) => callDaemon<HistoryEntry[]>(d, "GET", `/apps/${enc(name)}/history?limit=${limit}`),
  action: (d: DaemonEndpoint, name: string, action: "sync" | "refresh" | "unpin" | "suspend" | "resume") =>
    callDaemon<AppSummary>(d, "POST", `/apps/${enc(name)}/${action}`),
  rollback: (d: DaemonEndpoint, name: string, revision?: string) =>
    callDaemon<AppSummary>(d, "POST", `/apps/${enc(name)}/rollback`, revision === undefined ? {} : { revision }),
  logs: (d: DaemonEndpoint, name: string, pod: string, tail: number) => callDaemon<string>(d, "GET", `/apps/${enc(name)}/pods/${enc(pod)}/logs?tail=${tail}`),
  nodes: (d: DaemonEndpoint) => callDaemon<DaemonNodeAnswer[]>(d, "GET", "/nodes"),
};

/** `capstan sync APP` when a daemon runs: ask it to sync now; answers the application's summary. */
export async function syncViaDaemon(stateDir: string, app: string): Promise<AppSummary> {
  return daemonApi.action(requireDaemon(stateDir), app, "sync");
}
