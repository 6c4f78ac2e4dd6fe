import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { DockerOptions } from "dockerode";
import { CapstanError } from "../errors.js";

export interface EngineAddress {
  /** `unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://user@host`; empty means DOCKER_HOST or the default socket. */
  address?: string;
  /** For tcp with TLS: a directory holding ca.pem, cert.pem, key.pem (DOCKER_CERT_PATH layout). */
  tlsCertPath?: string;
}

/** Turns a DOCKER_HOST-style address into dockerode connection options. */
export function dockerOptions(engine: EngineAddress, env: Record<string, string | undefined> = process.env): DockerOptions {
  const address = engine.address || env.DOCKER_HOST || "unix:///var/run/docker.sock";
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new CapstanError("CONFIG_INVALID", `engine address ${JSON.stringify(address)} is not a URL (use unix:///path, tcp://host:port or ssh://user@host)`);
  }
  switch (url.protocol) {
    case "unix:":
      return { socketPath: url.pathname };
    case "tcp:":
    case "https:":
    case "http:": {
      const certPath = engine.tlsCertPath ?? (env.DOCKER_TLS_VERIFY ? env.DOCKER_CERT_PATH : undefined);
      const port = Number(url.port || (certPath ? 2376 : 2375));
      if (certPath) {
        return {
          host: url.hostname,
          port,
          protocol: "https",
          ca: readFileSync(join(certPath, "ca.pem")),
          cert: readFileSync(join(certPath, "cert.pem")),
          key: readFileSync(join(certPath, "key.pem")),
        };
      }
      return { host: url.hostname, port, protocol: "http" };
    }
    case "ssh:":
      return {
        host: url.hostname,
        port: Number(url.port || 22),
        protocol: "ssh",
        username: decodeURIComponent(url.username || "root"),
      } as DockerOptions;
    default:
      throw new CapstanError("CONFIG_INVALID", `engine address ${address}: unsupported scheme ${url.protocol} (use unix, tcp or ssh)`);
  }
}
