import postgres from 'postgres';
import { asConnectionError, connectOptions, connectionLossReason, type Sql } from '../client.ts';
import { ConnectionError, RbError } from '../errors.ts';
import type { MigrationSection } from '../migrations/migration-file.ts';
import { describeFailure, failureError, runMigrations, type MigrationFailure } from '../migrations/run-migrations.ts';
import { isTransactionControl, splitStatements } from '../migrations/sql-statements.ts';
import { DBMATE_TABLE, qualified } from '../rb-tables.ts';
import { maskUrl } from '../target/database-url.ts';
import { ImpactProbe, type MigrationImpact } from './impact-probe.ts';
import { OBSERVE_SQL, stepChanges, type StepChanges } from './snapshot-tracker.ts';
import type { CheckedMigration } from './well-formed.ts';

export interface StepResult {
  ok: boolean;
  failure?: MigrationFailure;
  /** What the up did to tables that existed before it (asked for, and the up ran in rb's session). */
  impact?: MigrationImpact;
  /** Why no impact was read although it was asked for. */
  noImpact?: string;
}

/** How rb check applies and rolls back one migration on its scratch database. */
export interface MigrationSteps {
  up(migration: CheckedMigration, options?: { probe?: boolean }): Promise<StepResult>;
  down(migration: CheckedMigration): Promise<StepResult>;
  /** Closes connections (before the scratch database is dropped or re-created; the next step reconnects). */
  close(): Promise<void>;
}

/** One step through dbmate itself (its own process and session), as rb upgrade/downgrade run it. */
async function dbmateStep(url: string, migration: CheckedMigration, command: 'migrate' | 'rollback'): Promise<StepResult> {
  // The scratch database exists to be thrown away: a failure without a position is located by replaying its statements.
  const run = await runMigrations(url, [migration.file], command, { replayToLocate: true });
  if (run.stopped) throw new RbError(`dbmate was stopped by ${run.stopped.signal}`);
  if (run.failure?.connectionLost) throw failureError(run.failure, `rb check lost the connection to its scratch database: ${describeFailure(run.failure, (p) => p)}`);
  return { ok: !run.failure, failure: run.failure };
}

/** Applies migrations in one dbmate call (a rebuild, or the scratch database for db/schema.sql); the failure, if any. */
export async function migrateAll(url: string, migrations: CheckedMigration[]): Promise<MigrationFailure | undefined> {
  const run = await runMigrations(url, migrations.map((m) => m.file), 'migrate', { replayToLocate: true });
  if (run.stopped) throw new RbError(`dbmate was stopped by ${run.stopped.signal}`);
  if (run.failure?.connectionLost) throw failureError(run.failure, `rb check lost the connection to its scratch database: ${describeFailure(run.failure, (p) => p)}`);
  return run.failure;
}

/** Every step a dbmate process (~35 ms each): how rb check ran before 0.x; RB_CHECK_STEPS=dbmate selects it. */
export function dbmateSteps(url: string): MigrationSteps {
  return {
    up: async (migration, options) => ({ ...(await dbmateStep(url, migration, 'migrate')), ...(options?.probe ? { noImpact: 'RB_CHECK_STEPS=dbmate runs every step through dbmate' } : {}) }),
    down: (migration) => dbmateStep(url, migration, 'rollback'),
    close: async () => {},
  };
}

/** Why a section goes through dbmate rather than rb's session, or undefined. */
function needsDbmate(section: MigrationSection): string | undefined {
  if (section.options.transaction === 'false') return 'transaction:false: it runs outside a transaction, through dbmate';
  const statements = splitStatements(section.sql);
  // Its own BEGIN/COMMIT would end dbmate's transaction early; COPY needs a client that streams.
  if (statements.some(isTransactionControl)) return 'it manages its own transactions; it runs through dbmate';
  if (statements.some((s) => s.words[0] === 'copy')) return 'COPY runs through dbmate';
  return undefined;
}

