import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect, withClient, type Sql } from '../client.ts';
import type { Config } from '../config.ts';
import { RbError, RefusedError } from '../errors.ts';
import { quoteIdent } from '../local-db/ensure-database.ts';
import { describeUrl, maskUrl } from '../target/database-url.ts';
import type { Target } from '../target/resolve-target.ts';
import { tableKey, writeRestoreList } from './archive-toc.ts';
import { captureDeferred, dropDeferred, QUALIFIED, startIndexBuilder } from './deferred-indexes.ts';
import { countDumpRows, withScratchDir } from './dump-contents.ts';
import { firstError, libpqTarget, runPgTool } from './pg-tools.ts';
import { dropLocalSchema, migrateFiles } from './rebuild-schema.ts';
import { assertLocalTarget, checkProductionVersions, planRestore, type RestoreOptions, type RestorePlan } from './restore-plan.ts';
import { raiseSequences, type TableRef } from './sequences.ts';

export type { RestoreOptions } from './restore-plan.ts';

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
  /** Newest version production had applied when the dump was taken. */
  productionVersion: string;
  /** Migrations run to rebuild the schema at production's version. */
  rebuilt: string[];
  /** Local migrations newer than production's, applied after the data. */
  pendingApplied: string[];
  /** The same, left out because of --no-pending. */
  pendingSkipped: string[];
  tables: TableCount[];
  rows: number;
  sequencesRaised: number;
  phases: PhaseTime[];
  seconds: number;
}

const qualified = (t: TableRef) => `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;

async function assertSuperuser(url: string): Promise<void> {
  const [row] = await withClient(url, (sql) => sql<{ rolsuper: boolean; user: string }[]>`
    select rolsuper, current_user as user from pg_roles where rolname = current_user`);
  if (!row?.rolsuper) {
    throw new RefusedError(
      `the local role "${row?.user}" on ${describeUrl(url)} is not a superuser, and loading data with triggers (foreign keys) disabled needs one; connect as a superuser (the embedded server's "postgres" is one)`,
    );
  }
}

/** Tables the dump has data for that the migrations did not create: the load would fail on them. */
async function missingTables(sql: Sql, tables: TableRef[]): Promise<string[]> {
  if (tables.length === 0) return [];
  const rows = await sql<{ schema: string; name: string }[]>`
    select t.schema, t.name from unnest(${tables.map((t) => t.schema)}::text[], ${tables.map((t) => t.name)}::text[]) as t(schema, name)
    where not exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = t.schema and c.relname = t.name)`;
  return rows.map((r) => `${r.schema}.${r.name}`);
}

async function countRows(sql: Sql, tables: TableRef[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const t of tables) {
    const [row] = await sql.unsafe<{ n: string }[]>(`select count(*)::text as n from ${qualified(t)}`);
    counts.set(`${t.schema}.${t.name}`, Number(row.n));
  }
  return counts;
}

/** Progress without flooding: one line a second at most, and the last one. */
function throttled(report: ((line: string) => void) | undefined) {
  let last = 0;
  return (line: string, final = false) => {
    const now = Date.now();
    if (!report || (!final && now - last < 1000)) return;
    last = now;
    report(line);
  };
}

/**
 * Loads the planned entries with pg_restore (data only, triggers disabled, -j when asked) and
 * reports each table once all its rows are in: serially pg_restore starts the next table only
 * after the previous one's COPY and trigger re-enable finished; in parallel it says "finished item".
 */
