import { connect, type Sql } from '../client.ts';
import { RbError } from '../errors.ts';
import { describeFailure, failureError, runMigrations, type MigrationFailure, type MigrationRun } from '../migrations/run-migrations.ts';
import type { Finding } from './finding.ts';
import { diffSnapshots } from './schema-diff.ts';
import { takeSnapshot } from './schema-snapshot.ts';
import type { ScratchDatabase } from './scratch-database.ts';
import type { CheckedMigration } from './well-formed.ts';

export interface RoundTripResult {
  findings: Finding[];
  /** How many migrations had their down checked (irreversible ones are only applied). */
  checked: number;
  /** True when every up applied, so the scratch database holds the full schema. */
  allApplied: boolean;
  /** True when the scratch database may differ from a clean migration (see checkRoundTrip). */
  drifted: boolean;
}

/** Turns a dbmate SQL failure into a finding at the failing line of the file (none when unknown). */
function sqlFailure(migration: CheckedMigration, failure: MigrationFailure, rule: string, lead: string, tail = ''): Finding {
  const unknown = failure.unknownPosition ? ` (${failure.unknownPosition})` : '';
  return {
    stage: 'round-trip', rule, file: migration.relativePath, line: failure.line,
    message: `${lead}: ${failure.message}${failure.sqlState ? ` (SQLSTATE ${failure.sqlState})` : ''}${unknown}`,
  };
}

/**
 * Stage 2, on a scratch database, migration by migration: snapshot, up, down, compare with the
 * snapshot, up again. Migrations run through dbmate itself (one call per step, ~35 ms here) so
 * transactions, `transaction:false` and error handling are exactly what rb upgrade/downgrade do.
 * After a down that fails or leaves a difference the check goes on (re-applying the up, or
 * rebuilding the scratch database up to that migration), so one run reports every broken down.
 */
export async function checkRoundTrip(
  migrations: CheckedMigration[],
  scratch: ScratchDatabase,
  signal?: AbortSignal,
): Promise<RoundTripResult> {
  const findings: Finding[] = [];
  const dbmate = async (files: CheckedMigration[], command: 'migrate' | 'rollback'): Promise<MigrationRun & { ok: boolean }> => {
    // The scratch database exists to be thrown away: a failure without a position is located by replaying its statements.
    const run = await runMigrations(scratch.url, files.map((m) => m.file), command, { replayToLocate: true });
    if (run.stopped) throw new RbError(`dbmate was stopped by ${run.stopped.signal}`);
    if (run.failure?.connectionLost) throw failureError(run.failure, `rb check lost the connection to its scratch database: ${describeFailure(run.failure, (p) => p)}`);
    return { ...run, ok: !run.failure };
  };
  const open = () => connect(scratch.url, { connection: { search_path: 'pg_catalog' } });
  let sql: Sql = open();
  let checked = 0;

  /** Drops the scratch database and migrates it cleanly through migrations[index] (-1: empty). */
  const rebuildThrough = async (index: number): Promise<void> => {
    await sql.end({ timeout: 5 });
    await scratch.recreate();
    if (index >= 0) {
      const result = await dbmate(migrations.slice(0, index + 1), 'migrate');
      if (!result.ok) {
        throw new RbError(
          `rb check could not rebuild its scratch database through ${migrations[index].file.fileName}: ${result.failure!.message}; ` +
            'the history applied step by step but not in one go (cluster-wide objects such as roles left by an earlier step?)',
        );
      }
    }
    sql = open();
  };
  // After a down that did not undo its up, the up is re-applied on top of what the down left
  // (a rebuild from scratch costs ~0.5-1.5 s on a long history). The database may then differ from
  // a clean migration ("drifted"): findings stay valid (each compares before/after its own
  // migration), and an up that fails on a drifted database is retried on a clean rebuild.
  let drifted = false;

  try {
    for (let index = 0; index < migrations.length; index++) {
      signal?.throwIfAborted();
      const migration = migrations[index];
      const reversible = !migration.irreversible && !migration.emptyDown;
      let before = reversible ? await takeSnapshot(sql) : undefined;
      let up = await dbmate([migration], 'migrate');
      if (!up.ok && drifted) {
        await rebuildThrough(index - 1);
        drifted = false;
        before = reversible ? await takeSnapshot(sql) : undefined;
        up = await dbmate([migration], 'migrate');
      }
      if (!up.ok) {
        const later = migrations.length - index - 1;
        findings.push(sqlFailure(migration, up.failure!, 'up-failed', 'the up section fails on a database migrated through the previous migrations',
          later ? `; the ${later} later migration(s) were not checked` : ''));
        return { findings, checked, allApplied: false, drifted };
      }
      // Irreversible (marked) and empty downs (reported by well-formed) have nothing to check.
      if (!before) continue;
      checked += 1;
      const down = await dbmate([migration], 'rollback');
      if (!down.ok) {
        findings.push(sqlFailure(migration, down.failure!, 'down-failed', 'the down section fails right after the up'));
        // A failed transactional down was rolled back: the database is as the up left it. A
        // transaction:false down may have run part-way.
        if (migration.file.down.options.transaction === 'false') await rebuildThrough(index);
        continue;
      }
      const changes = diffSnapshots(before, await takeSnapshot(sql));
      for (const change of changes) {
        findings.push({ stage: 'round-trip', rule: change.kind, file: migration.relativePath, line: migration.file.down.line, message: change.text });
      }
      const again = await dbmate([migration], 'migrate');
      if (!again.ok) {
        if (!changes.length) {
          findings.push(sqlFailure(migration, again.failure!, 'up-again-failed',
            'the up section fails after its own down; the down leaves something behind that rb does not compare (data, roles, settings)'));
        }
        await rebuildThrough(index);
      } else if (changes.length) {
        drifted = true;
      }
    }
    return { findings, checked, allApplied: true, drifted };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
