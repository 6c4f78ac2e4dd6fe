// Talks to the daemon: JSON reads, token-guarded actions, and the live event stream.

const TOKEN_KEY = "capstan.token";

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function headers(extra = {}) {
  const t = token.get();
  return t ? { ...extra, authorization: `Bearer ${t}` } : extra;
}

async function failure(res) {
  let code = "HTTP_" + res.status;
  let message = res.statusText;
  try {
    const body = await res.json();
    code = body.code ?? code;
    message = body.message ?? message;
  } catch {
    // Not JSON: keep the status line.
  }
  return new ApiError(res.status, code, message);
}

/**
 * A read that failed below HTTP (fetch rejects) is tried again after a moment: on a Docker host the
 * browser aborts requests in flight whenever an interface comes or goes (net::ERR_NETWORK_CHANGED),
 * and containers starting and stopping make that common. Reads are safe to repeat; actions are not retried.
 */
async function read(path, init) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(`/api/v1${path}`, init);
    } catch (err) {
      if (attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 300 * attempt));
    }
  }
}

export async function get(path) {
  const res = await read(path, { headers: headers({ accept: "application/json" }) });
  if (!res.ok) throw await failure(res);
  return res.json();
}

export async function getText(path) {
  const res = await read(path, { headers: headers() });
  if (!res.ok) throw await failure(res);
  return res.text();
}

/** POST /api/v1/apps/:name/:action; the token must be stored first. */
export async function act(name, action, body) {
  const init = { method: "POST", headers: headers(body ? { "content-type": "application/json" } : {}) };
  if (body) init.body = JSON.stringify(body);
  const res = await fetch(`/api/v1/apps/${encodeURIComponent(name)}/${action}`, init);
  if (!res.ok) throw await failure(res);
  return res.json();
}

/**
 * Follows /api/v1/stream. Uses fetch rather than EventSource so the token can travel in a header
 * (when the daemon listens beyond loopback) instead of the URL. Reconnects with back-off.
 */
export function stream({ onMessage, onState }) {
  let stopped = false;
  let controller = null;
  let delay = 1000;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const res = await fetch("/api/v1/stream", { headers: headers({ accept: "text/event-stream" }), signal: controller.signal });
        if (!res.ok || !res.body) throw await failure(res);
        onState("live");
        delay = 1000;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const msg = parse(block);
            if (msg) onMessage(msg.event, msg.data);
          }
        }
      } catch (err) {
        if (stopped) return;
        if (err instanceof ApiError && err.status === 401) {
          onState("unauthorized");
          return;
        }
      }
      if (stopped) return;
      onState("reconnecting");
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15000);
    }
  };
  run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}

function parse(block) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    const i = line.indexOf(":");
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (data.length === 0) return null;
  try {
    return { event, data: JSON.parse(data.join("\n")) };
  } catch {
    return null;
  }
}
