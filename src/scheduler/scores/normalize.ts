/**
 * Kubernetes' DefaultNormalizeScore for one node: scaled so the best raw score among the feasible
 * nodes (`max`) becomes 100. With every raw score 0 the result is 0, or 100 when `reverse` (fewer
 * is better, as for untolerated PreferNoSchedule taints).
 */
export function normalizeToMax(raw: number, max: number, reverse: boolean): number {
  if (max <= 0) return reverse ? 100 : 0;
  const s = Math.floor((100 * raw) / max);
  return reverse ? 100 - s : s;
}
