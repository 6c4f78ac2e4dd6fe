/** Where the store reads the time; tests pass a fake to expire leases without sleeping. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

export function isoAt(clock: Clock): string {
  return new Date(clock.nowMs()).toISOString();
}