async function loadData(plan: RestorePlan, url: string, jobs: number, onTableLoaded: (key: string) => void, onProgress?: (line: string) => void): Promise<void> {
  const libpq = libpqTarget(url);
  const total = plan.loadTables.length;
  const byId = new Map(plan.load.map((e) => [e.dumpId, tableKey(e)]));
  let loaded = 0;
  let previous: string | undefined;
  let carry = '';
  const progress = throttled(onProgress);
  const tableDone = (key: string) => {
    loaded += 1;
    onTableLoaded(key);
    progress(`load: ${loaded}/${total} tables`, loaded === total);
  };
  await withScratchDir(async (dir) => {
    const list = path.join(dir, 'load.list');
    writeRestoreList(list, plan.load);
    const args = ['--data-only', '--disable-triggers', '--exit-on-error', '--verbose', '--use-list', list, '--dbname', libpq.url];
    if (jobs > 1) args.push('--jobs', String(jobs));
    const result = await runPgTool('pg_restore', [...args, plan.toc.file], {
      env: libpq.env,
      onStderr: (chunk) => {
        const lines = (carry + chunk).split('\n');
        carry = lines.pop() ?? '';
        for (const line of lines) {
          if (jobs > 1) {
            const finished = /^pg_restore: finished item (\d+) TABLE DATA /.exec(line);
            if (finished) tableDone(byId.get(Number(finished[1])) ?? '');
          } else {
            const started = /^pg_restore: processing data for table "(.*)"$/.exec(line);
            if (!started) continue;
            if (previous) tableDone(previous);
            previous = started[1];
          }
        }
      },
    });
    if (!result.ok) throw new RbError(`pg_restore failed: ${firstError(result.stderr)}`);
    if (previous) tableDone(previous);
  });
}

/**
 * Restores a production dump into the local database:
 *  1. reads production's applied migrations from the dump's tracking table,
 *  2. refuses (nothing touched) on a migration unknown locally, a bad file or pattern, a production target,
 *  3. drops the app schemas + tracking table and migrates up to exactly production's versions,
 *  4. loads the data only (tracking rows excluded) with triggers disabled, indexes built after,
 *  5. raises identity/serial sequences to the highest restored id,
 *  6. verifies per table that the rows in the database equal the rows in the dump,
 *  7. applies the local migrations production has not (unless pending: false).
 * Verification runs before step 7 because a new migration may legitimately change rows.
 */
