import type { ChildProcess } from 'node:child_process';

/**
 * How rb reacts to Ctrl-C (SIGINT) and SIGTERM, in one place:
 *  1. the entry point installs one listener per signal (installSignalHandlers);
 *  2. every child process started through runProcess (dbmate, pg_dump, pg_restore, squawk) is
 *     tracked here and gets SIGTERM on the first signal, so nothing rb started outlives it;
 *  3. a command that can stop cleanly runs inside `interruptible`: the first signal aborts its
 *     `signal` (the command stops at its next safe point, cleans up and throws InterruptedError),
 *     a second aborts `now` (stop at once: cancel the server statement, roll back), or, for work
 *     that does not listen to `now`, makes the entry point exit at once;
 *  4. with no command listening, the entry point exits at once (130 / 143).
 * Nothing survives kill -9 reliably, so migrations also name their sessions and a rerun looks
 * for them in pg_stat_activity (src/migrations).
 */
export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface Interruption {
  /** Aborted by the first SIGINT/SIGTERM; its reason is the signal's name. */
  readonly signal: AbortSignal;
  /** Aborted by the second one: stop at once. */
  readonly now: AbortSignal;
}

interface Scope {
  first: AbortController;
  second: AbortController;
  handlesNow: boolean;
}

const children = new Set<ChildProcess>();
const scopes = new Set<Scope>();
let received = 0;
let installed = false;

/** Exit code shells expect for a command stopped by a signal: 128 + its number. */
export function exitCodeFor(signal: StopSignal): number {
  return signal === 'SIGTERM' ? 143 : 130;
}

/** The signal that aborted an Interruption's AbortSignal (SIGINT when it was aborted otherwise). */
export function stopSignalOf(signal: AbortSignal): StopSignal {
  return signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
}

/** Ends every tracked child process (they may be mid-statement: the server rolls that back). */
export function endChildren(signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

/** Registers a child process so it ends with rb; returns the function that forgets it. */
export function trackChild(child: ChildProcess): () => void {
  children.add(child);
  if (received > 0) child.kill('SIGTERM'); // started after the stop was asked for
  return () => children.delete(child);
}

/**
 * Called once by the entry point. `onUnhandled` runs when no command is listening (it exits).
 * Children also get SIGTERM when rb exits for any other reason while they run.
 */
export function installSignalHandlers(onUnhandled: (signal: StopSignal) => void): void {
  if (installed) return;
  installed = true;
  const handle = (signal: StopSignal) => {
    received += 1;
    endChildren('SIGTERM');
    if (scopes.size === 0) return onUnhandled(signal);
    let handled = true;
    for (const scope of scopes) {
      if (!scope.first.signal.aborted) scope.first.abort(signal);
      else {
        scope.second.abort(signal);
        handled &&= scope.handlesNow;
      }
    }
    if (!handled) onUnhandled(signal);
  };
  process.on('SIGINT', () => handle('SIGINT'));
  process.on('SIGTERM', () => handle('SIGTERM'));
  process.on('exit', () => endChildren('SIGTERM'));
}

/**
 * Runs work that stops cleanly when asked to (see the module comment). With `handlesNow`, the
 * work also reacts to a second signal itself; otherwise a second signal ends rb at once.
 */
export async function interruptible<T>(work: (interruption: Interruption) => Promise<T>, options: { handlesNow?: boolean } = {}): Promise<T> {
  const scope: Scope = { first: new AbortController(), second: new AbortController(), handlesNow: Boolean(options.handlesNow) };
  scopes.add(scope);
  try {
    return await work({ signal: scope.first.signal, now: scope.second.signal });
  } finally {
    scopes.delete(scope);
  }
}

/**
 * Cancels the statement a server backend is running (pg_cancel_backend from a connection of its
 * own), as psql does on Ctrl-C; the backend's transaction is then aborted and rolls back.
 */
export async function cancelBackend(url: string, pid: number): Promise<void> {
  const { withClient } = await import('./client.ts');
  await withClient(url, (sql) => sql`select pg_cancel_backend(${pid})`);
}

/**
 * Ends a server backend (pg_terminate_backend) and waits up to `waitMs` for it to be gone: the
 * server rolls its transaction back and releases its locks. For a session that did not let go
 * after cancelBackend (its client caught the error, or is busy elsewhere).
 */
export async function terminateBackend(url: string, pid: number, waitMs = 5000): Promise<void> {
  const { withClient } = await import('./client.ts');
  await withClient(url, async (sql) => {
    await sql`select pg_terminate_backend(${pid})`;
    for (const started = Date.now(); Date.now() - started < waitMs; await new Promise((r) => setTimeout(r, 20))) {
      const [row] = await sql<{ gone: boolean }[]>`select not exists(select 1 from pg_stat_activity where pid = ${pid}) as gone`;
      if (row.gone) return;
    }
  });
}
