import { asConnectionError, connect, type Sql } from '../client.ts';
import { ConnectionError, InterruptedError, MigrationError } from '../errors.ts';
import { stopSignalOf } from '../interrupt.ts';
import { maskUrl } from '../target/database-url.ts';
import { rbSessionName } from '../session-names.ts';
import { waitForEarlierSessions, type MigrationSession, type SessionWait } from './migration-sessions.ts';

/**
 * The advisory lock rb holds while it migrates a database (two int4 keys: "rb", "mg").
 * Advisory locks are per database, so one pair serves every database on a server.
 */
export const LOCK_KEYS = [0x7262, 0x6d67] as const;

/** Who holds the migration lock, from pg_locks joined with pg_stat_activity. */
export interface LockHolder {
  pid: number;
  applicationName: string;
  clientAddr: string | null;
  /** Seconds since the holder's session connected. */
  connectedSeconds: number;
}

export interface LockWait {
  waitedMs: number;
  holder: LockHolder | null;
}

export interface LockOptions {
  /** Called when the lock is still taken after reportAfterMs, then every reportEveryMs. */
  onWait?: (wait: LockWait) => void;
  pollMs?: number;
  reportAfterMs?: number;
  reportEveryMs?: number;
  /** Give up after this long (default 10 minutes). */
  maxWaitMs?: number;
  /** Called while a dbmate session of an earlier (killed) rb run is still active on the database. */
  onSessionWait?: (wait: SessionWait) => void;
  /** Aborting stops the wait (InterruptedError). */
  signal?: AbortSignal;
}

/** What the work gets while it holds the lock. */
export interface HeldLock {
  /** dbmate sessions of earlier rb runs this run waited for, after it got the lock, before its work. */
  earlierSessions: MigrationSession[];
  /**
   * Throws ConnectionError when the session holding the lock is gone (a server restart, a
   * terminated backend): the lock went with it, so nothing more may be applied.
   */
  assertHeld(): Promise<void>;
}

export function describeHolder(holder: LockHolder | null): string {
  if (!holder) return 'another session (it released the lock as rb looked)';
  const client = holder.clientAddr ? `, client ${holder.clientAddr}` : '';
  return `backend pid ${holder.pid} ("${holder.applicationName}"${client}, connected ${holder.connectedSeconds}s ago)`;
}

async function lockHolder(sql: Sql): Promise<LockHolder | null> {
  const [row] = await sql<{ pid: number; application_name: string; client_addr: string | null; connected: number }[]>`
    select l.pid, a.application_name, host(a.client_addr) as client_addr,
           floor(extract(epoch from now() - a.backend_start))::int as connected
      from pg_locks l
      left join pg_stat_activity a on a.pid = l.pid
     where l.locktype = 'advisory' and l.granted
       and l.database = (select oid from pg_database where datname = current_database())
       and l.classid = ${LOCK_KEYS[0]} and l.objid = ${LOCK_KEYS[1]} and l.objsubid = 2
     limit 1`;
  if (!row) return null;
  return { pid: row.pid, applicationName: row.application_name ?? '', clientAddr: row.client_addr, connectedSeconds: row.connected ?? 0 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs work while holding the migration lock, on a connection of its own. It polls
 * pg_try_advisory_lock instead of blocking in pg_advisory_lock: a session blocked on the lock
 * makes CREATE INDEX CONCURRENTLY in the holder's migration wait for it forever (Flyway 1654,
 * golang-migrate 960). The lock is released (and the connection closed) however work ends.
 */
export async function withMigrationLock<T>(url: string, options: LockOptions, work: (lock: HeldLock) => Promise<T>): Promise<T> {
  const pollMs = options.pollMs ?? 250;
  const reportAfterMs = options.reportAfterMs ?? 3000;
  const reportEveryMs = options.reportEveryMs ?? 30000;
  const maxWaitMs = options.maxWaitMs ?? 10 * 60 * 1000;
  // A reserved postgres.js connection the server closed must not be used again (a query on it
  // throws a TypeError from inside postgres.js that nothing can catch): note when it closes.
  let closed = false;
  const client = connect(url, {
    max: 1,
    connection: { application_name: rbSessionName('migrate') },
    onclose: () => (closed = true),
  });
  const lost = () =>
    new ConnectionError(
      `lost the connection to ${maskUrl(url)} that held or awaited the migration lock (the server restarted or ended the session); ` +
        'rb stopped before applying more; run rb status, then the command again once the server is reachable',
    );
  const guard = () => {
    if (closed) throw lost();
  };
  let reserved: Awaited<ReturnType<Sql['reserve']>> | undefined;
  let locked = false;
  let earlierSessions: MigrationSession[] = [];
  try {
    try {
      reserved = await client.reserve();
      const started = Date.now();
      let nextReport = reportAfterMs;
      for (;;) {
        guard();
        const [row] = await reserved<{ ok: boolean }[]>`select pg_try_advisory_lock(${LOCK_KEYS[0]}, ${LOCK_KEYS[1]}) as ok`;
        if (row.ok) break;
        const waited = Date.now() - started;
        if (waited >= maxWaitMs) {
          throw new MigrationError(
            `gave up after waiting ${Math.round(waited / 1000)}s for the migration lock, held by ${describeHolder(await lockHolder(reserved))}; ` +
              'wait for that migration to finish, or end that session (select pg_terminate_backend(<pid>)) if it is stuck',
          );
        }
        if (waited >= nextReport) {
          options.onWait?.({ waitedMs: waited, holder: await lockHolder(reserved) });
          nextReport += reportEveryMs;
        }
        if (options.signal?.aborted) {
          const signal = stopSignalOf(options.signal);
          throw new InterruptedError(`stopped by ${signal} while waiting for the migration lock; nothing was applied`, signal);
        }
        await sleep(pollMs);
      }
      locked = true;
      // A killed rb's dbmate may still be applying a migration: let it finish first.
      earlierSessions = await waitForEarlierSessions(reserved, { onWait: options.onSessionWait, signal: options.signal, beforeQuery: guard });
    } catch (error) {
      throw asConnectionError(error, url);
    }
    const held = reserved;
    return await work({
      earlierSessions,
      assertHeld: async () => {
        guard();
        try {
          await held`select 1`;
        } catch {
          throw lost();
        }
      },
    });
  } finally {
    if (reserved && locked && !closed) {
      try {
        await reserved`select pg_advisory_unlock(${LOCK_KEYS[0]}, ${LOCK_KEYS[1]})`;
      } catch {
        // The session is gone, and the lock went with it.
      }
    }
    if (!closed) reserved?.release();
    await client.end({ timeout: 5 });
  }
}
