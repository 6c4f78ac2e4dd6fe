/** Messages between a render pool and its worker threads, and how errors cross between them. */
import type { Application, RenderedApplication } from "../application/index.js";
import { CapstanError } from "../errors.js";
import type { ErrorCode, Problem } from "../errors.js";

/** Fixed for a worker's life (`workerData`). */
export interface WorkerConfig {
  maxOutputBytes: number;
  maxValuesBytes: number;
  maxChartBytes: number;
  /** Keep loaded charts by tree root and chart path (the roots are immutable checkouts). */
  cacheCharts: boolean;
}

export interface RenderRequest {
  id: number;
  root: string;
  app: Application;
  kubeVersion?: string;
}

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** Set for CapstanErrors (and subclasses such as TemplateError). */
  code?: ErrorCode;
  problems?: Problem[];
}

export type WorkerMessage =
  | { type: "ready" }
  | { type: "result"; id: number; value: RenderedApplication }
  | { type: "error"; id: number; error: SerializedError };

/** What survives a postMessage: CapstanErrors keep code, message and problems; others their name and stack. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof CapstanError) {
    const out: SerializedError = { name: e.name, message: e.message, code: e.code, problems: structuredClone(e.problems) };
    if (e.stack !== undefined) out.stack = e.stack;
    return out;
  }
  if (e instanceof Error) {
    const out: SerializedError = { name: e.name, message: e.message };
    if (e.stack !== undefined) out.stack = e.stack;
    return out;
  }
  return { name: "Error", message: String(e) };
}

/** The caller's error: a CapstanError with the worker's code, message and problems, so callers and messages are unchanged. */
export function deserializeError(s: SerializedError): Error {
  if (s.code !== undefined) return new CapstanError(s.code, s.message, { problems: s.problems ?? [] });
  const e = new Error(s.message);
  e.name = s.name;
  if (s.stack !== undefined) e.stack = s.stack;
  return e;
}
