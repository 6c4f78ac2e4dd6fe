export const REASON_TOO_MANY_PODS = "Too many pods";
export const REASON_INSUFFICIENT_CPU = "Insufficient cpu";
export const REASON_INSUFFICIENT_MEMORY = "Insufficient memory";

export const FIT_PODS = 1;
export const FIT_CPU = 2;
export const FIT_MEMORY = 4;

/**
 * The NodeResourcesFit filter, as a bit set of what is short (0 when the pod fits). A request of
 * zero is never short, as Kubernetes; the pod count is checked when the node bounds it.
 */
export function insufficientResources(
  podCpu: number,
  podMem: number,
  allocCpu: number,
  allocMem: number,
  allocPods: number,
  usedCpu: number,
  usedMem: number,
  pods: number,
): number {
  let short = 0;
  if (pods + 1 > allocPods) short |= FIT_PODS;
  if (podCpu > 0 && podCpu > allocCpu - usedCpu) short |= FIT_CPU;
  if (podMem > 0 && podMem > allocMem - usedMem) short |= FIT_MEMORY;
  return short;
}