/** What rb check's session steps need besides the URL. */
export interface SessionStepOptions {
  signal?: AbortSignal;
  /** server_version_num of the scratch database's server. */
  serverVersion: number;
  /** Another connection to the scratch database (it sees what is committed while a step's transaction is open). */
  committed: () => Sql;
  /** What each step's transaction changed in the catalogs, read right before its COMMIT. */
  observed?: (changes: StepChanges) => void;
  /** A step ran through dbmate, where rb could not watch its transaction. */
  unwatched?: () => void;
}

/**
 * What a new session starts with, as DISCARD ALL gives it, except that rb's own prepared statements
 * (the impact probe's) stay: DISCARD ALL cannot run among other statements, and its DEALLOCATE ALL
 * and DISCARD PLANS would make every probe query be planned again.
 */
const RESET_SESSION = 'close all; set session authorization default; reset all; unlisten *; select pg_catalog.pg_advisory_unlock_all(); discard temp; discard sequences';

/** rb's prepared OBSERVE_SQL in its session. */
const OBSERVE_STATEMENT = 'rb_check_observe';

/** The rows of the statement in a multi-statement result whose columns include `column`. */
function resultWith<T>(results: unknown, column: string): T[] {
  const list = (Array.isArray(results) && results.length && Array.isArray(results[0]) ? results : [results]) as { columns?: { name: string }[] }[];
  return (list.find((r) => r.columns?.some((c) => c.name === column)) ?? []) as unknown as T[];
}

/**
 * Transactional sections run in one session of rb's own (postgres.js, simple query protocol:
 * several statements in one query, as dbmate's Exec sends them), in a transaction with dbmate's
 * tracking row written in it, exactly as dbmate does: BEGIN, the section, insert/delete the
 * version in public.schema_migrations, COMMIT, all in one round trip with what the step changed in
 * the catalogs (for the snapshot tracker) read just before the COMMIT, and the session reset after
 * it so the next step starts as fresh as a new dbmate process. transaction:false sections,
 * sections with their own transaction control, and every step that fails go through dbmate itself
 * (a failing step is rolled back and run again by dbmate), so failures read exactly as rb upgrade
 * reports them. With a probe, the up runs statement by statement (same transaction) and the probe
 * reads locks and catalog after each one.
 */
