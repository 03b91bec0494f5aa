import { connect } from '../client.ts';
import type { MigrationSection } from '../migrations/migration-file.ts';
import { splitStatements } from '../migrations/sql-statements.ts';

/** A relation lock a transactional section takes, and the line of the statement that took it first. */
export interface TracedLock {
  oid: number;
  mode: string;
  /** 1-based line in the migration file. */
  line: number;
}

export interface LockTrace {
  locks: TracedLock[];
  /** Every statement ran within the time budget (otherwise the trace stops, and sampling covers the rest). */
  complete: boolean;
}

/** The trace's session, to wait for its end (src/migrations/migration-sessions.ts). */
export const TRACE_SESSION = 'rb analyze (lock trace)';

/** Each statement may run this long in the trace; a longer one holds its locks long enough to be sampled. */
const STATEMENT_BUDGET = '1s';

// Statements that end or nest the transaction: the trace could commit or lose its place.
const TRANSACTION_CONTROL = new Set(['begin', 'start', 'commit', 'end', 'rollback', 'abort', 'savepoint', 'release', 'prepare']);

/**
 * What a transactional section locks, statement by statement: eugene's method, on the copy. The
 * statements run one at a time in a transaction that is always rolled back, and after each one
 * pg_locks lists what the session holds (every lock is held until the transaction ends). This
 * catches the locks of a migration too quick for sampling to see (ALTER TABLE ... ADD COLUMN takes
 * an ACCESS EXCLUSIVE lock for a millisecond, after waiting behind every query on the table).
 */
export async function traceLocks(url: string, section: MigrationSection): Promise<LockTrace> {
  const statements = splitStatements(section.sql);
  if (statements.some((s) => TRANSACTION_CONTROL.has(s.words[0] ?? ''))) return { locks: [], complete: false };
  const sql = connect(url, { connection: { application_name: TRACE_SESSION } });
  const locks = new Map<string, TracedLock>();
  let complete = true;
  try {
    const session = await sql.reserve();
    try {
      await session.unsafe('begin');
      await session.unsafe(`set local statement_timeout = '${STATEMENT_BUDGET}'`);
      for (const statement of statements) {
        try {
          await session.unsafe(statement.text);
        } catch {
          // Too long for the budget, or it fails (the real run reports that): stop here.
          complete = false;
          break;
        }
        const held = await session<{ oid: string; mode: string }[]>`
          select relation::int8 as oid, mode from pg_locks
           where pid = pg_backend_pid() and locktype = 'relation' and granted
             and database = (select oid from pg_database where datname = current_database())`;
        for (const row of held) {
          const key = `${row.oid} ${row.mode}`;
          if (!locks.has(key)) locks.set(key, { oid: Number(row.oid), mode: row.mode, line: section.line + statement.line });
        }
      }
    } finally {
      await session.unsafe('rollback').catch(() => undefined);
      session.release();
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  return { locks: [...locks.values()], complete };
}
