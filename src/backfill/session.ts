import type postgres from 'postgres';
import { connectOptions } from '../client.ts';
import { qualified, RB_OWN_TABLES } from '../rb-tables.ts';
import { postgresWithTypeChoices } from '@rbsql/runtime';
import { scriptSessionName } from './earlier-runs.ts';

/**
 * The one connection a backfill runs on (its `sql` and `db`, and rb's checkpoint statements):
 * rb's type choices, as createClient and the generated query types have them, and the session's
 * search_path (e.g. "app, public").
 */
export function openScriptClient(url: string, searchPath: string, shown: string): postgres.Sql {
  // Named `rb run-script <file> (pid N on host)`: a rerun after kill -9 finds what the killed run left (earlier-runs.ts).
  return postgresWithTypeChoices(url, connectOptions(url, { max: 1, connection: { search_path: searchPath, application_name: scriptSessionName(shown) } }));
}

/** The backend serving the transaction: the one to cancel on Ctrl-C. */
export async function backendPid(sql: postgres.TransactionSql): Promise<number> {
  const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  return row.pid;
}

/**
 * Defaults set with SET LOCAL at the start of every script / batch transaction. lock_timeout
 * keeps a backfill from queueing behind (and in front of) production traffic for long; the
 * statement timeout stops a runaway statement. A script can change both with SET LOCAL.
 */
export const SESSION_DEFAULTS = { lockTimeout: '5s', statementTimeout: '15min' } as const;

export async function applySessionDefaults(sql: postgres.TransactionSql): Promise<void> {
  await sql.unsafe(
    `set local lock_timeout = '${SESSION_DEFAULTS.lockTimeout}'; set local statement_timeout = '${SESSION_DEFAULTS.statementTimeout}'`,
  );
}

/**
 * Batch transactions commit without waiting for the WAL flush. Safe here because the checkpoint
 * is written in the same transaction as its batch: a server crash can lose only the newest
 * batches together with their checkpoint, and the rerun does them again. It saves one fsync
 * wait per batch (the single-transaction mode keeps full durability).
 */
export async function applyBatchDefaults(sql: postgres.TransactionSql): Promise<void> {
  await sql.unsafe(
    `set local lock_timeout = '${SESSION_DEFAULTS.lockTimeout}'; set local statement_timeout = '${SESSION_DEFAULTS.statementTimeout}'; set local synchronous_commit = off`,
  );
}

/** Rows a transaction changed in one table so far. */
export interface TableChange {
  table: string;
  inserted: number;
  updated: number;
  deleted: number;
}

/**
 * Rows changed per table, from pg_stat_xact_user_tables (it counts every statement: tagged
 * templates, sql.unsafe, pgtyped queries, triggers). On PostgreSQL 15 those counters can still
 * hold counts of earlier transactions of the same connection that were not yet flushed, so take
 * a `baseline` at the start of the transaction and pass it back: the result is the difference.
 * rb's own tables are left out.
 */
export async function transactionChanges(sql: postgres.TransactionSql, baseline: TableChange[] = []): Promise<TableChange[]> {
  const rows = await sql<{ table: string; inserted: string; updated: string; deleted: string }[]>`
    select format('%I.%I', schemaname, relname) as table,
           n_tup_ins as inserted, n_tup_upd as updated, n_tup_del as deleted
      from pg_stat_xact_user_tables
     where (n_tup_ins + n_tup_upd + n_tup_del) > 0
       and not (schemaname || '.' || relname = any(${RB_OWN_TABLES.map(qualified)}::text[]))
     order by 1`;
  const before = new Map(baseline.map((c) => [c.table, c]));
  return rows
    .map((r) => {
      const b = before.get(r.table);
      return {
        table: r.table,
        inserted: Number(r.inserted) - (b?.inserted ?? 0),
        updated: Number(r.updated) - (b?.updated ?? 0),
        deleted: Number(r.deleted) - (b?.deleted ?? 0),
      };
    })
    .filter((c) => c.inserted + c.updated + c.deleted > 0);
}

/**
 * Rows inserted + updated + deleted in one table by the transaction so far (plus, on PostgreSQL
 * 15, unflushed counts of earlier transactions: take the difference of two readings). Cheaper
 * than the view: three function calls, no catalog scan.
 */
export async function tableChangeCount(sql: postgres.TransactionSql, table: string): Promise<number> {
  const [row] = await sql<{ n: string }[]>`
    select pg_stat_get_xact_tuples_inserted(c.oid) + pg_stat_get_xact_tuples_updated(c.oid)
           + pg_stat_get_xact_tuples_deleted(c.oid) as n
      from (select to_regclass(${table})::oid as oid) c`;
  return Number(row.n);
}

/** "app.my_model: 1,000 updated" */
export function describeChange(change: TableChange): string {
  const parts: string[] = [];
  if (change.inserted) parts.push(`${change.inserted.toLocaleString('en-US')} inserted`);
  if (change.updated) parts.push(`${change.updated.toLocaleString('en-US')} updated`);
  if (change.deleted) parts.push(`${change.deleted.toLocaleString('en-US')} deleted`);
  return `${change.table}: ${parts.join(', ')}`;
}
