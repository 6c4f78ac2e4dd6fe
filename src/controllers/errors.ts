/**
 * A reconcile that throws is retried with back-off; one that throws `TerminalError` is not,
 * because trying again cannot help (an invalid object, a missing owner).
 */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TerminalError";
  }
}

export function isTerminalError(err: unknown): err is TerminalError {
  return err instanceof TerminalError;
}
