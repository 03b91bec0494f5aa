import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect, type Sql } from '../client.ts';
import type { Config } from '../config.ts';
import { InterruptedError, RbError, RefusedError } from '../errors.ts';
import { stopSignalOf } from '../interrupt.ts';
import { describeUrl, maskUrl, parseDatabaseUrl } from '../target/database-url.ts';
import type { Target } from '../target/resolve-target.ts';
import { writeRestoreList } from './archive-toc.ts';
import { captureDeferred, dropDeferred, QUALIFIED, startIndexBuilder } from './deferred-indexes.ts';
import { countDumpRows, withScratchDir, type DumpCounts } from './dump-contents.ts';
import { clearLargeObjects, countLargeObjects, isLargeObjectData } from './large-objects.ts';
import { assertSchemaHoldsDump, countRows, loadData, qualifiedName, throttled } from './load-data.ts';
import { migrateFiles, MigrationsStopped } from './rebuild-schema.ts';
import { assertLocalTarget, checkProductionVersions, planRestore, type RestoreOptions } from './restore-plan.ts';
import { raiseSequences } from './sequences.ts';
import { swapInDatabase, type EndedSession } from './swap-database.ts';
import { connectMaintenance, createWorkDatabase, describeLeftovers, dropDatabase, dropLeftoverDatabases, workDatabaseName, type WorkDatabase } from './work-database.ts';

export type { RestoreOptions } from './restore-plan.ts';
export type { EndedSession } from './swap-database.ts';

export interface TableCount {
  /** "schema.table" */
  table: string;
  rows: number;
  excluded: boolean;
}

export interface PhaseTime {
  phase: string;
  seconds: number;
}

export interface RestoreSummary {
  file: string;
  /** The local database's name (replaced by the restored one). */
  database: string;
  /** Newest version production had applied when the dump was taken. */
  productionVersion: string;
  /** Migrations run to rebuild the schema at production's version. */
  rebuilt: string[];
  /** Local migrations newer than production's, applied after the data. */
  pendingApplied: string[];
  /** The same, left out because of --no-pending. */
  pendingSkipped: string[];
  tables: TableCount[];
  /** Tables and sequences left out with --exclude-table ("schema.name"). */
  omitted: string[];
  /** Other migration tools' tracking tables, left out: "public.pgmigrations" -> "node-pg-migrate". */
  otherToolTables: { table: string; tool: string }[];
  rows: number;
  /**
   * The dump's large objects, restored (as many as the dump holds) and owned by `owner`; `grantsLeftOut`:
   * production's grant entries on them, not restored. Absent when the dump holds none.
   */
  largeObjects?: { count: number; owner: string; grantsLeftOut: number };
  sequencesRaised: number;
  /** Sessions on the local database ended so the restored one could take its name. */
  endedSessions: EndedSession[];
  /** The name the replaced local database had until it was dropped. */
  replacedDatabase: string;
  /** Why the database the restore replaced could not be dropped (a later restore drops it). */
  replacedDropFailure?: string;
  phases: PhaseTime[];
  seconds: number;
}

async function assertSuperuser(admin: Sql, url: string): Promise<void> {
  const [row] = await admin<{ rolsuper: boolean; user: string }[]>`select rolsuper, current_user as user from pg_roles where rolname = current_user`;
  if (!row?.rolsuper) {
    throw new RefusedError(
      `the local role "${row?.user}" on ${describeUrl(url)} is not a superuser, and loading data with triggers (foreign keys) disabled needs one; connect as a superuser (the embedded server's "postgres" is one)`,
    );
  }
}

/**
 * Restores a production dump into the local database, atomically:
 *  1. reads production's applied migrations from the dump's tracking table,
 *  2. refuses (nothing touched) on a migration unknown locally, a bad file or pattern, a production target,
 *  3. drops what earlier restores that died left on the server, then creates a work database
 *     (src/restore/work-database.ts) and migrates it to exactly production's versions,
 *  4. loads the data only (tracking rows excluded) with triggers disabled, indexes built after,
 *     and the large objects (src/restore/large-objects.ts),
 *  5. raises identity/serial sequences to the highest restored id,
 *  6. verifies per table that the rows in the database equal the rows in the dump, and the large objects' count,
 *  7. swaps the work database in under the local database's name (one transaction) and drops the old one,
 *  8. applies the local migrations production has not (unless pending: false).
 * Until step 7 the local database is not changed at all: a failure, Ctrl-C or kill -9 leaves it as
 * it was (after kill -9 the next restore drops the work database). Verification runs before step 8
 * because a new migration may legitimately change rows. Stopped in step 8, the restore ends dbmate's
 * server session first (src/restore/rebuild-schema.ts), so the cut-off migration is rolled back.
 */
