import path from 'node:path';
import type { Sql } from '../client.ts';
import { RbError } from '../errors.ts';
import { quoteIdent } from '../local-db/ensure-database.ts';
import { tableKey, writeRestoreList } from './archive-toc.ts';
import { readSequenceOwners, withScratchDir } from './dump-contents.ts';
import { firstError, libpqTarget, runPgTool } from './pg-tools.ts';
import type { RestorePlan } from './restore-plan.ts';
import type { TableRef } from './sequences.ts';
import { patternFor } from './table-pattern.ts';

export const qualifiedName = (t: TableRef) => `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;

/** Which of these relations the database lacks ("schema.name", unquoted). */
async function missing(sql: Sql, relations: TableRef[]): Promise<TableRef[]> {
  if (relations.length === 0) return [];
  return sql<TableRef[]>`
    select t.schema, t.name from unnest(${relations.map((t) => t.schema)}::text[], ${relations.map((t) => t.name)}::text[]) as t(schema, name)
    where not exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = t.schema and c.relname = t.name)`;
}

/**
 * The rebuilt schema must hold every table and sequence the load writes (and every table kept
 * empty): a table made outside the migrations (another tool's, such as node-pg-migrate's
 * pgmigrations) would make pg_restore fail halfway. Names them all with the flag that leaves them out.
 */
export async function assertSchemaHoldsDump(sql: Sql, plan: RestorePlan): Promise<void> {
  const sequences = plan.load.filter((e) => e.kind === 'SEQUENCE SET').map((e) => ({ schema: e.schema, name: e.name }));
  const [tables, empty, sequenceValues] = await Promise.all([missing(sql, plan.loadTables), missing(sql, plan.excludedTables), missing(sql, sequences)]);
  if (tables.length + empty.length + sequenceValues.length === 0) return;
  // A sequence owned by a missing table goes with it: name the table only.
  const owners = sequenceValues.length ? await readSequenceOwners(plan.toc) : new Map<string, string>();
  const missingTables = new Set([...tables, ...empty].map((t) => `${t.schema}.${t.name}`));
  const values = sequenceValues.filter((s) => !missingTables.has(owners.get(`${s.schema}.${s.name}`) ?? ''));
  const names = (refs: TableRef[]) => refs.map((t) => `${t.schema}.${t.name}`).join(', ');
  const what = [
    tables.length ? `data for ${names(tables)}` : '',
    empty.length ? `${names(empty)} (kept empty by --exclude-table-data, which needs the table)` : '',
    values.length ? `the value of sequence ${names(values)}` : '',
  ].filter(Boolean);
  const flags = [...tables, ...empty, ...values].map((t) => `--exclude-table ${patternFor(t.schema, t.name)}`).join(' ');
  throw new RbError(
    `the dump has ${what.join(', ')}, which the migrations up to ${plan.productionVersion} do not create (made outside the migrations, by another tool?); leave it out with ${flags}, or add a migration that creates it`,
  );
}

/** Rows per table, this table's own (ONLY: an inheriting table's rows are counted as its own). */
export async function countRows(sql: Sql, tables: TableRef[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const t of tables) {
    const [row] = await sql.unsafe<{ n: string }[]>(`select count(*)::text as n from only ${qualifiedName(t)}`);
    counts.set(`${t.schema}.${t.name}`, Number(row.n));
  }
  return counts;
}

/** Progress without flooding: one line a second at most, and the last one. */
export function throttled(report: ((line: string) => void) | undefined) {
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
export async function loadData(plan: RestorePlan, url: string, jobs: number, onTableLoaded: (key: string) => void, onProgress?: (line: string) => void): Promise<void> {
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
    // --no-owner, --no-privileges: the large objects belong to the role that restores, as the
    // tables belong to the one that migrates (the same); production's roles need not exist here.
    const args = ['--data-only', '--disable-triggers', '--no-owner', '--no-privileges', '--exit-on-error', '--verbose', '--use-list', list, '--dbname', libpq.url];
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
