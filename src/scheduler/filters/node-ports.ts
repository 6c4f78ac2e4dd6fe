import type { HostPort } from "../types.js";

export const REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

const ANY = "0.0.0.0";

/** Host ports in use on one node: `protocol/port` → bound addresses with a use count each. */
export type PortSet = Map<string, Map<string, number>>;

function keyOf(p: HostPort): string {
  return `${p.protocol ?? "TCP"}/${p.hostPort}`;
}

export function addPorts(set: PortSet, ports: readonly HostPort[], delta: 1 | -1): void {
  for (const p of ports) {
    if (!p.hostPort) continue;
    const key = keyOf(p);
    const ip = p.hostIP || ANY;
    let ips = set.get(key);
    if (!ips) set.set(key, (ips = new Map()));
    const n = (ips.get(ip) ?? 0) + delta;
    if (n > 0) ips.set(ip, n);
    else ips.delete(ip);
    if (ips.size === 0) set.delete(key);
  }
}

/** The NodePorts filter: same protocol and port conflict when either address is 0.0.0.0 or both are equal. */
export function portsConflict(used: PortSet | undefined, wanted: readonly HostPort[]): boolean {
  if (!used || used.size === 0) return false;
  for (const p of wanted) {
    if (!p.hostPort) continue;
    const ips = used.get(keyOf(p));
    if (!ips) continue;
    const ip = p.hostIP || ANY;
    if (ip === ANY || ips.has(ANY) || ips.has(ip)) return true;
  }
  return false;
}
