/**
 * NodeResourcesFit scoring over CPU and memory (weight 1 each), with pods lacking requests counted
 * at 100m / 200Mi. LeastAllocated prefers the emptiest node; MostAllocated packs nodes.
 */
export function leastAllocatedScore(reqCpu: number, allocCpu: number, reqMem: number, allocMem: number): number {
  return Math.floor((least(reqCpu, allocCpu) + least(reqMem, allocMem)) / 2);
}

export function mostAllocatedScore(reqCpu: number, allocCpu: number, reqMem: number, allocMem: number): number {
  return Math.floor((most(reqCpu, allocCpu) + most(reqMem, allocMem)) / 2);
}

function least(requested: number, capacity: number): number {
  if (capacity <= 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * 100) / capacity);
}

function most(requested: number, capacity: number): number {
  if (capacity <= 0) return 0;
  return Math.floor((Math.min(requested, capacity) * 100) / capacity);
}
