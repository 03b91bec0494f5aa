import { cancelBackend, terminateBackend } from '../interrupt.ts';

/** `work` did not let go after its statement was cancelled; its backend was ended instead. */
export class WorkStopped extends Error {
  constructor() {
    super('the server session was ended');
    this.name = 'WorkStopped';
  }
}

export interface StopOptions {
  url: string;
  /** The backend running the work's transaction, once known (pg_backend_pid()). */
  pid: () => number | undefined;
  /** Aborted: stop the server work (Ctrl-C). */
  stop?: AbortSignal;
  /** Aborted after `stop`: do not wait for the script to let go (a second Ctrl-C). */
  escalate?: AbortSignal;
  /** How long the script may take to let go after the cancel (default 2 s). */
  graceMs?: number;
}

/** Resolves when `signal` aborts or `until` does, whichever comes first; leaves no listener behind. */
function abortOf(signal: AbortSignal | undefined, until: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (!signal || until.aborted) return;
    if (signal.aborted) return resolve();
    const done = () => {
      signal.removeEventListener('abort', done);
      until.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    until.addEventListener('abort', done, { once: true });
  });
}

/**
 * Awaits `work` (a transaction on one connection) and, when `stop` aborts, stops what the server
 * does for it, as psql does on Ctrl-C: rb exiting alone would leave the statement running on the
 * server, holding its locks inside the open transaction until statement_timeout.
 *  1. the running statement is cancelled (pg_cancel_backend): the transaction is aborted, and
 *     when the script lets the error propagate, postgres.js rolls it back and `work` settles;
 *  2. if `work` has not settled `graceMs` later (the script caught the error, or is busy outside
 *     the database), or at once when `escalate` aborts, the backend is ended
 *     (pg_terminate_backend): the server rolls the transaction back and releases its locks.
 * Settles as `work` does, or rejects with WorkStopped after step 2.
 */
export async function stopServerWorkOn<T>(work: Promise<T>, options: StopOptions): Promise<T> {
  if (!options.stop) return work;
  const finished = new AbortController();
  const settled = work.then(() => undefined, () => undefined);
  const stopped = abortOf(options.stop, finished.signal).then(async () => {
    if (finished.signal.aborted) return;
    const pid = options.pid();
    // Best effort: when the server cannot be reached, the session is going away anyway.
    if (pid !== undefined) await cancelBackend(options.url, pid).catch(() => undefined);
    const grace = new AbortController();
    const timer = setTimeout(() => grace.abort(), options.graceMs ?? 2000);
    try {
      const letGo = await Promise.race([
        settled.then(() => true),
        abortOf(grace.signal, finished.signal).then(() => false),
        abortOf(options.escalate, finished.signal).then(() => false),
      ]);
      if (letGo || finished.signal.aborted) return;
    } finally {
      clearTimeout(timer);
    }
    const current = options.pid();
    if (current !== undefined) await terminateBackend(options.url, current).catch(() => undefined);
    throw new WorkStopped();
  });
  try {
    return await Promise.race([work, stopped.then(() => work)]);
  } finally {
    finished.abort();
  }
}
