/**
 * `GET /api/v1/stream`: server-sent events. A new client first gets a `snapshot` of every
 * application (so it cannot miss a change between loading and subscribing), then one message per
 * status change (`app`, `app-deleted`) and per event (`event`), with a comment line as heartbeat
 * so proxies and the browser keep the connection open. A client that stops reading is dropped
 * rather than buffered without end; the browser reconnects on its own.
 */
import type { ServerResponse } from "node:http";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { DaemonView, ViewEvent } from "./view.js";

export interface StreamOptions {
  heartbeatMs: number;
  /** Bytes queued for one slow client before it is dropped. */
  maxBufferedBytes?: number;
}

export class EventStreams {
  private readonly open = new Set<ServerResponse>();
  private nextId = 1;

  constructor(
    private readonly view: DaemonView,
    private readonly options: StreamOptions,
  ) {}

  get clients(): number {
    return this.open.size;
  }

  async handle(req: FastifyRequest, reply: FastifyReply, headers: Record<string, string>): Promise<void> {
    // Subscribe before reading the snapshot, and hold what arrives meanwhile: nothing falls between them.
    let held: ViewEvent[] | null = [];
    let deliver: (e: ViewEvent) => void = () => {};
    const unsubscribe = this.view.subscribe((e) => (held ? held.push(e) : deliver(e)));
    let apps;
    try {
      apps = await this.view.listApps();
    } catch (err) {
      unsubscribe();
      throw err;
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...headers,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.socket?.setNoDelay(true);
    this.open.add(res);
    const limit = this.options.maxBufferedBytes ?? 4 * 1024 * 1024;
    const write = (text: string): void => {
      if (res.writableEnded || res.destroyed) return;
      if (res.writableLength > limit) {
        req.log.warn("event stream client is not reading; closing its stream");
        res.destroy();
        return;
      }
      res.write(text);
    };
    write(`retry: 3000\n\n`);
    write(message("snapshot", { apps }, this.nextId++));
    deliver = (e) => write(message(e.type, e, this.nextId++));
    for (const e of held) deliver(e);
    held = null;
    const heartbeat = setInterval(() => write(`: heartbeat ${new Date().toISOString()}\n\n`), this.options.heartbeatMs);
    heartbeat.unref();
    const done = (): void => {
      clearInterval(heartbeat);
      unsubscribe();
      this.open.delete(res);
    };
    res.on("close", done);
    res.on("error", done);
  }

  /** Ends every open stream (at server close), so closing does not wait on them. */
  closeAll(): void {
    for (const res of this.open) {
      if (!res.writableEnded) res.end(`event: bye\ndata: {}\n\n`);
    }
    this.open.clear();
  }
}

function message(event: string, data: unknown, id: number): string {
  // JSON never contains a raw newline, so one data line carries the whole payload.
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
