import { connect, type Sql } from '../client.ts';
import { RbError } from '../errors.ts';
import type { MigrationFailure } from '../migrations/run-migrations.ts';
import type { Finding } from './finding.ts';
import type { MigrationImpact } from './impact-probe.ts';
import { dbmateSteps, migrateAll, sessionSteps, type MigrationSteps, type StepResult } from './migration-steps.ts';
import { diffSnapshots } from './schema-diff.ts';
import { takeSnapshot, type Snapshot } from './schema-snapshot.ts';
import { SnapshotTracker } from './snapshot-tracker.ts';
import type { ScratchDatabase } from './scratch-database.ts';
import type { CheckedMigration } from './well-formed.ts';

export interface RoundTripOptions {
  /** Check each down (the round-trip stage); false only applies the ups. */
  roundTrip: boolean;
  /** Read what each transactional up does to existing tables (the impact stage). */
  impact: boolean;
  /**
   * "session" (the default): transactional sections in rb's own session, incremental snapshots.
   * "dbmate": a dbmate process per step and a full snapshot each time, as rb check did before.
   */
  steps?: 'session' | 'dbmate';
  /** Aborting stops the loop before its next migration and closes the session at once. */
  signal?: AbortSignal;
  /** Called before each migration (index from 0). */
  onMigration?: (index: number, migration: CheckedMigration) => void;
}

/** What the impact stage learnt about one migration's up. */
export interface MigrationImpactResult {
  migration: CheckedMigration;
  impact?: MigrationImpact;
  /** Why its up was not analysed (transaction:false...). */
  skipped?: string;
}

export interface RoundTripResult {
  /** Round-trip findings; a difference that is only a table's column order carries rule "column-order". */
  findings: Finding[];
  impacts: MigrationImpactResult[];
  /** How many migrations had their down checked (irreversible ones are only applied). */
  checked: number;
  /** True when every up applied, so the scratch database holds the full schema. */
  allApplied: boolean;
  /** True when the scratch database may differ from a clean migration (see checkRoundTrip). */
  drifted: boolean;
}

/** Turns a failure into a finding at the failing line of the file (none when unknown). */
function sqlFailure(migration: CheckedMigration, failure: MigrationFailure, rule: string, lead: string): Finding {
  const unknown = failure.unknownPosition ? ` (${failure.unknownPosition})` : '';
  return {
    stage: 'round-trip', rule, file: migration.relativePath, line: failure.line,
    message: `${lead}: ${failure.message}${failure.sqlState ? ` (SQLSTATE ${failure.sqlState})` : ''}${unknown}`,
  };
}

/**
 * Stages 2 and 3 in one pass over a scratch database, migration by migration: snapshot, up (read
 * by the impact probe), down, compare with the snapshot, up again. Transactional sections run in
 * rb's own session, in a transaction with dbmate's tracking row, the rest through dbmate
 * (migration-steps.ts). After a down that fails or leaves a difference the check goes on
 * (re-applying the up, or rebuilding the scratch database up to that migration), so one run
 * reports every broken down.
 */
