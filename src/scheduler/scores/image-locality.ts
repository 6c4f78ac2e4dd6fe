const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/**
 * ImageLocality: the sizes of the pod's images already on the node, each scaled by the share of
 * nodes that have it (so an image everywhere does not make one node special), clamped between
 * 23 MB and 1000 MB per container and mapped onto 0–100.
 */
export function imageLocalityScore(
  images: readonly string[],
  nodeImages: Record<string, number>,
  nodesWithImage: (ref: string) => number,
  totalNodes: number,
): number {
  if (images.length === 0 || totalNodes === 0) return 0;
  let sum = 0;
  for (const ref of images) {
    const size = nodeImages[ref];
    if (size === undefined) continue;
    sum += Math.trunc(size * (nodesWithImage(ref) / totalNodes));
  }
  const max = MAX_CONTAINER_THRESHOLD * images.length;
  const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), max);
  return Math.floor((100 * (clamped - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
}
