import { connectionLossReason } from '../client.ts';

/**
 * A backfill's connection can be closed by the server under it (a restart, a crash,
 * pg_terminate_backend). postgres.js 3.4.9 has two gaps there, closed around it:
 *  - the in-flight statement is rejected (CONNECTION_CLOSED, or the server's 57P01) after the
 *    socket is gone; the ROLLBACK sql.begin then sends throws from a setImmediate, an
 *    uncatchable TypeError that would crash rb (porsager/postgres#1154, #1208; fixes unreleased).
 *    `watchConnectionLoss` drops exactly that throw (from the first backfill on, see below);
 *  - that ROLLBACK never settles, so neither does sql.begin: `race` stops waiting for the
 *    transaction at the first connection-loss error it has seen.
 */
export interface LossWatch {
  /** Passes `error` through; remembers the first one that means the connection is gone. */
  note(error: unknown): unknown;
  /** The first connection-loss error noted, if any. */
  readonly error: unknown;
  /** Settles as `work` does, or rejects with the loss as soon as one is noted. */
  race<T>(work: Promise<T>): Promise<T>;
}

/** The TypeError postgres.js throws when it writes to a connection the server already closed. */
function isWriteToClosedSocket(error: unknown): boolean {
  const stack = error instanceof TypeError ? (error.stack ?? '') : '';
  return /reading 'write'/.test(stack) && /\bnextWrite\b/.test(stack) && /postgres[\\/]src[\\/]connection\.js/.test(stack);
}

export async function watchConnectionLoss<T>(work: (watch: LossWatch) => Promise<T>): Promise<T> {
  let lost: unknown;
  let onLost!: (error: unknown) => void;
  const lostPromise = new Promise<never>((_resolve, reject) => (onLost = reject));
  lostPromise.catch(() => undefined); // observed through `race` only
  const watch: LossWatch = {
    note(error) {
      if (lost === undefined && connectionLossReason(error)) {
        lost = error;
        onLost(error);
      }
      return error;
    },
    get error() {
      return lost;
    },
    race: (promise) => Promise.race([promise, lostPromise]),
  };
  dropWritesToClosedSockets();
  return work(watch);
}

let dropping = false;

/**
 * Installed once, for the rest of rb's life: the stray write can fire after the backfill has
 * returned (rb exits right after). Any other uncaught error keeps Node's default behaviour.
 */
function dropWritesToClosedSockets(): void {
  if (dropping) return;
  dropping = true;
  const listener = (error: Error) => {
    if (isWriteToClosedSocket(error)) return;
    process.removeListener('uncaughtException', listener);
    setImmediate(() => {
      throw error; // printed with its stack, exit code 1, as without this listener
    });
  };
  process.on('uncaughtException', listener);
}