export function sessionSteps(url: string, options: SessionStepOptions): MigrationSteps {
  const { signal } = options;
  const statsFetchConsistency = options.serverVersion >= 150000;
  let sql: Sql | undefined;
  let trackingTable = false;
  let observePrepared = false;
  const tracking = qualified(DBMATE_TABLE);

  const session = (): Sql => {
    sql ??= postgres(url, connectOptions(url, {
      max: 1,
      connection: {
        application_name: 'rb check migrations',
        // What dbmate's driver (lib/pq) sends; a scratch database needs no durable commits.
        datestyle: 'ISO, MDY',
        synchronous_commit: 'off',
        // PostgreSQL 15+: shared statistics read fresh, not cached for the transaction (the impact probe's scan counts).
        ...(statsFetchConsistency ? { stats_fetch_consistency: 'none' } : {}),
      },
    }));
    return sql;
  };
  // Stopping rb closes the session at once, so a long statement does not keep the check waiting (its database is dropped after).
  signal?.addEventListener('abort', () => void sql?.end({ timeout: 0 }), { once: true });

  /**
   * OBSERVE_SQL prepared once per session: the step's query is simple protocol, so it would be
   * planned on every step otherwise (~2.5 ms of the ~7 ms a step takes); without parameters it
   * keeps its generic plan. After a failed step it is looked up again (the migration may have run
   * DEALLOCATE).
   */
  const prepareObserve = async (db: Sql) => {
    if (observePrepared) return;
    const [{ exists }] = await db.unsafe<{ exists: boolean }[]>(`select exists (select from pg_catalog.pg_prepared_statements where name = '${OBSERVE_STATEMENT}') as exists`);
    if (!exists) await db.unsafe(`prepare ${OBSERVE_STATEMENT} as ${OBSERVE_SQL}`);
    observePrepared = true;
  };

  /** dbmate's own CreateMigrationsTable: create table if not exists, creating the schema when missing. */
  const ensureTrackingTable = async (db: Sql) => {
    if (trackingTable) return;
    try {
      await db.unsafe(`create table if not exists ${tracking} (version varchar primary key)`);
    } catch (error) {
      if ((error as { code?: string }).code !== '3F000') throw error;
      await db.unsafe(`create schema if not exists ${DBMATE_TABLE.schema}`);
      await db.unsafe(`create table if not exists ${tracking} (version varchar primary key)`);
    }
    trackingTable = true;
  };

  const lost = (error: unknown): never => {
    if (signal?.aborted) throw error;
    const reason = connectionLossReason(error);
    if (reason) throw new ConnectionError(`rb check lost the connection to its scratch database ${maskUrl(url)}: ${reason}`);
    throw asConnectionError(error, url);
  };

  const viaDbmate = async (migration: CheckedMigration, command: 'migrate' | 'rollback'): Promise<StepResult> => {
    options.unwatched?.();
    trackingTable = false;
    return dbmateStep(url, migration, command);
  };

  const run = async (migration: CheckedMigration, kind: 'up' | 'down', probe: boolean): Promise<StepResult> => {
    const section = migration.file[kind];
    const command = kind === 'up' ? 'migrate' : 'rollback';
    const reason = needsDbmate(section);
    if (reason) return { ...(await viaDbmate(migration, command)), ...(probe ? { noImpact: reason } : {}) };
    const db = session();
    const version = migration.file.version; // digits only (dbmate's file name rule)
    const track = kind === 'up' ? `insert into ${tracking} (version) values ('${version}')` : `delete from ${tracking} where version = '${version}'`;
    let impact: MigrationImpact | undefined;
    try {
      await prepareObserve(db);
      await ensureTrackingTable(db);
    } catch (error) {
      lost(error);
    }
    try {
      let prober: ImpactProbe | undefined;
      if (probe) {
        await db.unsafe('begin');
        prober = await ImpactProbe.start(db, options.committed());
        if (!prober.empty) {
          for (const statement of splitStatements(section.sql)) {
            await db.unsafe(statement.text);
            await prober.afterStatement(statement, section.line + statement.line);
          }
        }
      }
      // The section as dbmate's Exec sends it (a line comment at its end is closed by the newline),
      // the tracking row, what the transaction changed, COMMIT and the session reset: one round trip.
      const body = prober && !prober.empty ? '' : `${section.sql}\n;\n`;
      const results = await db.unsafe(`${prober ? '' : 'begin;\n'}${body}${track};\nexecute ${OBSERVE_STATEMENT};\ncommit;\n${RESET_SESSION}`);
      impact = prober?.report();
      options.observed?.(stepChanges(resultWith<{ kind: string; name: string }>(results, 'kind'), section.sql));
    } catch (error) {
      if (signal?.aborted || connectionLossReason(error)) lost(error);
      observePrepared = false;
      try {
        await db.unsafe('rollback');
        await db.unsafe(RESET_SESSION);
      } catch (rollbackError) {
        lost(rollbackError);
      }
      // The same step through dbmate: its failure (file:line, SQLSTATE) is the one rb upgrade would report.
      // Should dbmate succeed where the session failed, its result stands (the impact is then unknown).
      const result = await viaDbmate(migration, command);
      return { ...result, ...(probe && result.ok ? { noImpact: `running it statement by statement failed (${(error as Error).message}) where dbmate succeeded` } : {}) };
    }
    return { ok: true, impact };
  };

  return {
    up: (migration, options) => run(migration, 'up', options?.probe ?? false),
    down: (migration) => run(migration, 'down', false),
    close: async () => {
      const open = sql;
      sql = undefined;
      trackingTable = false;
      observePrepared = false;
      await open?.end({ timeout: 5 });
    },
  };
}
