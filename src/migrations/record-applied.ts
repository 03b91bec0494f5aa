import { withClient, type Queryable } from '../client.ts';
import { ensureDbmateTable, insertAppliedVersions } from './applied-versions.ts';
import { fileChecksum } from './checksums.ts';
import type { MigrationEntry } from './migration-directory.ts';
import { withMigrationLock, type LockOptions } from './migration-lock.ts';
import { ensureRbMigrationsTable, recordApplied } from './rb-migrations-table.ts';

/** What `decide` hands back: the files to record, and the command's own result. */
export interface RecordDecision<T> {
  entries: MigrationEntry[];
  result: T;
}

/**
 * Records migration files as applied without running them (rb baseline, rb import), as rb
 * upgrade does after dbmate ran them: the version in dbmate's table, the file's checksum in rb's.
 * Under the migration lock and in one transaction, so a concurrent rb upgrade waits and a failure
 * records nothing. `decide` runs first in that transaction: it re-reads what the command planned
 * from (another run may have recorded meanwhile) and may change the database (rb import moves
 * golang-migrate's table aside).
 */
export async function recordWithoutRunning<T>(
  url: string,
  lock: LockOptions,
  decide: (tx: Queryable) => Promise<RecordDecision<T>>,
  /** Runs after the commit, still under the lock (db/schema.sql is written there, as rb upgrade does). */
  after?: (result: T) => Promise<void>,
): Promise<T> {
  return withMigrationLock(url, lock, async () => {
    const result = await withClient(url, async (sql) => {
      let decided: T | undefined;
      await sql.begin(async (tx) => {
        const decision = await decide(tx);
        decided = decision.result;
        if (decision.entries.length === 0) return;
        await ensureDbmateTable(tx);
        await ensureRbMigrationsTable(tx);
        await insertAppliedVersions(tx, decision.entries.map((e) => e.version));
        for (const entry of decision.entries) await recordApplied(tx, entry.version, entry.fileName, fileChecksum(entry.path));
      });
      return decided as T;
    });
    await after?.(result);
    return result;
  });
}
