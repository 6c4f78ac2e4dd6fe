/**
 * `capstan get services [APP]`: one row per Service port with the pods behind it, their addresses
 * and readiness, as the running daemon serves them. Only the daemon knows endpoints and node ports
 * (it runs the NodePort proxies and watches readiness), so without one this says so and fails.
 */
import { parseArgs } from "node:util";
import { CapstanError } from "../../errors.js";
import type { AppDetail, PodView, PortEndpointView, ServicePortView, ServiceView, WorkloadView } from "../../server/index.js";
import { daemonApi, findDaemon, type DaemonEndpoint } from "../client.js";
import { formatData, formatTable, parseOutputFormat } from "../printers.js";
import type { CommandContext } from "../types.js";

/** The words `capstan get` takes for Services, as kubectl does. */
export const SERVICE_RESOURCE_NAMES: readonly string[] = ["services", "service", "svc"];

export interface ServiceEndpointRow {
  pod: string;
  /** `127.0.0.1:<published port>`; null when the port is not published or not known. */
  address: string | null;
  ready: boolean;
  /** Why it is not Ready; empty when Ready or when nobody said. */
  reason: string;
}

/** One port of one Service. */
export interface ServicePortRow {
  app: string;
  namespace: string;
  name: string;
  type: ServiceView["type"];
  /** Null for a Service that declares no ports. */
  port: { name?: string; port: number; targetPort: number | string; nodePort: number | null; protocol: "TCP" | "UDP" } | null;
  /** kubectl's PORT(S): `80/TCP`, or `80:30080/TCP` with a node port. */
  ports: string;
  endpoints: ServiceEndpointRow[];
  /** The Service's warnings and this port's. */
  warnings: string[];
}

/** `80/TCP`, `80:30080/TCP`; `<none>` for a Service without ports. */
export function portsColumn(p: Pick<ServicePortView, "port" | "nodePort" | "protocol"> | undefined): string {
  if (!p) return "<none>";
  return `${p.port}${p.nodePort === null ? "" : `:${p.nodePort}`}/${p.protocol}`;
}

function podsOf(workloads: readonly WorkloadView[]): Map<string, PodView> {
  const out = new Map<string, PodView>();
  const visit = (w: WorkloadView): void => {
    for (const set of w.revisionSets) for (const p of set.pods) out.set(p.name, p);
    for (const job of w.jobs ?? []) visit(job);
  };
  for (const w of workloads) visit(w);
  return out;
}

/**
 * Where a Service port sends a pod's connections: the published port of the container port its
 * targetPort names. When the pod's ports do not say (a view without port names), a Ready pod with a
 * single published port can only be Ready through that port, so that one is the address.
 */
export function endpointAddress(pod: PodView | undefined, port: Pick<ServicePortView, "targetPort">, ready: boolean): string | null {
  if (!pod) return null;
  const target = port.targetPort;
  const match = typeof target === "number" ? pod.ports.find((p) => p.containerPort === target) : pod.ports.find((p) => p.name === target);
  if (match) return match.hostPort === null ? null : `127.0.0.1:${match.hostPort}`;
  const published = pod.ports.filter((p) => p.hostPort !== null);
  const only = published.length === 1 ? published[0] : undefined;
  return ready && only ? `127.0.0.1:${only.hostPort}` : null;
}

/** A pod's own reason (`CrashLoopBackOff`) says more than the generic `not ready`. */
function notReadyReason(given: string, pod: PodView | undefined): string {
  if (pod?.reason && (given === "" || given === "not ready")) return pod.reason;
  return given;
}

function portEndpoints(service: ServiceView, port: ServicePortView, pods: Map<string, PodView>): ServiceEndpointRow[] {
  const listed: PortEndpointView[] =
    port.endpoints ?? service.endpoints.map((e) => ({ pod: e.pod, ready: e.ready, address: null, reason: "" }));
  return listed
    .map((e) => {
      const pod = pods.get(e.pod);
      return {
        pod: e.pod,
        address: e.address ?? endpointAddress(pod, port, e.ready),
        ready: e.ready,
        reason: e.ready ? "" : notReadyReason(e.reason, pod),
      };
    })
    .sort((a, b) => a.pod.localeCompare(b.pod));
}

function serviceWarnings(service: ServiceView): string[] {
  if (service.warnings) return [...service.warnings];
  // A view without warnings still lists every selected pod, Ready or not: none listed means none selected.
  const anyEndpoint = service.endpoints.length > 0 || service.ports.some((p) => (p.endpoints ?? []).length > 0);
  return anyEndpoint ? [] : ["selector matches no pod"];
}

function portWarnings(service: ServiceView, port: ServicePortView, endpoints: ServiceEndpointRow[]): string[] {
  const out: string[] = [];
  if ((service.type === "NodePort" || service.type === "LoadBalancer") && port.nodePort === null) {
    out.push(`port ${port.port} has no node port (see the application's events)`);
  }
  if (endpoints.length > 0 && !endpoints.some((e) => e.ready)) out.push(`port ${port.port} has no Ready endpoint`);
  return out;
}

