import type { AppDetail } from "../../server/index.js";
import { formatTable } from "../printers.js";

/**
 * `capstan get app NAME` as text: the status line with why sync and health are what they are, the
 * workloads with current replica counts, every pod (a Pending one with the scheduler's reason), and
 * what is out of sync: drift field by field, and objects kept with pruning off.
 */
export function appDetailText(detail: AppDetail, syncColumn: string): string {
  const lines = [`${detail.name}: ${syncColumn}, ${detail.health}${detail.healthMessage ? ` (${detail.healthMessage})` : ""}, revision ${detail.currentRevision ?? "-"} at ${detail.commit?.sha.slice(0, 7) ?? "-"}`];
  if (detail.syncMessage) lines.push(`sync: ${detail.syncMessage}`);
  if (detail.syncedCommit && detail.syncedCommit !== detail.commit?.sha) lines.push(`compared with Git at ${detail.syncedCommit.slice(0, 7)} (no change to what the application renders since ${detail.commit?.sha.slice(0, 7) ?? "-"})`);
  let out = `${lines.join("\n")}\n\n`;
  const workloads = detail.objects.workloads;
  out += formatTable(workloads, [
    { header: "kind", value: (w) => w.kind },
    { header: "name", value: (w) => w.name },
    { header: "health", value: (w) => w.health },
    { header: "ready", value: (w) => `${w.ready}/${w.desired}` },
    { header: "message", value: (w) => w.healthMessage },
  ]);
  const pods = workloads.flatMap((w) => w.revisionSets.flatMap((set) => set.pods.map((p) => ({ ...p, owner: `${w.kind}/${w.name}`, revision: set.revision, current: set.current }))));
  if (pods.length > 0) {
    out += `\n${formatTable(pods, [
      { header: "pod", value: (p) => p.name },
      { header: "owner", value: (p) => p.owner },
      { header: "revision", value: (p) => `${p.revision}${p.current ? "" : " (old)"}` },
      { header: "ready", value: (p) => (p.ready ? "1/1" : "0/1") },
      { header: "status", value: (p) => p.reason || p.phase },
      { header: "restarts", value: (p) => String(p.restarts) },
      { header: "node", value: (p) => p.node || "<none>" },
      { header: "message", value: (p) => p.message ?? "" },
    ])}`;
  }
  if (detail.drift.length > 0 || detail.kept.length > 0) {
    const rows = [
      ...detail.drift.map((d) => ({ object: d.object, field: d.field, live: d.live, desired: d.desired })),
      ...detail.kept.map((k) => ({ object: `${k.kind}/${k.name}`, field: "-", live: "present", desired: "not in Git (prune off)" })),
    ];
    out += `\nOUT OF SYNC\n${formatTable(rows, [
      { header: "object", value: (r) => r.object },
      { header: "field", value: (r) => r.field },
      { header: "live", value: (r) => r.live },
      { header: "desired", value: (r) => r.desired },
    ])}`;
  }
  return out;
}
