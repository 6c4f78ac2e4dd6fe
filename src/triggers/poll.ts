/**
 * Polling a repository on a cron schedule (node-cron; six fields allow seconds). Each tick waits a
 * random part of up to 10% of the period first, so many repositories on one schedule do not all
 * fetch in the same second. A tick still running when the next is due is skipped, not stacked.
 */
import cron from "node-cron";
import type { ScheduledTask } from "node-cron";
import { CapstanError } from "../errors.js";

export const DEFAULT_POLL_SCHEDULE = "*/30 * * * * *";
/** The share of the period a tick may wait before fetching. */
export const POLL_JITTER = 0.1;

export interface PollOptions {
  repo: string;
  /** Cron expression, five fields (minutes) or six (seconds); every 30 s by default. */
  schedule?: string;
  /** Fetch and refresh. Errors go to `onError` (the schedule keeps running). */
  onTick: (repo: string) => void | Promise<void>;
  onError?: (err: unknown, repo: string) => void;
  /** [0, 1); Math.random by default. Tests fix it. */
  random?: () => number;
}

export interface PollSchedule {
  readonly repo: string;
  readonly schedule: string;
  /** Time between two ticks, from the expression. */
  readonly periodMs: number;
  nextRun(): Date | null;
  /** Stops ticking, cancels a tick that is still waiting out its jitter, and waits for one that is running. */
  stop(): Promise<void>;
}

/** Throws CONFIG_INVALID naming the field and value of a bad cron expression. */
export function checkSchedule(schedule: string, repo?: string): void {
  const where = repo === undefined ? "" : ` for ${repo}`;
  const result = cron.validateDetailed(schedule);
  if (result.valid) return;
  const parts = result.errors.map((e) =>
    e.field === "expression" || e.value === undefined ? e.message : `${fieldName(e.field)} field ${JSON.stringify(e.value)} is not a valid value`,
  );
  throw new CapstanError(
    "CONFIG_INVALID",
    `poll schedule ${JSON.stringify(schedule)}${where} is not a cron expression (${parts.join("; ") || "wrong number of fields"}); ` +
      `use five fields (minute hour day month weekday) or six with seconds first, e.g. "${DEFAULT_POLL_SCHEDULE}" for every 30 seconds`,
  );
}

function fieldName(field: string): string {
  return field.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

/** Starts polling `repo`. */
export function schedulePoll(options: PollOptions): PollSchedule {
  const schedule = options.schedule ?? DEFAULT_POLL_SCHEDULE;
  checkSchedule(schedule, options.repo);
  const random = options.random ?? Math.random;
  const onError = options.onError ?? (() => undefined);
  let stopped = false;
  let waiting: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  let running: Promise<void> | null = null;

  const tick = async (): Promise<void> => {
    if (stopped || running) return;
    const delay = Math.floor(random() * POLL_JITTER * periodMs);
    running = (async () => {
      if (delay > 0) {
        await new Promise<void>((resolve) => {
          waiting = { timer: setTimeout(resolve, delay), resolve };
        });
        waiting = null;
      }
      if (stopped) return;
      try {
        await options.onTick(options.repo);
      } catch (err) {
        onError(err, options.repo);
      }
    })();
    try {
      await running;
    } finally {
      running = null;
    }
  };

  // node-cron would print its own coloured lines to the console; the daemon keeps one log format,
  // and a missed tick (the process was busy) needs no warning: the next one comes.
  const logger = {
    info: () => undefined,
    warn: () => undefined,
    debug: () => undefined,
    error: (message: string | Error, err?: Error) => onError(err ?? message, options.repo),
  };
  const task: ScheduledTask = cron.createTask(schedule, () => tick(), { name: `poll ${options.repo}`, logger });
  // The shortest gap among the next runs, so the jitter never pushes a tick past the one after it.
  const runs = task.getNextRuns(6).map((d) => d.getTime());
  const gaps = runs.slice(1).map((t, i) => t - runs[i]!);
  const periodMs = gaps.length > 0 ? Math.min(...gaps) : 30_000;
  void task.start();

  return {
    repo: options.repo,
    schedule,
    periodMs,
    nextRun: () => (stopped ? null : task.getNextRun()),
    async stop() {
      if (stopped) return;
      stopped = true;
      const w = waiting as { timer: NodeJS.Timeout; resolve: () => void } | null;
      if (w) {
        clearTimeout(w.timer);
        w.resolve();
      }
      await task.stop();
      await task.destroy();
      if (running) await running.catch(() => undefined);
    },
  };
}
