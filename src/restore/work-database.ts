import os from 'node:os';
import { asConnectionError, closeOfferedClients, connect, type Sql } from '../client.ts';
import { quoteIdent } from '../local-db/ensure-database.ts';
import { withDatabase } from '../target/database-url.ts';
import { copyPropertiesStatements, createDatabaseStatement, readDatabaseProperties, type DatabaseProperties } from './database-properties.ts';
import { ownerState, runTag, thisRun, type RunOwner } from './run-owner.ts';

/**
 * A restore builds production's copy in a database of its own, `<local>_rb_restore_<host>_<pid>`,
 * and renames it over the local database only once it is complete and verified
 * (src/restore/swap-database.ts); the local database it replaces is renamed
 * `<local>_rb_replaced_<host>_<pid>` in the same transaction and dropped right after. A run that
 * dies leaves them behind under those names, and a later run on the same machine drops the ones
 * whose process is gone (src/restore/run-owner.ts). `rb upgrade --dry-run --analyze` names its
 * throwaway copy of the local database `<local>_rb_analyze_<host>_<pid>` (src/analyze), so the
 * same cleanup drops it after a killed run.
 */
export type WorkKind = 'restore' | 'replaced' | 'analyze';

// PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1).
const MAX_NAME_BYTES = 63;
const WORK_NAME = /^(.*)_rb_(restore|replaced|analyze)_([0-9a-f]{6})_(\d+)$/s;

export function workDatabaseName(local: string, kind: WorkKind, owner: RunOwner = thisRun): string {
  const suffix = `_rb_${kind}_${runTag(owner)}`;
  let prefix = local;
  while (Buffer.byteLength(prefix + suffix) > MAX_NAME_BYTES) prefix = [...prefix].slice(0, -1).join('');
  return prefix + suffix;
}

export function parseWorkDatabaseName(name: string): { kind: WorkKind; owner: RunOwner } | undefined {
  const match = WORK_NAME.exec(name);
  if (!match) return undefined;
  return { kind: match[2] as WorkKind, owner: { hostTag: match[3], pid: Number(match[4]) } };
}

/**
 * A connection to the server's maintenance database ("postgres", else "template1"; never the
 * local database itself): a database cannot be renamed or dropped from inside it.
 */
export async function connectMaintenance(url: string, localName: string): Promise<Sql> {
  // Who connects here goes on to end the sessions on the local database (the restore's swap, the
  // analyze copy): the quick check's idle connection to it (src/client.ts offerClient) is rb's own,
  // and is closed now rather than ended and reported as someone else's.
  await closeOfferedClients();
  let lastError: unknown;
  for (const database of ['postgres', 'template1'].filter((d) => d !== localName)) {
    const sql = connect(withDatabase(url, database), { max: 1 });
    try {
      await sql`select 1`;
      return sql;
    } catch (error) {
      await sql.end({ timeout: 1 });
      lastError = error;
      if ((error as { code?: string }).code !== '3D000') break;
    }
  }
  throw asConnectionError(lastError, url);
}

export interface Leftover {
  name: string;
  kind: WorkKind;
  owner: RunOwner;
  /** What the database's comment says about the run that made it (host name, start time). */
  note: string | null;
}

export interface LeftoverReport {
  /** Dropped: made on this machine by a run that is gone. */
  dropped: Leftover[];
  /** Left alone: made on another machine, which rb cannot check. */
  otherHost: Leftover[];
}

/** Finds the work databases of earlier restores on this server and drops those whose run is gone. */
export async function dropLeftoverDatabases(admin: Sql): Promise<LeftoverReport> {
  const rows = await admin<{ name: string; note: string | null }[]>`
    select datname as name, shobj_description(oid, 'pg_database') as note from pg_database
    where datname ~ '_rb_(restore|replaced|analyze)_[0-9a-f]{6}_[0-9]+$' order by datname`;
  const report: LeftoverReport = { dropped: [], otherHost: [] };
  for (const row of rows) {
    const parsed = parseWorkDatabaseName(row.name);
    if (!parsed) continue;
    const leftover = { name: row.name, kind: parsed.kind, owner: parsed.owner, note: row.note };
    const state = ownerState(parsed.owner);
    if (state === 'other-host') report.otherHost.push(leftover);
    if (state !== 'gone') continue;
    // FORCE (PostgreSQL 13+) also ends a pg_restore the dead run left running (kill -9 does not reach children).
    await admin.unsafe(`drop database if exists ${quoteIdent(row.name)} with (force)`);
    report.dropped.push(leftover);
  }
  return report;
}

/** The command whose run makes each kind of work database, as the leftover lines name it. */
const MADE_BY: Record<WorkKind, string> = { restore: 'restore', replaced: 'restore', analyze: 'rb upgrade --dry-run --analyze' };

/**
 * The lines a restore and `rb upgrade --dry-run --analyze` print about the leftovers
 * dropLeftoverDatabases found: one per database dropped, and one per database left alone with
 * how to drop it.
 */
export function describeLeftovers(report: LeftoverReport): string[] {
  return [
    ...report.dropped.map((l) => `dropped ${l.name}, left by an earlier ${MADE_BY[l.kind]} whose process (pid ${l.owner.pid}) is gone`),
    ...report.otherHost.map(
      (l) => `left ${l.name} alone: an earlier ${MADE_BY[l.kind]} on another host made it (${l.note ?? 'no note'}); once that run is over, drop it with: DROP DATABASE "${l.name}"`,
    ),
  ];
}

export interface WorkDatabase {
  name: string;
  url: string;
  /** The local database's properties when it exists (copied onto the work database). */
  local: DatabaseProperties | undefined;
}

/**
 * Creates this run's work database, empty, with the local database's owner, encoding, locale,
 * settings and privileges (settings such as search_path apply while the migrations rebuild the
 * schema, as they did in the local database). Its comment names the run until the swap.
 */
export async function createWorkDatabase(admin: Sql, localUrl: string, localName: string, name: string): Promise<WorkDatabase> {
  const local = await readDatabaseProperties(admin, localName);
  const template1 = (await readDatabaseProperties(admin, 'template1'))!;
  await admin.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
  // A session on template1 (a GUI client, say) blocks copying it: CREATE DATABASE would wait 5 s
  // and fail (55006), so copy template0 then.
  const [busy] = await admin<{ busy: boolean }[]>`
    select exists(select 1 from pg_stat_activity where datname = 'template1' and pid <> pg_backend_pid()) as busy`;
  try {
    await admin.unsafe(createDatabaseStatement(name, local, template1, busy.busy));
  } catch (error) {
    if ((error as { code?: string }).code !== '55006') throw error;
    await admin.unsafe(createDatabaseStatement(name, local, template1, true));
  }
  const note = `rb restore work database of pid ${thisRun.pid} on host ${os.hostname()}, started ${new Date().toISOString()}; it replaces ${localName} when complete, and a later rb restore drops it if this run died`;
  await admin.unsafe(`comment on database ${quoteIdent(name)} is '${note.replace(/'/g, "''")}'`);
  if (local) for (const statement of copyPropertiesStatements(name, local)) await admin.unsafe(statement);
  return { name, url: withDatabase(localUrl, name), local };
}

export async function dropDatabase(admin: Sql, name: string): Promise<void> {
  await admin.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
}
