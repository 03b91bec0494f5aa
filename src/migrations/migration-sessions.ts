import type { Sql } from '../client.ts';
import { InterruptedError, MigrationError } from '../errors.ts';
import { stopSignalOf } from '../interrupt.ts';
import { describeBackend, sessionsNamedLike, type SessionActivity } from '../session-activity.ts';
import { describeSessionOwner, escapeLike, rbSessionPattern, sessionOwner } from '../session-names.ts';
import { dbmateSessionName } from './dbmate.ts';

/**
 * dbmate sessions on this database, found by the application_name rb gives them
 * (src/migrations/dbmate.ts). The migration lock alone is not enough: it goes with the rb process
 * that took it, while a dbmate child of an rb killed with kill -9 carries on (nothing can end it)
 * and its session runs on the server until its statement ends.
 */
export interface MigrationSession extends SessionActivity {
  /** What its name says of the rb that started it: "a dbmate left by an rb that was killed (pid 4242)". */
  owner: string;
}

export interface SessionWait {
  waitedMs: number;
  sessions: MigrationSession[];
}

/** dbmate sessions of any rb on the database sql is connected to (other than sql's own). */
export async function migrationSessions(sql: Sql, applicationName?: string): Promise<MigrationSession[]> {
  const pattern = applicationName ? escapeLike(applicationName) : rbSessionPattern('dbmate (pid ');
  return (await sessionsNamedLike(sql, pattern)).map((session) => {
    const owner = sessionOwner(session.applicationName);
    return { ...session, owner: owner ? describeSessionOwner(owner, 'a dbmate') : `a dbmate session named "${session.applicationName}"` };
  });
}

/** "a dbmate left by an rb that was killed (pid 4242): backend pid 5151, active for 3s: -- migrate:up ..." */
export function describeSessions(sessions: MigrationSession[]): string {
  return sessions.map((s) => `${s.owner}: ${describeBackend(s)}`).join('; ');
}

/** "a dbmate left by an rb that was killed (pid 4242)" for each rb whose sessions these are, once. */
export function describeOwners(sessions: MigrationSession[]): string {
  return [...new Set(sessions.map((s) => s.owner))].join(' and ');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until no dbmate session of an earlier rb run is left on this database, so what it is
 * applying is committed or rolled back before this run reads the applied versions. Called with
 * the migration lock held. Reports after `reportAfterMs`; gives up after `maxWaitMs` with the
 * sessions named and how to end them. Returns the sessions it waited for.
 */
export async function waitForEarlierSessions(
  sql: Sql,
  options: {
    onWait?: (wait: SessionWait) => void;
    pollMs?: number;
    reportAfterMs?: number;
    reportEveryMs?: number;
    maxWaitMs?: number;
    signal?: AbortSignal;
    /** Throws when sql must not be used any more (its connection closed). */
    beforeQuery?: () => void;
  },
): Promise<MigrationSession[]> {
  const pollMs = options.pollMs ?? 100;
  const reportAfterMs = options.reportAfterMs ?? 1000;
  const reportEveryMs = options.reportEveryMs ?? 30000;
  const maxWaitMs = options.maxWaitMs ?? 10 * 60 * 1000;
  const started = Date.now();
  let nextReport = reportAfterMs;
  const seen = new Map<number, MigrationSession>();
  for (;;) {
    options.beforeQuery?.();
    const sessions = await migrationSessions(sql);
    if (sessions.length === 0) return [...seen.values()];
    for (const session of sessions) seen.set(session.pid, session);
    const waited = Date.now() - started;
    if (waited >= maxWaitMs) {
      throw new MigrationError(
        `gave up after ${Math.round(waited / 1000)}s waiting for ${describeSessions(sessions)}; ` +
          'dbmate carries on after its rb is gone, until its statement ends; wait for it, ' +
          `or end it (select pg_terminate_backend(${sessions[0].pid})) and run rb status to see what was applied`,
      );
    }
    if (waited >= nextReport) {
      options.onWait?.({ waitedMs: waited, sessions });
      nextReport += reportEveryMs;
    }
    if (options.signal?.aborted) {
      const signal = stopSignalOf(options.signal);
      throw new InterruptedError(`stopped by ${signal} while waiting for ${describeOwners(sessions)} to finish; nothing was applied`, signal);
    }
    await sleep(pollMs);
  }
}

/**
 * Ends this process's own dbmate sessions (after rb stopped its dbmate child, the server may
 * still run the statement) and waits until they are gone, so what they did is settled: a
 * transaction rolled back, or a transaction:false statement cut off.
 */
export async function endOwnSessions(sql: Sql, timeoutMs = 30000): Promise<void> {
  const name = dbmateSessionName();
  const started = Date.now();
  for (;;) {
    const sessions = await migrationSessions(sql, name);
    if (sessions.length === 0) return;
    if (Date.now() - started > timeoutMs) {
      throw new MigrationError(`rb could not end its own migration session(s) ${describeSessions(sessions)} within ${timeoutMs / 1000}s`);
    }
    for (const session of sessions) await sql`select pg_terminate_backend(${session.pid})`;
    await sleep(50);
  }
}
