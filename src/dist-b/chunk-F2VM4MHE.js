import {
  runMigrations
} from "./chunk-H26FYK5V.js";
import {
  urlWithTimeouts
} from "./chunk-LHYBNGSH.js";
import {
  stopSignalOf
} from "./chunk-NMHWLE4Q.js";

// dist/migrations/apply-migration.js
var LOCK_TIMEOUT_SQLSTATE = "55P03";
var sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function runBatch(url, files, command, settings, options = {}) {
  if (files.length === 0)
    return { done: [] };
  const timedUrl = urlWithTimeouts(url, settings, files[0].directives.timeouts);
  const lockTimeout = new URL(timedUrl).searchParams.get("lock_timeout") ?? "";
  const attempts = settings.lockRetries + 1;
  const done = [];
  let remaining = files;
  let attempt = 1;
  for (; ; ) {
    if (options.signal?.aborted)
      return { done, stopped: { signal: stopSignalOf(options.signal) } };
    const run = await runMigrations(timedUrl, remaining, command);
    done.push(...run.done);
    if (run.stopped)
      return { done, stopped: run.stopped };
    if (!run.failure)
      return { done };
    const failed = run.failure.file;
    if (run.done.length)
      attempt = 1;
    const lockTimedOut = run.failure.sqlState === LOCK_TIMEOUT_SQLSTATE;
    if (!failed || !lockTimedOut || attempt >= attempts) {
      return { done, failure: { failure: run.failure, attempts: attempt, lockTimedOut, lockTimeout } };
    }
    const waitMs = settings.retryWaitMs * 2 ** (attempt - 1);
    attempt += 1;
    options.onRetry?.({ fileName: failed.fileName, attempt, attempts, waitMs, lockTimeout });
    await sleep(waitMs);
    remaining = remaining.slice(remaining.indexOf(failed));
  }
}
function migrateBatches(files, settings) {
  const batches = [];
  let key = null;
  for (const file of files) {
    if (file.up.options.transaction === "false") {
      batches.push([file]);
      key = null;
      continue;
    }
    const fileKey = urlWithTimeouts("postgres://x/y", settings, file.directives.timeouts);
    if (key === fileKey)
      batches.at(-1).push(file);
    else
      batches.push([file]);
    key = fileKey;
  }
  return batches;
}

export {
  runBatch,
  migrateBatches
};