/** An application's Services as rows, one per port (pure). */
export function servicePortRows(detail: AppDetail): ServicePortRow[] {
  const pods = podsOf(detail.objects.workloads);
  return detail.objects.services.flatMap((service): ServicePortRow[] => {
    const base = { app: detail.name, namespace: service.namespace ?? detail.namespace, name: service.name, type: service.type };
    const warnings = serviceWarnings(service);
    if (service.ports.length === 0) {
      return [{ ...base, port: null, ports: portsColumn(undefined), endpoints: [], warnings }];
    }
    return service.ports.map((p) => {
      const endpoints = portEndpoints(service, p, pods);
      const { endpoints: _listed, ...port } = p;
      return { ...base, port, ports: portsColumn(p), endpoints, warnings: [...warnings, ...portWarnings(service, p, endpoints)] };
    });
  });
}

/** kubectl's order: namespace, then name; a Service's ports stay in declared order. */
export function sortServiceRows(rows: ServicePortRow[]): ServicePortRow[] {
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.namespace.localeCompare(b.r.namespace) || a.r.name.localeCompare(b.r.name) || a.r.app.localeCompare(b.r.app) || a.i - b.i)
    .map(({ r }) => r);
}

/** The table: one line per endpoint inside a row, the endpoint's pod, address and state aligned. */
export function formatServiceTable(rows: ServicePortRow[]): string {
  const all = rows.flatMap((r) => r.endpoints);
  const podWidth = Math.max(0, ...all.map((e) => e.pod.length));
  const addressWidth = Math.max(0, ...all.map((e) => (e.address ?? "-").length));
  const endpointLine = (e: ServiceEndpointRow): string => {
    const state = e.ready ? "Ready" : `NotReady${e.reason ? ` (${e.reason})` : ""}`;
    return `${e.pod.padEnd(podWidth)}  ${(e.address ?? "-").padEnd(addressWidth)}  ${state}`;
  };
  return formatTable(rows, [
    { header: "namespace", value: (r) => r.namespace },
    { header: "name", value: (r) => r.name },
    { header: "type", value: (r) => r.type },
    { header: "port(s)", value: (r) => r.ports },
    { header: "endpoints", value: (r) => (r.endpoints.length === 0 ? "<none>" : r.endpoints.map(endpointLine).join("\n")) },
    { header: "app", value: (r) => r.app },
    { header: "warnings", value: (r) => r.warnings.join("; ") },
  ]);
}

/** Every Service port of one application, or of every application the daemon follows. */
export async function listServices(d: DaemonEndpoint, app?: string): Promise<ServicePortRow[]> {
  if (app !== undefined) return sortServiceRows(servicePortRows((await daemonApi.getApp(d, app)) as AppDetail));
  const rows: ServicePortRow[] = [];
  for (const summary of await daemonApi.listApps(d)) {
    let detail: AppDetail;
    try {
      detail = (await daemonApi.getApp(d, summary.name)) as AppDetail;
    } catch (err) {
      // Deleted between the list and this read: it has no Services any more.
      if ((err as CapstanError).code === "APPLICATION_NOT_FOUND") continue;
      throw err;
    }
    rows.push(...servicePortRows(detail));
  }
  return sortServiceRows(rows);
}

export const GET_SERVICES_USAGE = "capstan get services|svc [APP] [-o table|json|yaml]";

/** `capstan get services [APP]`; `args` follow the resource word. */
export async function runGetServices(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { output: { type: "string", short: "o" } }, allowPositionals: true });
  // `text` is accepted for the table, as `version` and `diff` call their plain output.
  const format = parseOutputFormat(values.output, ["table", "text", "json", "yaml"] as const, "table");
  if (positionals.length > 1) throw new CapstanError("USAGE", `at most one application: ${GET_SERVICES_USAGE}`);
  const app = positionals[0];
  const d = findDaemon(ctx.global.stateDir);
  if (!d) {
    throw new CapstanError(
      "STATE_ERROR",
      `no daemon holds the state directory ${ctx.global.stateDir}: Services, their endpoints and node ports are served by \`capstan daemon\`, ` +
        "so only a running daemon can show them (start one with `capstan daemon --repo PATH`, or pass --state-dir of a running daemon)",
    );
  }
  const rows = await listServices(d, app);
  if (format === "json" || format === "yaml") {
    ctx.io.stdout(formatData(rows, format));
    return 0;
  }
  if (rows.length === 0) {
    ctx.io.stderr(app === undefined ? "No Services in any application.\n" : `Application ${app} has no Services.\n`);
    return 0;
  }
  ctx.io.stdout(formatServiceTable(rows));
  return 0;
}
