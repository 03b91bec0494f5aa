import type { Sql } from '../client.ts';
import { qualified, TOOLING_TABLES } from '../rb-tables.ts';
import { PREPARED } from './schema-snapshot.ts';
import type { SqlStatement } from '../migrations/sql-statements.ts';
import { blockedBy, lockStrength, type Blocked, type LockMode } from '../lock-modes.ts';

/**
 * What a migration's up does to the tables that existed before it, read from inside the
 * transaction rb runs it in: after each statement, the locks this backend holds (pg_locks) and,
 * for the relations it locked, the catalog (storage file, indexes, constraints, NOT NULL columns)
 * and the number of sequential scans made of them (pg_stat_get_numscans + pg_stat_get_xact_numscans:
 * PostgreSQL 15 may flush a backend's pending counts to the shared ones in the middle of a
 * transaction, so the probe reads both, with stats_fetch_consistency=none, see migration-steps.ts).
 * A relation can only change or be scanned under a lock, so only locked relations are read again.
 * The probe only reads; the observations become findings in impact-rules.ts.
 */

/** UPDATE, DELETE, MERGE (also inside WITH, not SELECT ... FOR UPDATE): statements that change rows that exist, locking each until commit. */
export function changesRows(statement: Pick<SqlStatement, 'words' | 'text'>): boolean {
  const [a] = statement.words;
  if (a === 'update' || a === 'delete' || a === 'merge') return true;
  return a === 'with' && /(?<!\b(for|key)\s+)\b(update|delete|merge)\b/i.test(statement.text);
}

function strongest(modes: LockMode[]): LockMode | undefined {
  return modes.reduce<LockMode | undefined>((best, m) => (!best || lockStrength(m) > lockStrength(best) ? m : best), undefined);
}

interface IndexState {
  oid: number;
  name: string;
  file: number;
  /** 'p', 'u' or 'x' when the index belongs to a constraint. */
  constraint: string | null;
}

interface ConstraintState {
  oid: number;
  name: string;
  /** 'c' check or 'f' foreign key. */
  type: string;
  validated: boolean;
  /** The referenced table of a foreign key. */
  references: number;
  definition: string;
}

interface ColumnState {
  name: string;
  notNull: boolean;
  /** "<type oid>:<typmod>", compared; typeName is how the session prints it. */
  type: string;
  typeName: string;
  enum: boolean;
}

export interface RelationState {
  oid: number;
  /** "schema.name" (as before the migration), as rb check's other messages print relations. */
  name: string;
  /** pg_class.relkind: r, p, m, v, f. */
  kind: string;
  /** pg_class.relfilenode: a new one means the relation was rewritten into new storage. */
  file: number;
  /** Sequential scans of the table, and scans of its indexes (a foreign key's check query may use one). */
  scans: number;
  indexScans: number;
  indexes: IndexState[];
  constraints: ConstraintState[];
  columns: ColumnState[];
}

/** Something a statement did to a table that existed before the migration. */
export type ImpactEvent =
  | { kind: 'rewrite'; typeChanges: { column: string; from: string; to: string; enums: boolean }[] }
  | { kind: 'index-build'; index: string; constraint: string | null; rebuilt: boolean }
  /** recreated: ALTER COLUMN TYPE without a rewrite recreated an existing constraint and checks it again. */
  | { kind: 'constraint-scan'; constraint: string; foreignKey: boolean; references?: string; recreated: boolean }
  | { kind: 'not-null-scan'; columns: string[] }
  /** A DDL statement read every row (e.g. to check a new NOT NULL column, to attach a partition). */
  | { kind: 'scan' }
  /** A statement that runs a query (UPDATE, INSERT ... SELECT, DO...) wrote or read rows of the table. */
  | { kind: 'rows'; writes: boolean; changes: boolean };

/**
 * Statements that run a query (DML, DO blocks, function calls, CREATE ... AS): how much of a table
 * they read depends on the plan, which depends on the (empty) tables' statistics; so for them the
 * probe notes which tables they newly lock for writing (ROW EXCLUSIVE) or reading (ACCESS SHARE)
 * rather than counting scans. For other statements the sequential scans PostgreSQL makes
 * internally (validating, rewriting, building) do not depend on plans and are counted.
 */
