/**
 * Line diff (Myers' O(ND) greedy algorithm) and unified-diff hunks. Written here because no diff
 * library is among the project's dependencies; objects are at most a few hundred lines, so the
 * simple linear-space-per-step trace is plenty.
 */
export type LineOp = { op: " " | "-" | "+"; line: string };

export function diffLines(a: string[], b: string[]): LineOp[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // Each step keeps only the diagonals it can reach (-d-1 … d+1), so memory grows with D², not D·(N+M).
  const trace: { lo: number; xs: Int32Array }[] = [];
  const snapshot = (d: number) => ({ lo: -d - 1, xs: v.slice(Math.max(0, offset - d - 1), offset + d + 2) });
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(snapshot(d));
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0))) x = v[offset + k + 1] ?? 0;
      else x = (v[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
    if (found) trace.push(snapshot(d));
  }
  // Walk the trace backwards to recover the edit script.
  const ops: LineOp[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 2; d >= 0; d--) {
    const snap = trace[d] as { lo: number; xs: Int32Array };
    const at = (k: number) => snap.xs[k - snap.lo] ?? 0;
    const k = x - y;
    let prevK: number;
    if (k === -d || (k !== d && at(k - 1) < at(k + 1))) prevK = k + 1;
    else prevK = k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ op: " ", line: a[x - 1] as string });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) ops.push({ op: "+", line: b[y - 1] as string });
      else ops.push({ op: "-", line: a[x - 1] as string });
      x = prevX;
      y = prevY;
    }
  }
  while (x > 0 && y > 0) {
    ops.push({ op: " ", line: a[x - 1] as string });
    x--;
    y--;
  }
  return ops.reverse();
}

export interface Hunk {
  header: string;
  lines: LineOp[];
}

/** Groups an edit script into unified-diff hunks with `context` unchanged lines around each change. */
export function unifiedHunks(ops: LineOp[], context = 3): Hunk[] {
  const hunks: Hunk[] = [];
  const changeAt = ops.map((o, i) => (o.op === " " ? -1 : i)).filter((i) => i >= 0);
  if (changeAt.length === 0) return hunks;
  // Line numbers before each op.
  const aLine: number[] = [];
  const bLine: number[] = [];
  let ai = 1;
  let bi = 1;
  for (const o of ops) {
    aLine.push(ai);
    bLine.push(bi);
    if (o.op !== "+") ai++;
    if (o.op !== "-") bi++;
  }
  let start = Math.max(0, (changeAt[0] as number) - context);
  let end = Math.min(ops.length, (changeAt[0] as number) + context + 1);
  const flush = () => {
    const lines = ops.slice(start, end);
    const aCount = lines.filter((l) => l.op !== "+").length;
    const bCount = lines.filter((l) => l.op !== "-").length;
    const aStart = aCount === 0 ? (aLine[start] as number) - 1 : (aLine[start] as number);
    const bStart = bCount === 0 ? (bLine[start] as number) - 1 : (bLine[start] as number);
    hunks.push({ header: `@@ -${aStart},${aCount} +${bStart},${bCount} @@`, lines });
  };
  for (const i of changeAt.slice(1)) {
    if (i - context <= end) {
      end = Math.min(ops.length, i + context + 1);
    } else {
      flush();
      start = Math.max(0, i - context);
      end = Math.min(ops.length, i + context + 1);
    }
  }
  flush();
  return hunks;
}

/** A unified diff of two texts, `---`/`+++` headers included; empty when they are equal. */
export function unifiedDiff(before: string, after: string, fromName: string, toName: string, context = 3): string {
  const split = (s: string) => (s === "" ? [] : s.replace(/\n$/, "").split("\n"));
  const hunks = unifiedHunks(diffLines(split(before), split(after)), context);
  if (hunks.length === 0) return "";
  const out = [`--- ${fromName}`, `+++ ${toName}`];
  for (const h of hunks) {
    out.push(h.header);
    for (const l of h.lines) out.push(`${l.op}${l.line}`);
  }
  return `${out.join("\n")}\n`;
}