export async function restoreDump(config: Config, target: Target, file: string, options: RestoreOptions = {}): Promise<RestoreSummary> {
  const started = performance.now();
  const phases: PhaseTime[] = [];
  const report = options.onProgress;
  const jobs = options.jobs ?? 1;
  const signal = options.signal;
  await assertLocalTarget(target);
  const localName = parseDatabaseUrl(target.url).database;

  let work: WorkDatabase | undefined;
  /** Set before the work database is created: from then on a failure drops it. */
  let workName: string | undefined;
  let swapped = false;
  const phase = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    report?.(`${name}...`);
    try {
      if (signal?.aborted) throw new InterruptedError('stopped', stopSignalOf(signal));
      return await run();
    } catch (error) {
      const state = !workName
        ? 'the local database was not touched'
        : !swapped
          ? 'the local database was not changed'
          : "the data is restored at production's version; fix the migration and run rb upgrade";
      if (signal?.aborted) {
        // Stopped while the newer migrations ran: dbmate's session was ended (src/restore/rebuild-schema.ts), say what it had done.
        const pending = error instanceof MigrationsStopped ? `; ${error.detail}` : '';
        const next = swapped ? `the data is restored at production's version${pending}; run rb upgrade for the newer migrations` : state;
        throw new InterruptedError(`restore stopped in phase "${name}" (${stopSignalOf(signal)}); ${next}`, stopSignalOf(signal));
      }
      // Refusals before anything changed already say so.
      if (!workName && error instanceof RbError) throw error;
      const message = maskUrl(error instanceof Error ? error.message : String(error));
      throw new RbError(`restore failed in phase "${name}": ${message}; ${state}`, error instanceof RbError ? error.exitCode : 1);
    } finally {
      phases.push({ phase: name, seconds: (performance.now() - start) / 1000 });
    }
  };

  const plan = await phase('read dump', () => planRestore(config, file, options));
  let admin: Sql | undefined;
  // Ends the pg_restore that counts the dump's rows, when the restore fails before the verification.
  const abort = new AbortController();
  let dumpCounts: Promise<DumpCounts> | undefined;
  // On Ctrl-C, end the work database's sessions so a long index build stops now (children end by themselves).
  let swapping = false;
  const stopWork = () => {
    if (!admin || !workName || swapping) return;
    // Best effort: the drop that follows the failure ends them anyway (WITH (FORCE)).
    admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${workName} and pid <> pg_backend_pid()`.then(
      () => undefined,
      () => undefined,
    );
  };
  signal?.addEventListener('abort', stopWork);
  try {
    await phase('check local database', async () => {
      admin = await connectMaintenance(target.url, localName);
      await assertSuperuser(admin, target.url);
      for (const line of describeLeftovers(await dropLeftoverDatabases(admin))) report?.(line);
    });
    const maintenance = admin!;

    await phase('rebuild schema', async () => {
      workName = workDatabaseName(localName, 'restore');
      work = await createWorkDatabase(maintenance, target.url, localName, workName);
      report?.(`rebuild: migrating ${work.name} to production's version ${plan.productionVersion} (${plan.rebuild.length} migrations)`);
      await migrateFiles(config, work.url, plan.rebuild);
    });
    const workDb = work!;

    const sql = connect(workDb.url, { max: 1, connection: QUALIFIED });
    let tables: TableCount[];
    let sequencesRaised: number;
    let largeObjects: RestoreSummary['largeObjects'];
    try {
      const builder = await phase('load data', async () => {
        await assertSchemaHoldsDump(sql, plan);
        const objects = await captureDeferred(sql, plan.loadTables);
        await dropDeferred(sql, objects);
        // Rows a migration inserted (lookup data) are in the dump too: start the loaded tables empty
        // (after the foreign keys are gone, so tables whose data is excluded do not block it).
        if (plan.loadTables.length) await sql.unsafe(`truncate ${plan.loadTables.map(qualifiedName).join(', ')}`);
        // The same for large objects a migration made: production's are in the dump, under the same oids.
        if (plan.largeObjects) await clearLargeObjects(sql);
        const progress = throttled(report);
        const indexes = startIndexBuilder(workDb.url, objects, jobs, (done, total) => progress(`indexes: ${done}/${total} keys, indexes and constraints`, done === total));
        try {
          await loadData(plan, workDb.url, jobs, (key) => indexes.tableLoaded(key), report);
          // Count the dump's rows for the verification (a second read of the whole dump, ~0.85
          // CPU-seconds per 2M rows) while the indexes are built rather than beside the load.
          dumpCounts = withScratchDir(async (dir) => {
            const list = path.join(dir, 'count.list');
            writeRestoreList(list, plan.load.filter((e) => e.kind === 'TABLE DATA' || isLargeObjectData(e)));
            return countDumpRows(plan.toc.file, list, abort.signal);
          });
          // Awaited in the verify phase; this only keeps an early failure elsewhere from being "unhandled".
          dumpCounts.catch(() => undefined);
        } catch (error) {
          await indexes.close();
          throw error;
        }
        return indexes;
      });
      await phase('build indexes', () => builder.finish());
      sequencesRaised = await phase('sequences', () => raiseSequences(sql, [...plan.loadTables, ...plan.excludedTables]));
      tables = await phase('verify', async () => {
        const { rows: expected, largeObjects: expectedObjects } = await dumpCounts!;
        const actual = await countRows(sql, [...plan.loadTables, ...plan.excludedTables]);
        const wrong = plan.loadTables
          .map((t) => `${t.schema}.${t.name}`)
          .filter((key) => (expected.get(key) ?? 0) !== actual.get(key))
          .map((key) => `${key} has ${actual.get(key)} rows, the dump ${expected.get(key) ?? 0}`);
        if (wrong.length) throw new RbError(`row counts differ: ${wrong.join('; ')}`);
        if (plan.largeObjects) {
          const restored = await countLargeObjects(sql);
          if (restored.count !== expectedObjects) {
            throw new RbError(`large objects differ: the restored database has ${restored.count}, the dump ${expectedObjects}`);
          }
          largeObjects = { ...restored, grantsLeftOut: plan.largeObjectGrants };
        }
        return [
          ...plan.loadTables.map((t) => ({ table: `${t.schema}.${t.name}`, rows: actual.get(`${t.schema}.${t.name}`)!, excluded: false })),
          ...plan.excludedTables.map((t) => ({ table: `${t.schema}.${t.name}`, rows: actual.get(`${t.schema}.${t.name}`)!, excluded: true })),
        ];
      });
    } finally {
      await sql.end({ timeout: 5 });
    }

    const replaced = workDatabaseName(localName, 'replaced');
    const swap = await phase('swap', async () => {
      swapping = true;
      const result = await swapInDatabase(maintenance, {
        work: workDb.name,
        local: localName,
        replaced,
        localExists: workDb.local !== undefined,
        comment: workDb.local?.comment ?? null,
      });
      swapped = true;
      return result;
    });

    const pendingSkipped = options.pending === false ? checkProductionVersions(config, plan.productionVersions).pending.map((m) => m.fileName) : [];
    if (plan.pending.length) await phase('pending migrations', () => migrateFiles(config, target.url, plan.pending));
    return {
      file,
      database: localName,
      productionVersion: plan.productionVersion,
      rebuilt: plan.rebuild.map((f) => f.fileName),
      pendingApplied: plan.pending.map((f) => f.fileName),
      pendingSkipped,
      tables,
      omitted: plan.omitted.map((t) => `${t.schema}.${t.name}`),
      otherToolTables: plan.otherToolTables.map((t) => ({ table: `${t.schema}.${t.name}`, tool: t.tool })),
      rows: tables.reduce((sum, t) => sum + t.rows, 0),
      largeObjects,
      sequencesRaised,
      endedSessions: swap.ended,
      replacedDatabase: replaced,
      replacedDropFailure: swap.dropFailure,
      phases,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    if (workName && !swapped && admin) {
      try {
        await dropDatabase(admin, workName);
      } catch (dropError) {
        if (!(error instanceof RbError)) throw error;
        const why = dropError instanceof Error ? dropError.message : String(dropError);
        throw new RbError(`${error.message}; the work database ${workName} could not be dropped (${why}): the next restore drops it`, error.exitCode);
      }
    }
    throw error;
  } finally {
    signal?.removeEventListener('abort', stopWork);
    abort.abort();
    await admin?.end({ timeout: 5 });
  }
}
