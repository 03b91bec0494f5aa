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


/** Each statement may run this long in the trace; a longer one holds its locks long enough to be sampled. */
const STATEMENT_BUDGET = '1s';

// Statements that end or nest the transaction: the trace could commit or lose its place.
const TRANSACTION_CONTROL = new Set(['begin', 'start', 'commit', 'end', 'rollback', 'abort', 'savepoint', 'release', 'prepare']);

/**
 * What the trace runs: schema changes, whose rollback leaves no trace in the tables (an aborted
 * rewrite or index build drops its new files). Statements that write rows (INSERT, UPDATE, DELETE,
 * COPY, SELECT f(), DO, CALL, REFRESH...) are skipped: rolled back they would leave dead rows and
 * count in the row statistics the report reads. Their locks are the weak row-level-write ones,
 * and a long one is sampled.
 */
const TRACED = new Set(['create', 'alter', 'drop', 'comment', 'grant', 'revoke', 'truncate', 'lock', 'set', 'reset', 'reindex', 'cluster', 'security']);

/**
 * What a transactional section's schema changes lock, statement by statement: eugene's method, on
 * the copy. The statements run one at a time in a transaction that is always rolled back, and after
 * each one pg_locks lists what the session holds (every lock is held until the transaction ends). This
 * catches the locks of a migration too quick for sampling to see (ALTER TABLE ... ADD COLUMN takes
 * an ACCESS EXCLUSIVE lock for a millisecond, after waiting behind every query on the table).
 */
export async function traceLocks(url: string, section: MigrationSection): Promise<TracedLock[]> {
  const statements = splitStatements(section.sql);
  if (statements.some((s) => TRANSACTION_CONTROL.has(s.words[0] ?? ''))) return [];
  const sql = connect(url, { connection: { application_name: 'rb analyze (lock trace)' } });
  const locks = new Map<string, TracedLock>();
  try {
    const session = await sql.reserve();
    try {
      await session.unsafe('begin');
      await session.unsafe(`set local statement_timeout = '${STATEMENT_BUDGET}'`);
      for (const statement of statements) {
        if (!TRACED.has(statement.words[0] ?? '')) continue;
        try {
          await session.unsafe(statement.text);
        } catch {
          // Too long for the budget (sampling sees its locks), or it fails (the real run reports that): stop here.
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
  return [...locks.values()];
}