export function runsQuery(statement: Pick<SqlStatement, 'words' | 'text'>): boolean {
  const [a, b, c] = statement.words;
  if (['update', 'delete', 'insert', 'merge', 'with', 'select', 'do', 'call', 'execute', 'copy', 'refresh', 'values', 'table'].includes(a)) return true;
  if (a === 'create' && (b === 'table' || b === 'materialized' || b === 'unlogged' || (b === 'temp' || b === 'temporary') || (b === 'or' && c === 'replace'))) {
    return /\bas\s*\(?\s*(select|with|values|table)\b/i.test(statement.text);
  }
  return false;
}

/** One statement's observations on one pre-existing relation. */
export interface RelationImpact {
  relation: string;
  /** 1-based line of the statement in the migration file. */
  line: number;
  /** The statement's first words, lower case (what it is: "alter table", "create index"...). */
  words: string[];
  /** The strongest lock the transaction holds on the relation after the statement. */
  lock: LockMode;
  /** pg_class.relkind of the relation: r, p, m (materialized view), v, f. */
  kind: string;
  events: ImpactEvent[];
}

/** A lock a migration took on a pre-existing relation, stronger than the ones it held on it before. */
export interface RelationLock {
  relation: string;
  /** pg_class.relkind of the relation before the migration. */
  kind: string;
  mode: LockMode;
  blocks: Blocked;
  /** Line of the statement that took it, and that statement's first words. */
  line: number;
  words: string[];
}

export interface MigrationImpact {
  /** Per statement and relation, in statement order: only entries with events. */
  impacts: RelationImpact[];
  /** Per pre-existing relation the migration locked: its strongest lock. */
  locks: RelationLock[];
  /** Every strengthening of a lock, in statement order (the last one per relation is in locks). */
  acquisitions: RelationLock[];
  /** False when scans cannot be counted (track_counts is off): NOT NULL scans are then judged from CHECK constraints. */
  scansCounted: boolean;
}

/**
 * A relation's catalog state: storage, indexes, constraints, columns (type by oid and modifier,
 * printed for messages). Constraint definitions only in rb's session: pg_get_constraintdef opens
 * the table (ACCESS SHARE), which another session would wait for behind the migration's locks.
 */
const stateColumns = (definitions: boolean) => `
  c.oid, c.relkind::text as kind, c.relfilenode as file,
  (select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object('oid', i.indexrelid, 'name', ic.relname, 'file', ic.relfilenode,
            'constraint', (select con.contype from pg_catalog.pg_constraint con where con.conindid = i.indexrelid and con.conrelid = i.indrelid and con.contype in ('p', 'u', 'x') limit 1))), '[]')
     from pg_catalog.pg_index i join pg_catalog.pg_class ic on ic.oid = i.indexrelid where i.indrelid = c.oid) as indexes,
  (select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object('oid', con.oid, 'name', con.conname, 'type', con.contype, 'validated', con.convalidated,
            'references', con.confrelid, 'definition', ${definitions ? 'pg_catalog.pg_get_constraintdef(con.oid)' : "''"})), '[]')
     from pg_catalog.pg_constraint con where con.conrelid = c.oid and con.contype in ('c', 'f')) as constraints,
  (select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object('name', a.attname, 'notNull', a.attnotnull,
            'type', a.atttypid::int8 || ':' || a.atttypmod, 'typeName', pg_catalog.format_type(a.atttypid, a.atttypmod),
            'enum', exists (select from pg_catalog.pg_type t where t.oid = a.atttypid and t.typtype = 'e')) order by a.attnum), '[]')
     from pg_catalog.pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns`;

/** Scans of a relation's indexes so far (shared counts plus this transaction's pending ones). */
const indexScansOf = (relation: string) => `(select coalesce(sum(pg_catalog.pg_stat_get_numscans(i.indexrelid) + pg_catalog.pg_stat_get_xact_numscans(i.indexrelid)), 0)::int
     from pg_catalog.pg_index i where i.indrelid = ${relation})`;

/**
 * Every relation a migration can lock for reads or writes (tables, partitioned tables, views,
 * materialized views, foreign tables) that exists before it, with its scan count so far.
 */
const INITIAL_SQL = `
select null::oid as oid, null as name, null as kind, null::int as scans, null::int as index_scans, pg_catalog.current_setting('track_counts')::bool as counted
union all
select c.oid, n.nspname || '.' || c.relname, c.relkind::text, (pg_catalog.pg_stat_get_numscans(c.oid) + pg_catalog.pg_stat_get_xact_numscans(c.oid))::int,
       ${indexScansOf('c.oid')}, null
from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'm', 'v', 'f')
  and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
  and not (n.nspname || '.' || c.relname = any($1::text[]))`;

/** The state of relations as committed (read by another session while the migration's transaction is open). */
const COMMITTED_SQL = `select ${stateColumns(false)} from pg_catalog.pg_class c where c.oid = any($1::oid[])`;

/** The locks this backend holds on the given relations, with their state now (absent: dropped by the migration). */
const AFTER_STATEMENT_SQL = `
with locked as (
  select l.relation, pg_catalog.array_agg(distinct l.mode) as modes
  from pg_catalog.pg_locks l
  where l.locktype = 'relation' and l.pid = pg_catalog.pg_backend_pid() and l.granted and l.relation = any($1::oid[])
  group by l.relation
)
select locked.relation, locked.modes,
       (pg_catalog.pg_stat_get_numscans(locked.relation) + pg_catalog.pg_stat_get_xact_numscans(locked.relation))::int as scans,
       ${indexScansOf('locked.relation')} as "indexScans", s.*
from locked left join lateral (select ${stateColumns(true)} from pg_catalog.pg_class c where c.oid = locked.relation) s on true`;

type LockRow = { relation: number; modes: LockMode[] | string; scans: number; indexScans: number } & Partial<RelationState>;
type InitialRow = { oid: number; name: string; kind: string; scans: number; index_scans: number };

/** postgres.js returns an array of an unknown element type (pg_locks.mode is text[] here) as text. */
function modesOf(value: LockMode[] | string): LockMode[] {
  if (Array.isArray(value)) return value;
  return value.replace(/^\{|\}$/g, '').split(',').filter(Boolean) as LockMode[];
}

export class ImpactProbe {
  /** Pre-existing relations: name and scan count before the migration. */
  private readonly initial: Map<number, { name: string; kind: string; scans: number; indexScans: number }>;
  /** State after the previous statement, for relations locked so far (null: dropped). */
  private readonly current = new Map<number, RelationState | null>();
  private readonly previousModes = new Map<number, LockMode[]>();
  private readonly locks = new Map<number, RelationLock>();
  private readonly acquisitions: RelationLock[] = [];
  private readonly impacts: RelationImpact[] = [];

  private constructor(
    initial: InitialRow[],
    private readonly session: Sql,
    private readonly committed: Sql,
    private readonly scansCounted: boolean,
  ) {
    this.initial = new Map(initial.map((r) => [r.oid, { name: r.name, kind: r.kind, scans: r.scans, indexScans: r.index_scans }]));
  }

  /**
   * Reads the relations that exist before the up runs: call in rb's session right after BEGIN,
   * before the up's first statement. committed: another connection to the same database, which
   * sees the state before the migration while its transaction is open.
   */
  static async start(session: Sql, committed: Sql): Promise<ImpactProbe> {
    const rows = await session.unsafe<((InitialRow & { counted: null }) | { oid: null; counted: boolean })[]>(INITIAL_SQL, [TOOLING_TABLES.map(qualified)], PREPARED);
    return new ImpactProbe(rows.filter((r): r is InitialRow & { counted: null } => r.oid !== null), session, committed, rows.find((r) => r.oid === null)!.counted!);
  }

  /** True when there is nothing the migration could impact (an empty database). */
  get empty(): boolean {
    return this.initial.size === 0;
  }

  /** Reads locks and state after one statement of the up (line: its line in the file). */
  async afterStatement(statement: SqlStatement, line: number): Promise<void> {
    if (this.empty) return;
    const rows = await this.session.unsafe<LockRow[]>(AFTER_STATEMENT_SQL, [[...this.initial.keys()]], PREPARED);
    const firstSeen = rows.map((r) => r.relation).filter((oid) => !this.current.has(oid));
    const committed = firstSeen.length ? await this.committed.unsafe<RelationState[]>(COMMITTED_SQL, [firstSeen], PREPARED) : [];
    for (const state of committed) {
      const { scans, indexScans } = this.initial.get(state.oid)!;
      this.current.set(state.oid, { ...state, scans, indexScans });
    }
    for (const row of rows) {
      const oid = row.relation;
      const { name, kind } = this.initial.get(oid)!;
      const modes = modesOf(row.modes);
      const mode = strongest(modes)!;
      const known = this.locks.get(oid);
      if (!known || lockStrength(mode) > lockStrength(known.mode)) {
        const blocks = blockedBy(mode, { changesRows: changesRows(statement) });
        const lock = { relation: name, kind, mode, blocks, line, words: statement.words };
        this.locks.set(oid, lock);
        this.acquisitions.push(lock);
      }
      const before = this.current.get(oid) ?? null;
      const after: RelationState | null = row.oid === null || row.oid === undefined ? null : { ...(row as RelationState), name, scans: row.scans, indexScans: row.indexScans };
      this.current.set(oid, after);
      const newModes = modes.filter((m) => !(this.previousModes.get(oid) ?? []).includes(m));
      this.previousModes.set(oid, modes);
      if (!before || !after) continue; // dropped: its lock is all there is to say
      const events = await this.eventsOf(before, after, runsQuery(statement) ? newModes : undefined, statement);
      if (events.length) this.impacts.push({ relation: name, line, words: statement.words, lock: mode, kind, events });
    }
    // A foreign key's validation reads the referenced table too: that scan belongs to the constraint.
    this.attributeReferencedScans(line);
  }

  private async eventsOf(before: RelationState, after: RelationState, queryModes: LockMode[] | undefined, statement: SqlStatement): Promise<ImpactEvent[]> {
    const events: ImpactEvent[] = [];
    const scanned = queryModes === undefined && after.scans > before.scans;
    const beforeColumns = new Map(before.columns.map((c) => [c.name, c]));
    // TRUNCATE gives the table (and its indexes) new, empty storage files: nothing is copied or built.
    const truncated = statement.words[0] === 'truncate';
    if (after.file !== before.file && after.kind !== 'v' && after.kind !== 'p' && !truncated) {
      const typeChanges = after.columns
        .filter((c) => beforeColumns.has(c.name) && beforeColumns.get(c.name)!.type !== c.type)
        .map((c) => ({ column: c.name, from: beforeColumns.get(c.name)!.type, to: c.typeName, enums: c.enum && beforeColumns.get(c.name)!.enum }));
      // The old types printed the way the session prints the new one (its search_path).
      for (const change of typeChanges) {
        const [typid, typmod] = change.from.split(':').map(Number);
        const [{ name }] = await this.session.unsafe<{ name: string }[]>('select pg_catalog.format_type($1::oid, $2::int) as name', [typid, typmod]);
        change.from = name;
      }
      events.push({ kind: 'rewrite', typeChanges });
    }
    const rewritten = events.length > 0;
    const beforeIndexes = new Map(before.indexes.map((i) => [i.oid, i]));
    const beforeIndexNames = new Set(before.indexes.map((i) => i.name));
    for (const index of after.indexes) {
      const old = beforeIndexes.get(index.oid);
      if (!old) {
        // A rewrite (ALTER COLUMN TYPE) rebuilds the table's indexes under their old names: part of the rewrite.
        if (rewritten && beforeIndexNames.has(index.name)) continue;
        events.push({ kind: 'index-build', index: index.name, constraint: index.constraint, rebuilt: beforeIndexNames.has(index.name) });
      } else if (old.file !== index.file && !rewritten && !truncated) {
        events.push({ kind: 'index-build', index: index.name, constraint: index.constraint, rebuilt: true });
      }
    }
    // By oid: a renamed constraint is the same constraint (no scan).
    const beforeConstraints = new Map(before.constraints.map((c) => [c.oid, c]));
    const beforeConstraintNames = new Set(before.constraints.map((c) => c.name));
    // ALTER COLUMN TYPE: a constraint of an old name is one it recreated (a dropped and re-added one is new).
    const typeChanged = after.columns.some((c) => beforeColumns.has(c.name) && beforeColumns.get(c.name)!.type !== c.type);
    for (const constraint of after.constraints) {
      const old = beforeConstraints.get(constraint.oid);
      if (!constraint.validated || (old && old.validated)) continue;
      // ALTER COLUMN TYPE recreates the table's constraints (new oids, same names) and checks them
      // while it copies the rows: part of the rewrite, not a validation of its own.
      if (rewritten && beforeConstraintNames.has(constraint.name)) continue;
      // A foreign key added inline with a new column that has no default is created valid without
      // reading the table (the column is all NULL: parse_utilcmd.c, transformFKConstraints); a
      // validating one runs a query over the table, by a sequential scan or an index: so the scan
      // counters of the table and its indexes tell. (A CHECK is validated by a scan in any case.)
      if (constraint.type === 'f' && this.scansCounted && after.scans === before.scans && after.indexScans === before.indexScans) continue;
      const references = constraint.type === 'f' ? this.nameOf(constraint.references) : undefined;
      events.push({ kind: 'constraint-scan', constraint: constraint.name, foreignKey: constraint.type === 'f', references, recreated: typeChanged && beforeConstraintNames.has(constraint.name) });
    }
    const newlyNotNull = after.columns.filter((c) => c.notNull && beforeColumns.has(c.name) && !beforeColumns.get(c.name)!.notNull).map((c) => c.name);
    if (newlyNotNull.length && !rewritten) {
      // PostgreSQL 12+ skips the scan when a valid CHECK (col IS NOT NULL) proves it.
      const proven = (column: string) => after.constraints.some((c) => c.type === 'c' && c.validated && isNotNullCheck(c.definition, column));
      const scannedColumns = this.scansCounted ? (scanned ? newlyNotNull : []) : newlyNotNull.filter((c) => !proven(c));
      if (scannedColumns.length) events.push({ kind: 'not-null-scan', columns: scannedColumns });
    }
    if (scanned && events.length === 0 && !truncated) events.push({ kind: 'scan' });
    if (queryModes && events.length === 0) {
      const writes = queryModes.includes('RowExclusiveLock');
      // INSERT ... VALUES writes the rows it lists, not a share of the table.
      const listedRows = statement.words[0] === 'insert' && !/\bselect\b/i.test(statement.text);
      if ((writes && !listedRows) || queryModes.includes('AccessShareLock')) events.push({ kind: 'rows', writes, changes: writes && changesRows(statement) });
    }
    return events;
  }

  /** Drops the plain "scan" of a table whose scan a foreign key validated in the same statement explains. */
  private attributeReferencedScans(line: number): void {
    const here = this.impacts.filter((i) => i.line === line);
    const referenced = new Set(here.flatMap((i) => i.events.flatMap((e) => (e.kind === 'constraint-scan' && e.references ? [e.references] : []))));
    for (const impact of here) {
      if (referenced.has(impact.relation) && impact.events.every((e) => e.kind === 'scan')) {
        this.impacts.splice(this.impacts.indexOf(impact), 1);
      }
    }
  }

  private nameOf(oid: number | string): string | undefined {
    // Oids inside json_build_object come out as JSON strings (only integer and float types are numbers).
    return this.initial.get(Number(oid))?.name;
  }


  report(): MigrationImpact {
    return {
      impacts: this.impacts,
      locks: [...this.locks.values()].sort((a, b) => a.line - b.line || a.relation.localeCompare(b.relation)),
      acquisitions: this.acquisitions,
      scansCounted: this.scansCounted,
    };
  }
}

/** "CHECK ((c IS NOT NULL))" (and the quoted-name form) as pg_get_constraintdef prints it. */
function isNotNullCheck(definition: string, column: string): boolean {
  const name = /^[a-z_][a-z0-9_$]*$/.test(column) ? column : `"${column.replace(/"/g, '""')}"`;
  return definition === `CHECK ((${name} IS NOT NULL))`;
}
