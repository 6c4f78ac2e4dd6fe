/**
 * Polling a repository on a cron schedule (node-cron; six fields allow seconds). Each tick waits a
 * random part of up to 10% of the period first, so many repositories on one schedule do not all
 * fetch in the same second. A tick still running when the next is due is skipped, not stacked.
 */
import cron from "node-cron";
import type { ScheduledTask } from "node-cron";
import { CapstanError } from "../errors.js";
import { parseCron } from "../manifest/cron.js";
import type { CronSyntax } from "../manifest/cron.js";

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

/** Poll schedules as node-cron runs them: no `@every`, `N/step` or `?` outside the day fields. */
const POLL_CRON: CronSyntax = { seconds: true, every: false, stepFromValue: false, question: "days", emptyListItems: false };

/**
 * Why a cron expression of the config file is not one node-cron would run as written, naming the
 * field (`"0 61 * * * *": minute 61 is out of range 0-59`), or undefined. With `seconds`,
 * six fields (seconds first) are allowed beside five.
 */
export function cronProblem(expression: string, options: { seconds: boolean }): string | undefined {
  const parsed = parseCron(expression, { ...POLL_CRON, seconds: options.seconds });
  if (!parsed.ok) return `${JSON.stringify(expression)}: ${parsed.error}`;
  // Whatever this reading accepts, node-cron must run: anything it still refuses is refused here.
  const check = cron.validateDetailed(expression.trim());
  if (check.valid) return undefined;
  return `${JSON.stringify(expression)}: node-cron cannot run it (${check.errors.map((e) => e.message).join("; ") || "invalid expression"})`;
}

/** Throws CONFIG_INVALID naming the field and value of a bad cron expression. */
export function checkSchedule(schedule: string, repo?: string): void {
  const problem = cronProblem(schedule, { seconds: true });
  if (problem === undefined) return;
  const where = repo === undefined ? "" : ` for ${repo}`;
  throw new CapstanError(
    "CONFIG_INVALID",
    `poll schedule${where} is not a cron expression: ${problem} ` +
      `(use five fields, minute hour day-of-month month day-of-week, or six with seconds first, e.g. "${DEFAULT_POLL_SCHEDULE}" for every 30 seconds)`,
  );
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
