/**
 * Health of an object, worst wins: the order is the design's (Healthy best, Unknown worst), so
 * aggregating many objects' health is one comparison per object.
 */
export const HEALTH_ORDER = ["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"] as const;

export type HealthStatus = (typeof HEALTH_ORDER)[number];

export interface Health {
  status: HealthStatus;
  message?: string;
}

export function healthRank(h: HealthStatus): number {
  return HEALTH_ORDER.indexOf(h);
}

/** The worse of two health values. */
export function worstHealth(a: HealthStatus, b: HealthStatus): HealthStatus {
  return healthRank(b) > healthRank(a) ? b : a;
}

/** The worst of many (Healthy for none); keeps the message of the one that decided it. */
export function aggregateHealth(items: Iterable<Health>): Health {
  let worst: Health = { status: "Healthy" };
  for (const h of items) if (healthRank(h.status) > healthRank(worst.status)) worst = h;
  return worst;
}