export async function restoreDump(config: Config, target: Target, file: string, options: RestoreOptions = {}): Promise<RestoreSummary> {
  const started = performance.now();
  const phases: PhaseTime[] = [];
  const report = options.onProgress;
  const jobs = options.jobs ?? 1;
  await assertLocalTarget(target);

  const phase = async <T>(name: string, work: () => Promise<T>, touched = true): Promise<T> => {
    const start = performance.now();
    report?.(`${name}...`);
    try {
      return await work();
    } catch (error) {
      // Refusals before anything changed already say so; everything else names the phase.
      if (!touched && error instanceof RbError) throw error;
      const message = maskUrl(error instanceof Error ? error.message : String(error));
      const code = error instanceof RbError ? error.exitCode : 1;
      const state = !touched
        ? 'the local database was not touched'
        : name === 'pending migrations'
          ? "the data is restored at production's version; fix the migration and run rb upgrade"
          : 'the local database is incomplete; fix the cause and run the restore again (it starts clean)';
      throw new RbError(`restore failed in phase "${name}": ${message}; ${state}`, code);
    } finally {
      phases.push({ phase: name, seconds: (performance.now() - start) / 1000 });
    }
  };

  const plan = await phase('read dump', () => planRestore(config, file, options), false);
  await phase('check local database', () => assertSuperuser(target.url), false);

  const localUrl = target.url;
  // Count the dump's rows while the schema is rebuilt and the data loads (one more pg_restore read).
  const abort = new AbortController();
  const dumpCounts = withScratchDir(async (dir) => {
    const list = path.join(dir, 'count.list');
    writeRestoreList(list, plan.load.filter((e) => e.kind === 'TABLE DATA'));
    return countDumpRows(plan.toc.file, list, abort.signal);
  });
  // Awaited in the verify phase; this only keeps an early failure elsewhere from being "unhandled".
  dumpCounts.catch(() => undefined);
  try {
    await phase('rebuild schema', async () => {
      report?.(`rebuild: migrating to production's version ${plan.productionVersion} (${plan.rebuild.length} migrations)`);
      await dropLocalSchema(localUrl, config);
      try {
        await migrateFiles(config, localUrl, plan.rebuild);
      } catch (error) {
        // 42710/42P07/42723/42P06: duplicate object, table, function, schema.
        if (error instanceof RbError && /\(SQLSTATE 42(710|P07|723|P06)\)/.test(error.message)) {
          throw new RbError(
            `${error.message}; it already existed outside the schemas rb drops (${config.schemas.join(', ')}): add its schema to "rb": {"schemas": [...]} in package.json, or make the migration idempotent (IF NOT EXISTS)`,
            error.exitCode,
          );
        }
        throw error;
      }
    });

    const sql = connect(localUrl, { max: 1, connection: QUALIFIED });
    try {
      const builder = await phase('load data', async () => {
        const missing = await missingTables(sql, plan.loadTables);
        if (missing.length) {
          throw new RbError(
            `the dump has data for ${missing.join(', ')}, which the migrations up to ${plan.productionVersion} do not create (made outside the migrations?); add a migration for it or pass --exclude-table-data ${missing[0]}`,
          );
        }
        const objects = await captureDeferred(sql, plan.loadTables);
        await dropDeferred(sql, objects);
        // Rows a migration inserted (lookup data) are in the dump too: start the loaded tables empty
        // (after the foreign keys are gone, so tables whose data is excluded do not block it).
        if (plan.loadTables.length) await sql.unsafe(`truncate ${plan.loadTables.map(qualified).join(', ')}`);
        const progress = throttled(report);
        const indexes = startIndexBuilder(localUrl, objects, jobs, (done, total) => progress(`indexes: ${done}/${total} keys, indexes and constraints`, done === total));
        try {
          await loadData(plan, localUrl, jobs, (key) => indexes.tableLoaded(key), report);
        } catch (error) {
          await indexes.close();
          throw error;
        }
        return indexes;
      });
      await phase('build indexes', () => builder.finish());
      const sequencesRaised = await phase('sequences', () => raiseSequences(sql, [...plan.loadTables, ...plan.excludedTables]));
      const tables = await phase('verify', async () => {
        const expected = await dumpCounts;
        const actual = await countRows(sql, [...plan.loadTables, ...plan.excludedTables]);
        const wrong = plan.loadTables
          .map((t) => `${t.schema}.${t.name}`)
          .filter((key) => (expected.get(key) ?? 0) !== actual.get(key))
          .map((key) => `${key} has ${actual.get(key)} rows, the dump ${expected.get(key) ?? 0}`);
        if (wrong.length) throw new RbError(`row counts differ: ${wrong.join('; ')}`);
        return [
          ...plan.loadTables.map((t) => ({ table: `${t.schema}.${t.name}`, rows: actual.get(`${t.schema}.${t.name}`)!, excluded: false })),
          ...plan.excludedTables.map((t) => ({ table: `${t.schema}.${t.name}`, rows: actual.get(`${t.schema}.${t.name}`)!, excluded: true })),
        ];
      });
      const pendingSkipped = options.pending === false ? checkProductionVersions(config, plan.productionVersions).pending.map((m) => m.fileName) : [];
      if (plan.pending.length) await phase('pending migrations', () => migrateFiles(config, localUrl, plan.pending));
      return {
        file,
        productionVersion: plan.productionVersion,
        rebuilt: plan.rebuild.map((f) => f.fileName),
        pendingApplied: plan.pending.map((f) => f.fileName),
        pendingSkipped,
        tables,
        rows: tables.reduce((sum, t) => sum + t.rows, 0),
        sequencesRaised,
        phases,
        seconds: (performance.now() - started) / 1000,
      };
    } finally {
      await sql.end({ timeout: 5 });
    }
  } finally {
    abort.abort();
  }
}