export async function checkRoundTrip(migrations: CheckedMigration[], scratch: ScratchDatabase, options: RoundTripOptions): Promise<RoundTripResult> {
  const { signal } = options;
  const findings: Finding[] = [];
  const impacts: MigrationImpactResult[] = [];
  // search_path=pg_catalog: every name pg_get_*def prints is qualified; generic plans: snapshots are read hundreds of times.
  const open = () => connect(scratch.url, { connection: { search_path: 'pg_catalog', plan_cache_mode: 'force_generic_plan' } });
  let sql: Sql = open();
  let tracker = new SnapshotTracker(sql);
  const [{ version }] = await sql<{ version: number }[]>`select current_setting('server_version_num')::int as version`;
  const steps: MigrationSteps = options.steps === 'dbmate'
    ? dbmateSteps(scratch.url)
    : sessionSteps(scratch.url, {
      signal, serverVersion: version, committed: () => sql,
      observed: (changes) => tracker.observed(changes), unwatched: () => tracker.unwatched(),
    });
  const snapshot = (): Promise<Snapshot> => (options.steps === 'dbmate' ? takeSnapshot(sql) : tracker.take());
  let checked = 0;

  /** Drops the scratch database and migrates it cleanly through migrations[index] (-1: empty). */
  const rebuildThrough = async (index: number): Promise<void> => {
    await sql.end({ timeout: 5 });
    await steps.close();
    await scratch.recreate();
    if (index >= 0) {
      const failure = await migrateAll(scratch.url, migrations.slice(0, index + 1));
      if (failure) {
        throw new RbError(
          `rb check could not rebuild its scratch database through ${migrations[index].file.fileName}: ${failure.message}; ` +
            'the history applied step by step but not in one go (cluster-wide objects such as roles left by an earlier step?)',
        );
      }
    }
    sql = open();
    tracker = new SnapshotTracker(sql);
  };
  // After a down that did not undo its up, the up is re-applied on top of what the down left
  // (a rebuild from scratch costs ~0.5-1.5 s on a long history). The database may then differ from
  // a clean migration ("drifted"): findings stay valid (each compares before/after its own
  // migration), and an up that fails on a drifted database is retried on a clean rebuild.
  let drifted = false;
  const up = async (migration: CheckedMigration, probe: boolean): Promise<StepResult> => steps.up(migration, { probe });

  try {
    for (let index = 0; index < migrations.length; index++) {
      signal?.throwIfAborted();
      const migration = migrations[index];
      options.onMigration?.(index, migration);
      const reversible = options.roundTrip && !migration.irreversible && !migration.emptyDown;
      let before = reversible ? await snapshot() : undefined;
      let applied = await up(migration, options.impact);
      if (!applied.ok && drifted) {
        await rebuildThrough(index - 1);
        drifted = false;
        before = reversible ? await snapshot() : undefined;
        applied = await up(migration, options.impact);
      }
      if (!applied.ok) {
        const finding = sqlFailure(migration, applied.failure!, 'up-failed', 'the up section fails on a database migrated through the previous migrations');
        // CREATE INDEX CONCURRENTLY, VACUUM, ALTER TYPE ... ADD VALUE (before PostgreSQL 12) in a transactional section.
        if (applied.failure!.sqlState === '25001') finding.message += '; run it outside a transaction: a file of its own with "-- migrate:up transaction:false"';
        // The later migrations build on this one: they cannot be applied, so they are not checked.
        const rest = migrations.length - index - 1;
        if (rest > 0) finding.message += `; the ${rest} migration(s) after it were not checked (round trip, impact): fix this one and run rb check again`;
        findings.push(finding);
        return { findings, impacts, checked, allApplied: false, drifted };
      }
      if (options.impact) impacts.push({ migration, impact: applied.impact, skipped: applied.noImpact });
      // Irreversible (marked) and empty downs (reported by well-formed) have nothing to check.
      if (!before) continue;
      checked += 1;
      const down = await steps.down(migration);
      if (!down.ok) {
        findings.push(sqlFailure(migration, down.failure!, 'down-failed', 'the down section fails right after the up'));
        // A failed transactional down was rolled back: the database is as the up left it. A
        // transaction:false down may have run part-way.
        if (migration.file.down.options.transaction === 'false') await rebuildThrough(index);
        continue;
      }
      const changes = diffSnapshots(before, await snapshot());
      for (const change of changes) {
        findings.push({
          stage: 'round-trip', rule: change.reorderedColumns ? 'column-order' : change.kind, file: migration.relativePath,
          line: migration.file.down.line, message: change.text,
        });
      }
      const again = await up(migration, false);
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
    return { findings, impacts, checked, allApplied: true, drifted };
  } finally {
    await sql.end({ timeout: 5 });
    await steps.close();
  }
}
