/**
 * Restart back-off of a pod's container, as the kubelet does it: 10 s after the first exit,
 * doubling per further exit up to 5 min; a run that lasted 10 min clears the count.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** A run at least this long resets the back-off. */
  resetAfterMs: number;
}

export const DEFAULT_RESTART_BACKOFF: BackoffPolicy = { baseMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

export interface BackoffState {
  /** Exits (or failed attempts) counted since the last reset. */
  failures: number;
  /** Clock ms before which no new attempt is made; null when not waiting. */
  nextAttemptAt: number | null;
}

export const NO_BACKOFF: BackoffState = { failures: 0, nextAttemptAt: null };

/** Wait before the attempt after the `failures`-th failure (1 → base). */
export function backoffDelay(failures: number, policy: BackoffPolicy = DEFAULT_RESTART_BACKOFF): number {
  if (failures <= 0) return 0;
  return Math.min(policy.baseMs * 2 ** Math.min(failures - 1, 40), policy.maxMs);
}

/**
 * Records one failure at `now`. `ranForMs` is how long the container ran before it exited
 * (omit for failures to start, such as a missing image): a long run starts the count afresh.
 */
export function recordFailure(state: BackoffState, now: number, ranForMs?: number, policy: BackoffPolicy = DEFAULT_RESTART_BACKOFF): BackoffState {
  const base = ranForMs !== undefined && ranForMs >= policy.resetAfterMs ? 0 : state.failures;
  const failures = base + 1;
  return { failures, nextAttemptAt: now + backoffDelay(failures, policy) };
}

/** Ms left to wait before the next attempt (0 when it may happen now). */
export function waitLeft(state: BackoffState, now: number): number {
  return state.nextAttemptAt === null ? 0 : Math.max(0, state.nextAttemptAt - now);
}
