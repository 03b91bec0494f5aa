import type postgres from 'postgres';
import { qualified, RB_CHECKPOINTS_TABLE } from '../rb-tables.ts';

/**
 * rb's own table of batched-backfill checkpoints, one row per job. The row is updated in the
 * same transaction as the batch it records, so a run killed at any moment (even kill -9)
 * resumes after the last committed batch: no batch is done twice or skipped.
 */
export const CHECKPOINT_TABLE = qualified(RB_CHECKPOINTS_TABLE);

type Db = postgres.Sql | postgres.TransactionSql;

export interface Checkpoint {
  job: string;
  /** Last key of the last committed batch (as text), null before the first batch. */
  lastKey: string | null;
  rowsDone: number;
  rowsChanged: number;
  batches: number;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

interface CheckpointRow {
  job: string;
  last_key: string | null;
  rows_done: string;
  rows_changed: string;
  batches: number;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

function fromRow(row: CheckpointRow): Checkpoint {
  return {
    job: row.job,
    lastKey: row.last_key,
    rowsDone: Number(row.rows_done),
    rowsChanged: Number(row.rows_changed),
    batches: row.batches,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export async function ensureCheckpointTable(sql: Db): Promise<void> {
  if (await checkpointTableExists(sql)) return;
  try {
    await createCheckpointTable(sql);
  } catch (error) {
    // Two runs starting at once: "if not exists" still races on the catalog (23505 on pg_type, or 42P07).
    const code = (error as { code?: string }).code;
    if (code !== '23505' && code !== '42P07') throw error;
  }
}

async function createCheckpointTable(sql: Db): Promise<void> {
  await sql.unsafe(`
    create table if not exists ${CHECKPOINT_TABLE} (
      job text primary key,
      last_key text,
      rows_done bigint not null default 0,
      rows_changed bigint not null default 0,
      batches integer not null default 0,
      started_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      finished_at timestamptz
    )`);
}

export async function checkpointTableExists(sql: Db): Promise<boolean> {
  const [row] = await sql<{ exists: boolean }[]>`select to_regclass(${CHECKPOINT_TABLE}) is not null as exists`;
  return row.exists;
}

/** Reads a job's checkpoint; with `lock`, holds its row until the transaction ends (one runner per job). */
export async function readCheckpoint(sql: Db, job: string, options: { lock?: boolean } = {}): Promise<Checkpoint | null> {
  const rows = await sql.unsafe<CheckpointRow[]>(
    `select * from ${CHECKPOINT_TABLE} where job = $1${options.lock ? ' for update' : ''}`,
    [job],
  );
  return rows.length ? fromRow(rows[0]) : null;
}

/** Creates the job's row if there is none; returns the row as it now is. */
export async function startCheckpoint(sql: Db, job: string): Promise<Checkpoint> {
  await sql.unsafe(`insert into ${CHECKPOINT_TABLE} (job) values ($1) on conflict (job) do nothing`, [job]);
  return (await readCheckpoint(sql, job))!;
}

export async function advanceCheckpoint(sql: Db, job: string, lastKey: string, rows: number, changed: number): Promise<void> {
  await sql.unsafe(
    `update ${CHECKPOINT_TABLE}
        set last_key = $2, rows_done = rows_done + $3, rows_changed = rows_changed + $4,
            batches = batches + 1, updated_at = now()
      where job = $1`,
    [job, lastKey, rows, changed],
  );
}

export async function finishCheckpoint(sql: Db, job: string): Promise<void> {
  await sql.unsafe(`update ${CHECKPOINT_TABLE} set finished_at = now(), updated_at = now() where job = $1`, [job]);
}

export async function deleteCheckpoint(sql: Db, job: string): Promise<void> {
  await sql.unsafe(`delete from ${CHECKPOINT_TABLE} where job = $1`, [job]);
}
