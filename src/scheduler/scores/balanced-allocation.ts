/**
 * NodeResourcesBalancedAllocation: nodes whose CPU and memory would be used in equal shares score
 * higher (100 × (1 − standard deviation of the two fractions)). Actual requests are used, and a
 * pod without requests is not scored by it (Kubernetes skips best-effort pods here).
 */
export function balancedAllocationScore(reqCpu: number, allocCpu: number, reqMem: number, allocMem: number): number {
  if (allocCpu <= 0 || allocMem <= 0) return 100; // one fraction or none: no spread to measure
  const cpu = reqCpu >= allocCpu ? 1 : reqCpu / allocCpu;
  const mem = reqMem >= allocMem ? 1 : reqMem / allocMem;
  const std = Math.abs((cpu - mem) / 2);
  return Math.trunc((1 - std) * 100);
}
