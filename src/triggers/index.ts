export { handleWebhook, constantTimeEqual, repoURLsOf } from "./webhook.js";
export type { WebhookErrorCode, WebhookOptions, WebhookProvider, WebhookRequest, WebhookResult, WebhookSecrets } from "./webhook.js";
export { readBodyCapped, DEFAULT_WEBHOOK_MAX_BYTES } from "./body.js";
export type { CappedBody } from "./body.js";
export { matchRepos, normalizeRepoURL, sameRepo } from "./repo-url.js";
export { checkSchedule, schedulePoll, DEFAULT_POLL_SCHEDULE, POLL_JITTER } from "./poll.js";
export type { PollOptions, PollSchedule } from "./poll.js";
export { gitDirsOf, watchRepository, DEFAULT_WATCH_DEBOUNCE_MS } from "./watch.js";
export type { RepoWatch, WatchOptions } from "./watch.js";
