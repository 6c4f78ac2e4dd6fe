import { CapstanError } from "../errors.js";

interface DockerLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
  json?: { message?: string } | null;
  reason?: string;
}

function engineMessage(err: DockerLikeError): string {
  const fromJson = err.json && typeof err.json === "object" ? err.json.message : undefined;
  return (fromJson ?? err.reason ?? err.message ?? String(err)).toString().trim();
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOENT", "EACCES", "ETIMEDOUT", "EHOSTUNREACH", "ECONNRESET", "EPIPE", "ENOTFOUND"]);

/** Maps an engine error to Capstan's typed errors; every message names the node. */
export function runtimeError(node: string, action: string, raw: unknown): CapstanError {
  if (raw instanceof CapstanError) return raw;
  const err = (raw ?? {}) as DockerLikeError;
  const msg = engineMessage(err);
  if ((err.code && UNREACHABLE.has(err.code)) || /socket hang up|connect ECONNREFUSED|Timeout|timed out/i.test(msg)) {
    return new CapstanError("RUNTIME_UNAVAILABLE", `node ${node}: Docker engine does not answer (${action}: ${msg})`, { cause: raw });
  }
  if (err.statusCode === 404 && /no such image|not found: manifest|pull access denied/i.test(msg)) {
    return new CapstanError("IMAGE_NOT_FOUND", `node ${node}: image not found: ${msg.replace(/^No such image:\s*/i, "")} (ImagePullBackOff: Capstan never pulls; build or load the image on this node)`, { cause: raw });
  }
  if (err.statusCode === 404 && /no such container/i.test(msg)) {
    return new CapstanError("CONTAINER_NOT_FOUND", `node ${node}: ${msg}`, { cause: raw });
  }
  return new CapstanError("RUNTIME_ERROR", `node ${node}: ${action} failed: ${msg}`, { cause: raw });
}
