import { setTimeout as sleep } from 'node:timers/promises';
import type postgres from 'postgres';
import { InterruptedError } from '../errors.ts';
import { stopSignalOf } from '../interrupt.ts';
import { describeBackend, sessionsNamedLike, type SessionActivity } from '../session-activity.ts';
import { describeSessionOwner, rbSessionName, rbSessionPattern, sessionOwner, type SessionOwner } from '../session-names.ts';

/**
 * Sessions of other rb runs of the same script, found by the name every script session carries
 * (`rb run-script <file> (pid N on host)`, src/session-names.ts). An rb killed with kill -9 cannot
 * end its session: a statement it was running goes on on the server, holding the batch's row
 * locks, until it ends; then the server rolls the transaction back.
 */
export interface ScriptSession extends SessionActivity {
  owner: SessionOwner;
}

/** The application_name of this run's script session. */
export function scriptSessionName(shown: string, pid = process.pid): string {
  return rbSessionName(`run-script ${shown}`, pid);
}

/** Sessions on sql's database of other rb runs of the script shown as `shown`. */
export async function otherRunSessions(sql: postgres.Sql, shown: string): Promise<ScriptSession[]> {
  return (await sessionsNamedLike(sql, rbSessionPattern('run-script '))).flatMap((session) => {
    const owner = sessionOwner(session.applicationName);
    if (!owner || owner.state === 'this-run' || scriptSessionName(shown, owner.pid) !== session.applicationName) return [];
    return [{ ...session, owner }];
  });
}

/**
 * "a session of rb run-script backfill/fill.ts left by an rb that was killed (pid 4242): backend
 * pid 5151, active for 3s: update ...; it holds its transaction's locks until its statement ends
 * (then the server rolls it back); end it at once with select pg_terminate_backend(5151)"
 */
export function describeScriptSessions(sessions: ScriptSession[], shown: string): string {
  const each = sessions.map((s) => `${describeSessionOwner(s.owner, `a session of rb run-script ${shown}`)}: ${describeBackend(s)}`);
  const ends = sessions.map((s) => `select pg_terminate_backend(${s.pid})`).join('; ');
  return `${each.join('; ')}; it holds its transaction's locks until its statement ends (then the server rolls it back); end it at once with ${ends}`;
}

/**
 * Waits until no session of a killed rb run of this script is left (its locks would block this
 * run's statements, with nothing said). Reports them once, when first seen. Throws
 * InterruptedError when `signal` aborts while it waits (nothing was changed yet).
 */
export async function waitForKilledRuns(
  sql: postgres.Sql,
  shown: string,
  options: { onWait?: (sessions: ScriptSession[]) => void; signal?: AbortSignal; pollMs?: number },
): Promise<void> {
  const reported = new Set<number>();
  for (;;) {
    const killed = (await otherRunSessions(sql, shown)).filter((s) => s.owner.state === 'gone');
    if (killed.length === 0) return;
    if (options.signal?.aborted) {
      const signal = stopSignalOf(options.signal);
      throw new InterruptedError(`stopped by ${signal} while waiting for the session of a killed run of ${shown} to end (backend pid ${killed[0].pid}); nothing was changed`, signal);
    }
    const fresh = killed.filter((s) => !reported.has(s.pid));
    if (fresh.length) {
      options.onWait?.(fresh);
      for (const s of fresh) reported.add(s.pid);
    }
    await sleep(options.pollMs ?? 100, undefined, { signal: options.signal }).catch((error: Error) => {
      if (error.name !== 'AbortError') throw error;
    });
  }
}
